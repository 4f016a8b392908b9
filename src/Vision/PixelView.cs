using System;

namespace CnnDsl.Vision
{
    /// <summary>
    /// An 8-bit image in memory in any layout: channel c of pixel (y, x) is at
    /// <c>Start + y * RowStride + x * PixelStride + c * ChannelStride</c>. A planar image has PixelStride 1 and a plane
    /// between channels; a decoded RGBA buffer has 4 and 1; a grey file read as RGB has ChannelStride 0 (each channel
    /// reads the one plane). The resampler reads any of them, so a decoded buffer needs no copy before it.
    /// </summary>
    internal readonly struct PixelView
    {
        public PixelView(byte[] array, int start, int channels, int height, int width, int rowStride, int pixelStride, int channelStride)
        {
            Array = array;
            Start = start;
            Channels = channels;
            Height = height;
            Width = width;
            RowStride = rowStride;
            PixelStride = pixelStride;
            ChannelStride = channelStride;
        }

        public static PixelView Planar(byte[] bytes, int channels, int height, int width) =>
            new(bytes, 0, channels, height, width, width, 1, height * width);

        public byte[] Array { get; }
        public int Start { get; }
        public int Channels { get; }
        public int Height { get; }
        public int Width { get; }
        public int RowStride { get; }
        public int PixelStride { get; }
        public int ChannelStride { get; }

        public bool IsPlanar => PixelStride == 1 && RowStride == Width && ChannelStride == Height * Width;

        /// <summary>The box at (<paramref name="top"/>, <paramref name="left"/>), which must lie inside.</summary>
        public PixelView Box(int top, int left, int height, int width) =>
            top < 0 || left < 0 || height < 1 || width < 1 || top + height > Height || left + width > Width
                ? throw new ArgumentOutOfRangeException(nameof(top), $"The box {height}x{width} at ({top}, {left}) is not inside a {Height}x{Width} image.")
                : new(Array, Start + top * RowStride + left * PixelStride, Channels, height, width, RowStride, PixelStride, ChannelStride);

        /// <summary>Copies the pixels, channel after channel, row after row, into <paramref name="target"/>.</summary>
        public void CopyPlanar(Span<byte> target)
        {
            int plane = Height * Width;
            for (int c = 0; c < Channels; c++)
                for (int y = 0; y < Height; y++)
                {
                    var row = target.Slice(c * plane + y * Width, Width);
                    int at = Start + c * ChannelStride + y * RowStride;
                    if (PixelStride == 1)
                        Array.AsSpan(at, Width).CopyTo(row);
                    else
                        for (int x = 0; x < Width; x++, at += PixelStride)
                            row[x] = Array[at];
                }
        }

        public byte[] ToPlanar()
        {
            var bytes = new byte[Channels * Height * Width];
            CopyPlanar(bytes);
            return bytes;
        }
    }
}
