using System;
using System.IO;
using System.IO.Compression;

namespace CnnDsl.Data
{
    /// <summary>
    /// Reads the IDX files MNIST and Fashion-MNIST are published in, gzipped or raw: a big-endian magic number
    /// (0x00000803 for images, 0x00000801 for labels), the dimensions, then one unsigned byte per value.
    /// </summary>
    public static class IdxReader
    {
        public const int ImagesMagic = 0x00000803;
        public const int LabelsMagic = 0x00000801;

        /// <summary>
        /// Reads an image file: N images of rows x columns bytes. A file shorter than its header declares is an error,
        /// unless <paramref name="keepCompleteImages"/> asks for the complete images it holds (Count says how many).
        /// </summary>
        public static (byte[] Pixels, int Count, int Rows, int Columns) ReadImages(string path, bool keepCompleteImages = false)
        {
            var (data, dimensions, offset) = Read(path, ImagesMagic, 3, "images", keepCompleteImages);
            // Read has checked that one image fits in an array, so this product cannot overflow.
            int imageBytes = dimensions[1] * dimensions[2];
            int count = Math.Min(dimensions[0], (data.Length - offset) / imageBytes);
            var pixels = new byte[(long)count * imageBytes];
            Buffer.BlockCopy(data, offset, pixels, 0, pixels.Length);
            return (pixels, count, dimensions[1], dimensions[2]);
        }

        /// <summary>Reads a label file: N labels of one byte.</summary>
        public static byte[] ReadLabels(string path)
        {
            var (data, _, offset) = Read(path, LabelsMagic, 1, "labels");
            return Slice(data, offset);
        }

        static byte[] Slice(byte[] data, int offset)
        {
            var result = new byte[data.Length - offset];
            Buffer.BlockCopy(data, offset, result, 0, result.Length);
            return result;
        }

        static (byte[] Data, int[] Dimensions, int Offset) Read(string path, int magic, int rank, string what, bool allowShort = false)
        {
            byte[] data;
            try
            {
                data = ReadAllBytes(path);
            }
            catch (InvalidDataException exception)
            {
                throw new InvalidFileException(path, $"{path} is not a valid gzip file: {exception.Message}", exception);
            }
            if (data.Length < 4)
                throw new InvalidFileException(path, $"{path} has {data.Length} bytes, too few for an IDX header.");
            int actualMagic = BigEndian(data, 0);
            if (actualMagic != magic)
                throw new InvalidFileException(path, $"{path} is not an IDX {what} file: its magic number is 0x{actualMagic:X8}, expected 0x{magic:X8}"
                    + (actualMagic == (magic == ImagesMagic ? LabelsMagic : ImagesMagic) ? $" (it looks like a {(magic == ImagesMagic ? "labels" : "images")} file)." : "."));
            int headerLength = 4 + 4 * rank;
            if (data.Length < headerLength)
                throw new InvalidFileException(path, $"{path} ends after {data.Length} bytes, inside its {headerLength}-byte header.");
            var dimensions = new int[rank];
            for (int i = 0; i < rank; i++)
            {
                dimensions[i] = BigEndian(data, 4 + 4 * i);
                if (dimensions[i] < 0 || (i > 0 && dimensions[i] == 0))
                    throw new InvalidFileException(path, $"{path} declares dimension {i} as {dimensions[i]}; the file is damaged or not an IDX file.");
            }
            // One sample (an image of rows x columns bytes) must fit in an array; the product of three 31-bit sizes can
            // overflow even a long, so the total is computed in decimal.
            decimal sampleBytes = 1;
            for (int i = 1; i < rank; i++)
                sampleBytes *= dimensions[i];
            if (sampleBytes > Array.MaxLength)
                throw new InvalidFileException(path, $"{path} declares {what} of {string.Join(" x ", dimensions[1..])} = {sampleBytes} bytes each, "
                    + $"more than the {Array.MaxLength} an array can hold; the file is damaged or not an IDX file.");
            decimal expected = sampleBytes * dimensions[0];
            long actual = data.Length - headerLength;
            if (actual != expected && !(allowShort && actual < expected))
                throw new InvalidFileException(path, $"{path} declares {string.Join(" x ", dimensions)} = {expected} bytes of {what}, but holds {actual}"
                    + (actual < expected ? " (the file is truncated)." : "."));
            return (data, dimensions, headerLength);
        }

        static byte[] ReadAllBytes(string path)
        {
            using var file = File.OpenRead(path);
            var head = new byte[2];
            int read = file.Read(head, 0, 2);
            file.Position = 0;
            using var memory = new MemoryStream();
            if (read == 2 && head[0] == 0x1f && head[1] == 0x8b)
            {
                using var gzip = new GZipStream(file, CompressionMode.Decompress);
                CopyBounded(gzip, memory, path, "decompresses to");
            }
            else
            {
                CopyBounded(file, memory, path, "holds");
            }
            return memory.ToArray();
        }

        // An array, and so the file in memory, holds at most Array.MaxLength bytes: more than any real IDX file.
        static void CopyBounded(Stream source, MemoryStream destination, string path, string verb)
        {
            var buffer = new byte[81920];
            int read;
            while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (destination.Length + read > Array.MaxLength)
                    throw new InvalidFileException(path, $"{path} {verb} more than {Array.MaxLength} bytes, more than an IDX file read into memory may hold.");
                destination.Write(buffer, 0, read);
            }
        }

        static int BigEndian(byte[] data, int offset) =>
            (data[offset] << 24) | (data[offset + 1] << 16) | (data[offset + 2] << 8) | data[offset + 3];
    }
}
