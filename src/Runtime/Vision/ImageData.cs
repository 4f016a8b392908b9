using System;
using System.IO;
using SkiaSharp;

namespace CnnDsl.Vision
{
    /// <summary>
    /// One decoded image: channels-first float pixels in [0, 1]. Until <see cref="ToTensor"/> has run it stands for an
    /// 8-bit image, as a PIL image does in torchvision: its values lie on the 1/255 grid and transforms round as PIL does.
    /// </summary>
    public sealed class ImageData
    {
        public ImageData(int channels, int height, int width, float[] pixels, bool isTensor = false)
        {
            if (channels < 1 || height < 1 || width < 1 || pixels.Length != channels * height * width)
                throw new ArgumentException($"An image of {channels}x{height}x{width} needs {channels * height * width} pixels, not {pixels.Length}.");
            Channels = channels;
            Height = height;
            Width = width;
            Pixels = pixels;
            IsTensor = isTensor;
        }

        public int Channels { get; }
        public int Height { get; }
        public int Width { get; }
        /// <summary>Channel after channel, row after row.</summary>
        public float[] Pixels { get; }
        /// <summary>True once <see cref="ToTensor"/> has run: then transforms compute in floats, as on torchvision's tensors.</summary>
        public bool IsTensor { get; }

        public float this[int channel, int y, int x] => Pixels[(channel * Height + y) * Width + x];

        /// <summary>
        /// Decodes a PNG, JPEG, BMP, GIF (first frame) or WebP file with SkiaSharp, as RGB (3 channels; alpha is dropped,
        /// as PIL's convert("RGB") does) or grey (1 channel, PIL's luma weights). An unreadable file is an
        /// <see cref="InvalidDataException"/> naming the file and the decoder's complaint.
        /// </summary>
        public static ImageData Decode(string path, int channels = 3)
        {
            if (channels != 1 && channels != 3)
                throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channels must be 1 (grey) or 3 (RGB).");
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (Exception exception) when (exception is IOException || exception is UnauthorizedAccessException)
            {
                throw new InvalidDataException($"{path} cannot be read: {exception.Message}", exception);
            }
            using var stream = new SKMemoryStream(bytes);
            using var codec = SKCodec.Create(stream, out var opened)
                ?? throw new InvalidDataException($"{path} cannot be decoded as an image: the decoder says {opened} ({bytes.Length} bytes; PNG, JPEG, BMP, GIF and WebP are read).");
            var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
            var rgba = new byte[info.BytesSize];
            SKCodecResult result;
            var pinned = System.Runtime.InteropServices.GCHandle.Alloc(rgba, System.Runtime.InteropServices.GCHandleType.Pinned);
            try
            {
                result = codec.GetPixels(info, pinned.AddrOfPinnedObject());
            }
            finally
            {
                pinned.Free();
            }
            if (result != SKCodecResult.Success)
                throw new InvalidDataException($"{path} cannot be decoded: the decoder says {result}"
                    + (result == SKCodecResult.IncompleteInput ? " (the file is truncated)." : "."));
            return FromRgba(rgba, info.Width, info.Height, channels);
        }

        /// <summary>The width and height from the file's header, without decoding its pixels.</summary>
        public static (int Width, int Height) ReadSize(string path)
        {
            using var stream = new SKFileStream(path);
            using var codec = SKCodec.Create(stream, out var opened)
                ?? throw new InvalidDataException($"{path} cannot be decoded as an image: the decoder says {opened} (PNG, JPEG, BMP, GIF and WebP are read).");
            return (codec.Info.Width, codec.Info.Height);
        }

        internal static ImageData FromRgba(byte[] rgba, int width, int height, int channels)
        {
            int plane = width * height;
            var pixels = new float[channels * plane];
            for (int i = 0; i < plane; i++)
            {
                byte r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2];
                if (channels == 3)
                {
                    pixels[i] = r / 255f;
                    pixels[plane + i] = g / 255f;
                    pixels[2 * plane + i] = b / 255f;
                }
                else
                {
                    pixels[i] = Luma(r, g, b) / 255f;
                }
            }
            return new ImageData(channels, height, width, pixels);
        }

        // PIL's convert("L"): ITU-R 601-2 luma in 16-bit fixed point, rounded.
        internal static int Luma(int r, int g, int b) => (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;

        /// <summary>Writes the image as an 8-bit PNG (grey or RGB); values are clamped to [0, 1] and rounded.</summary>
        public void SavePng(string path)
        {
            if (Channels != 1 && Channels != 3)
                throw new InvalidOperationException($"Only grey or RGB images can be saved as PNG, not {Channels} channels.");
            using var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            var rgba = new byte[Width * Height * 4];
            int plane = Width * Height;
            for (int i = 0; i < plane; i++)
            {
                for (int c = 0; c < 3; c++)
                    rgba[4 * i + c] = ToByte(Pixels[(Channels == 3 ? c : 0) * plane + i]);
                rgba[4 * i + 3] = 255;
            }
            System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            Weights.AtomicFile.Write(path, stream => data.SaveTo(stream));
        }

        internal static byte ToByte(float value) => (byte)Math.Clamp((int)MathF.Round(value * 255f), 0, 255);
    }
}
