using System;
using System.IO;
using System.Linq;
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
        public static ImageData Decode(string path, int channels = 3) =>
            Decode(path, channels, null, image => new ImageData(image.Channels, image.Height, image.Width, image.ToPlanar()));

        /// <summary>
        /// Decodes the box that <paramref name="chooseBox"/> picks from the image's (height, width), read from the header
        /// before any pixel, and hands it to <paramref name="use"/> as a view that is valid only during the call (its
        /// memory is pooled). The box has the same pixels as a full decode then a crop. A JPEG decodes only the box's rows
        /// and (up to the next block boundary) its columns, which is what makes a random resized crop cheap; other
        /// formats decode whole. Without <paramref name="chooseBox"/> the box is the whole image.
        /// </summary>
        internal static T Decode<T>(string path, int channels, Func<int, int, (int Top, int Left, int Height, int Width)>? chooseBox, Func<PixelView, T> use)
        {
            CheckChannels(channels);
            var pool = System.Buffers.ArrayPool<byte>.Shared;
            // Pooled buffers throughout: a loader decodes every image of every epoch, and fresh large arrays each time
            // would keep the garbage collector busy on all threads.
            var (file, fileLength) = ReadFile(path, pool);
            try
            {
                return Decode(file, fileLength, path, channels, DefaultMaxPixels, chooseBox, use);
            }
            finally
            {
                pool.Return(file);
            }
        }

        /// <summary>
        /// The most pixels an image may declare before it is decoded: PIL's limit for a decompression bomb (twice its
        /// warning at 89,478,485), so a file that declares an absurd size is an error, not an allocation of gigabytes.
        /// </summary>
        public const long DefaultMaxPixels = 178_956_970;

        /// <summary>
        /// Decodes an encoded image held in memory (an upload, a resource) as <see cref="Decode(string, int)"/> decodes a
        /// file. <paramref name="source"/> names it in errors. An image that declares more than <paramref name="maxPixels"/>
        /// pixels is an <see cref="InvalidDataException"/> before any pixel is decoded.
        /// </summary>
        public static ImageData Decode(byte[] encoded, string source, int channels = 3, long maxPixels = DefaultMaxPixels)
        {
            if (encoded == null)
                throw new ArgumentNullException(nameof(encoded));
            CheckChannels(channels);
            return Decode(encoded, encoded.Length, source, channels, maxPixels, null, image => new ImageData(image.Channels, image.Height, image.Width, image.ToPlanar()));
        }

        static void CheckChannels(int channels)
        {
            if (channels != 1 && channels != 3)
                throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channels must be 1 (grey) or 3 (RGB).");
        }

        static T Decode<T>(byte[] file, int fileLength, string path, int channels, long maxPixels,
            Func<int, int, (int Top, int Left, int Height, int Width)>? chooseBox, Func<PixelView, T> use)
        {
            var pool = System.Buffers.ArrayPool<byte>.Shared;
            byte[]? pixels = null, luma = null;
            try
            {
                using var data = SKData.CreateCopy(file.AsSpan(0, fileLength));
                using var stream = new SKMemoryStream(data);
                using var codec = SKCodec.Create(stream, out var opened)
                    ?? throw new InvalidDataException($"{path} cannot be decoded as an image: the decoder says {opened} ({fileLength} bytes; PNG, JPEG, BMP, GIF and WebP are read).");
                int fullWidth = codec.Info.Width, fullHeight = codec.Info.Height;
                if ((long)fullWidth * fullHeight > maxPixels)
                    throw new InvalidDataException($"{path} declares {fullWidth}x{fullHeight} = {(long)fullWidth * fullHeight:N0} pixels, more than the limit of {maxPixels:N0}; "
                        + "it is not decoded (a decompression bomb, or an image to shrink before use).");
                var box = chooseBox?.Invoke(fullHeight, fullWidth) ?? (0, 0, fullHeight, fullWidth);
                if (box.Top < 0 || box.Left < 0 || box.Height < 1 || box.Width < 1 || box.Top + box.Height > fullHeight || box.Left + box.Width > fullWidth)
                    throw new ArgumentOutOfRangeException(nameof(chooseBox), $"The box {box.Height}x{box.Width} at ({box.Top}, {box.Left}) is not inside {path} ({fullHeight}x{fullWidth}).");
                // A JPEG without its end marker is decoded whole, so that a truncated file is an error whatever box is
                // drawn, as in a full decode (a box above the missing part would decode fine).
                bool partial = (box.Height < fullHeight || box.Width < fullWidth) && codec.EncodedFormat == SKEncodedImageFormat.Jpeg
                    && EndsWithJpegEndMarker(file.AsSpan(0, fileLength));
                var (top, left, height, width) = (0, 0, fullHeight, fullWidth);
                if (partial)
                {
                    // libjpeg crops columns at block boundaries, and the chroma upsampling of the crop's edge columns
                    // differs from a full decode's: decode one widest block (4 x 8 px for 4:1:1) more on each side and
                    // drop it. Skipped rows decode exactly.
                    left = Math.Max(0, box.Left - JpegBlockMargin);
                    width = Math.Min(fullWidth, box.Left + box.Width + JpegBlockMargin) - left;
                    (top, height) = (box.Top, box.Height);
                }
                // A grey file decodes as grey (a quarter of the memory); RGB from it repeats the plane, as PIL's convert("RGB").
                bool grey = codec.Info.ColorType == SKColorType.Gray8;
                var info = new SKImageInfo(fullWidth, fullHeight, grey ? SKColorType.Gray8 : SKColorType.Rgba8888, grey ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
                int pixelBytes = info.BytesPerPixel, rowBytes = width * pixelBytes;
                pixels = pool.Rent(rowBytes * height);
                var pinned = System.Runtime.InteropServices.GCHandle.Alloc(pixels, System.Runtime.InteropServices.GCHandleType.Pinned);
                SKCodecResult result;
                try
                {
                    result = partial
                        ? DecodeRows(codec, info, top, left, height, width, pinned.AddrOfPinnedObject(), rowBytes)
                        : codec.GetPixels(info, pinned.AddrOfPinnedObject());
                }
                finally
                {
                    pinned.Free();
                }
                if (result != SKCodecResult.Success)
                    throw new InvalidDataException($"{path} cannot be decoded: the decoder says {result}"
                        + (result == SKCodecResult.IncompleteInput ? " (the file is truncated)." : "."));
                int start = (box.Top - top) * rowBytes + (box.Left - left) * pixelBytes;
                PixelView view;
                if (grey)
                    view = new PixelView(pixels, start, channels, box.Height, box.Width, rowBytes, 1, 0);
                else if (channels == 3)
                    view = new PixelView(pixels, start, 3, box.Height, box.Width, rowBytes, 4, 1);
                else
                {
                    // PIL converts to grey (its luma weights) before any transform.
                    luma = pool.Rent(box.Height * box.Width);
                    for (int y = 0; y < box.Height; y++)
                        for (int x = 0, at = start + y * rowBytes; x < box.Width; x++, at += 4)
                            luma[y * box.Width + x] = (byte)Luma(pixels[at], pixels[at + 1], pixels[at + 2]);
                    view = new PixelView(luma, 0, 1, box.Height, box.Width, box.Width, 1, 0);
                }
                return use(view);
            }
            finally
            {
                if (pixels != null)
                    pool.Return(pixels);
                if (luma != null)
                    pool.Return(luma);
            }
        }

        // The whole file into a pooled buffer: (buffer, length).
        static (byte[] Buffer, int Length) ReadFile(string path, System.Buffers.ArrayPool<byte> pool)
        {
            try
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
                if (file.Length > int.MaxValue)
                    throw new InvalidDataException($"{path} is {file.Length:N0} bytes, too large for an image file.");
                int length = (int)file.Length;
                var buffer = pool.Rent(Math.Max(1, length));
                int read = 0;
                while (read < length)
                {
                    int n = file.Read(buffer, read, length - read);
                    if (n == 0)
                        break;
                    read += n;
                }
                return (buffer, read);
            }
            catch (Exception exception) when (exception is IOException || exception is UnauthorizedAccessException)
            {
                throw new InvalidDataException($"{path} cannot be read: {exception.Message}", exception);
            }
        }

        const int JpegBlockMargin = 32;

        // The end-of-image marker (FF D9) among the file's last bytes (encoders may pad after it).
        static bool EndsWithJpegEndMarker(ReadOnlySpan<byte> file)
        {
            var tail = file.Slice(Math.Max(0, file.Length - 64));
            for (int i = tail.Length - 2; i >= 0; i--)
                if (tail[i] == 0xFF && tail[i + 1] == 0xD9)
                    return true;
            return false;
        }

        // The box's rows through libjpeg's scanline decoder: rows above it are skipped, columns outside it cropped.
        static SKCodecResult DecodeRows(SKCodec codec, SKImageInfo info, int top, int left, int height, int width, IntPtr target, int rowBytes)
        {
            var start = codec.StartScanlineDecode(info, new SKCodecOptions(new SKRectI(left, 0, left + width, info.Height)));
            if (start != SKCodecResult.Success)
                return start;
            if (top > 0 && !codec.SkipScanlines(top))
                return SKCodecResult.IncompleteInput;
            return codec.GetScanlines(target, height, rowBytes) == height ? SKCodecResult.Success : SKCodecResult.IncompleteInput;
        }

        /// <summary>
        /// The width and height from the file's header, after checking that the file ends as its format ends (PNG's
        /// <c>IEND</c> chunk, JPEG's end marker, GIF's trailer, the sizes BMP and WebP declare): cheap, and it finds a
        /// truncated file when a folder is opened rather than in the middle of training.
        /// </summary>
        public static (int Width, int Height) ReadCheckedSize(string path)
        {
            var size = ReadSize(path);
            string? problem;
            try
            {
                problem = EndProblem(path);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new InvalidDataException($"{path} cannot be read: {exception.Message}", exception);
            }
            if (problem != null)
                throw new InvalidDataException($"{path} is truncated or damaged: {problem}; its header says {size.Width}x{size.Height}, but the rest of the image is missing.");
            return size;
        }

        static readonly byte[] PngEnd = { 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82 };

        // What is wrong with the file's end for its format, or null; formats not recognised here are left to the decoder.
        static string? EndProblem(string path)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
            long length = file.Length;
            var head = new byte[Math.Min(16, length)];
            file.ReadExactly(head);
            var tail = new byte[Math.Min(64, length)];
            file.Seek(length - tail.Length, SeekOrigin.Begin);
            file.ReadExactly(tail);
            bool Starts(params byte[] magic) => head.Length >= magic.Length && head.AsSpan(0, magic.Length).SequenceEqual(magic);
            if (Starts(0x89, 0x50, 0x4E, 0x47))
                return tail.AsSpan().IndexOf(PngEnd) < 0 ? "no IEND chunk at its end" : null;
            if (Starts(0xFF, 0xD8))
                return EndsWithJpegEndMarker(tail) ? null : "no JPEG end-of-image marker (FF D9) at its end";
            if (Starts(0x47, 0x49, 0x46))
                return Array.LastIndexOf(tail, (byte)0x3B) < 0 ? "no GIF trailer (3B) at its end" : null;
            if (Starts(0x42, 0x4D) && head.Length >= 6)
            {
                long declared = BitConverter.ToUInt32(head, 2);
                return declared > length ? $"its header declares {declared:N0} bytes, the file has {length:N0}" : null;
            }
            if (Starts(0x52, 0x49, 0x46, 0x46) && head.Length >= 12 && head[8] == 0x57 && head[9] == 0x45 && head[10] == 0x42 && head[11] == 0x50)
            {
                long declared = BitConverter.ToUInt32(head, 4) + 8L;
                return declared > length ? $"its header declares {declared:N0} bytes, the file has {length:N0}" : null;
            }
            return null;
        }

        /// <summary>The width and height from the file's header, without decoding its pixels.</summary>
        public static (int Width, int Height) ReadSize(string path)
        {
            using var stream = new SKFileStream(path);
            using var codec = SKCodec.Create(stream, out var opened)
                ?? throw new InvalidDataException($"{path} cannot be decoded as an image: the decoder says {opened} (PNG, JPEG, BMP, GIF and WebP are read).");
            return (codec.Info.Width, codec.Info.Height);
        }

        // PIL's convert("L"): ITU-R 601-2 luma in 16-bit fixed point, rounded.
        internal static int Luma(int r, int g, int b) => (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;

        /// <summary>
        /// Writes the image as an 8-bit PNG (grey or RGB), values in [0, 1] rounded. A normalised image is un-normalised
        /// with <paramref name="normalization"/> first; values outside [0, 1] without it are an error, not a clamped picture.
        /// </summary>
        public void SavePng(string path, Normalize? normalization = null)
        {
            if (Channels != 1 && Channels != 3)
                throw new InvalidOperationException($"Only grey or RGB images can be saved as PNG, not {Channels} channels.");
            if (normalization != null && normalization.Mean.Length != Channels)
                throw new ArgumentException($"The normalisation has {normalization.Mean.Length} channels, the image {Channels}.", nameof(normalization));
            int plane = Width * Height;
            float[]? values = null;
            if (Bytes == null)
            {
                values = (normalization == null ? this : normalization.Inverse().Apply(this, new Random(0))).Pixels;
                float low = values.Min(), high = values.Max();
                // A rounding step either side is allowed; anything further is a normalised image, which clamping would darken and tint.
                if (low < -0.01f || high > 1.01f)
                    throw new ArgumentException($"Cannot save {path}: the image has values from {low:0.###} to {high:0.###}, not in [0, 1]; "
                        + (normalization == null ? "pass the normalisation it went through (normalization: ...) to undo it." : "the normalisation given does not undo its own."), nameof(normalization));
            }
            using var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            var rgba = new byte[Width * Height * 4];
            for (int i = 0; i < plane; i++)
            {
                for (int c = 0; c < 3; c++)
                    rgba[4 * i + c] = Bytes is byte[] bytes ? bytes[(Channels == 3 ? c : 0) * plane + i] : ToByte(values![(Channels == 3 ? c : 0) * plane + i]);
                rgba[4 * i + 3] = 255;
            }
            System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            Weights.AtomicFile.Write(path, stream => data.SaveTo(stream));
        }

        internal static byte ToByte(float value) => (byte)Math.Clamp((int)MathF.Round(value * 255f), 0, 255);
    }
}
