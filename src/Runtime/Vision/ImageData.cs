using System;
using System.IO;
using SkiaSharp;

namespace CnnDsl.Vision
{
    /// <summary>
    /// One decoded image, channels first. Until <see cref="ToTensor"/> has run it is an 8-bit image, as a PIL image is in
    /// torchvision, held as bytes (<see cref="Bytes"/>) and transformed with PIL's rounding; after it, a tensor image of
    /// floats. <see cref="Pixels"/> gives the values in [0, 1] (or normalized) either way.
    /// </summary>
    public sealed class ImageData
    {
        float[]? pixels;

        /// <summary>An image from float values; an 8-bit image (not <paramref name="isTensor"/>) rounds them to 1/255 steps.</summary>
        public ImageData(int channels, int height, int width, float[] pixels, bool isTensor = false)
        {
            Check(channels, height, width, pixels.Length);
            Channels = channels;
            Height = height;
            Width = width;
            IsTensor = isTensor;
            if (isTensor)
                this.pixels = pixels;
            else
                Bytes = Array.ConvertAll(pixels, v => (byte)Math.Clamp((int)MathF.Round(v * 255f), 0, 255));
        }

        /// <summary>An 8-bit image from its bytes, channel after channel, row after row.</summary>
        public ImageData(int channels, int height, int width, byte[] bytes)
        {
            Check(channels, height, width, bytes.Length);
            Channels = channels;
            Height = height;
            Width = width;
            Bytes = bytes;
        }

        // ToTensor of an 8-bit image: the values are bytes / 255, computed when first asked for, so that Normalize can
        // go from the bytes to its result in one pass.
        internal ImageData(ImageData eightBit)
        {
            Channels = eightBit.Channels;
            Height = eightBit.Height;
            Width = eightBit.Width;
            IsTensor = true;
            TensorBytes = eightBit.Bytes;
        }

        /// <summary>For a tensor image made by ToTensor from an 8-bit one, and not changed since: its bytes (values * 255).</summary>
        internal byte[]? TensorBytes { get; }

        static void Check(int channels, int height, int width, int length)
        {
            if (channels < 1 || height < 1 || width < 1 || length != channels * height * width)
                throw new ArgumentException($"An image of {channels}x{height}x{width} needs {channels * height * width} values, not {length}.");
        }

        public int Channels { get; }
        public int Height { get; }
        public int Width { get; }

        /// <summary>The values, channel after channel, row after row: bytes / 255 for an 8-bit image.</summary>
        public float[] Pixels => pixels ??= Array.ConvertAll((Bytes ?? TensorBytes)!, b => b / 255f);

        /// <summary>The bytes of an 8-bit image; null for a tensor image.</summary>
        public byte[]? Bytes { get; }
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
            // A grey file decodes as grey (a quarter of the memory); RGB from it repeats the plane, as PIL's convert("RGB").
            bool grey = codec.Info.ColorType == SKColorType.Gray8;
            var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, grey ? SKColorType.Gray8 : SKColorType.Rgba8888, grey ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
            // Pooled: decoding every image of every epoch would otherwise allocate a large buffer each time.
            var rgba = System.Buffers.ArrayPool<byte>.Shared.Rent(info.BytesSize);
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
            try
            {
                if (result != SKCodecResult.Success)
                    throw new InvalidDataException($"{path} cannot be decoded: the decoder says {result}"
                        + (result == SKCodecResult.IncompleteInput ? " (the file is truncated)." : "."));
                return grey ? FromGrey(rgba, info.Width, info.Height, channels) : FromRgba(rgba, info.Width, info.Height, channels);
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rgba);
            }
        }

        /// <summary>The width and height from the file's header, without decoding its pixels.</summary>
        public static (int Width, int Height) ReadSize(string path)
        {
            using var stream = new SKFileStream(path);
            using var codec = SKCodec.Create(stream, out var opened)
                ?? throw new InvalidDataException($"{path} cannot be decoded as an image: the decoder says {opened} (PNG, JPEG, BMP, GIF and WebP are read).");
            return (codec.Info.Width, codec.Info.Height);
        }

        static ImageData FromGrey(byte[] grey, int width, int height, int channels)
        {
            int plane = width * height;
            var bytes = new byte[channels * plane];
            for (int c = 0; c < channels; c++)
                Array.Copy(grey, 0, bytes, c * plane, plane);
            return new ImageData(channels, height, width, bytes);
        }

        internal static ImageData FromRgba(byte[] rgba, int width, int height, int channels)
        {
            int plane = width * height;
            var bytes = new byte[channels * plane];
            for (int i = 0; i < plane; i++)
            {
                byte r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2];
                if (channels == 3)
                {
                    bytes[i] = r;
                    bytes[plane + i] = g;
                    bytes[2 * plane + i] = b;
                }
                else
                {
                    bytes[i] = (byte)Luma(r, g, b);
                }
            }
            return new ImageData(channels, height, width, bytes);
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
                    rgba[4 * i + c] = Bytes is byte[] bytes ? bytes[(Channels == 3 ? c : 0) * plane + i] : ToByte(Pixels[(Channels == 3 ? c : 0) * plane + i]);
                rgba[4 * i + 3] = 255;
            }
            System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            Weights.AtomicFile.Write(path, stream => data.SaveTo(stream));
        }

        internal static byte ToByte(float value) => (byte)Math.Clamp((int)MathF.Round(value * 255f), 0, 255);
    }
}
