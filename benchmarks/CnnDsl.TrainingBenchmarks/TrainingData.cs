using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using CnnDsl.Data;
using static TorchSharp.torch;

namespace CnnDsl.TrainingBenchmarks
{
    /// <summary>
    /// Loads the Fashion-MNIST training split through <see cref="Dataset.FromIdxFolder"/>. If the image file is
    /// truncated, the runtime rightly refuses it; the benchmark then says so and trains on the complete images only,
    /// the same ones the PyTorch script reads. (An earlier shared copy was such a file: one image missing in the middle,
    /// so every later image carried the next image's label. That raises the loss, not the time per step.)
    /// </summary>
    static class TrainingData
    {
        public static Dataset Load(string folder, int images)
        {
            try
            {
                var (train, test) = Dataset.FromIdxFolder(folder, trainLimit: images, testLimit: 1);
                test.Dispose();
                return train;
            }
            catch (InvalidFileException error) when (error.Message.Contains("truncated", StringComparison.Ordinal))
            {
                Console.WriteLine($"Note: Dataset.FromIdxFolder refused the data: {error.Message}");
                var (pixels, count, rows, columns) = ReadCompleteImages(Path.Combine(folder, "train-images-idx3-ubyte.gz"));
                var labels = ReadLabels(Path.Combine(folder, "train-labels-idx1-ubyte.gz"));
                int n = Math.Min(images, Math.Min(count, labels.Length));
                Console.WriteLine($"      Using the {count:N0} complete images it holds; the benchmark trains on {n:N0}.");
                using var bytes = tensor(pixels.AsSpan(0, n * rows * columns).ToArray(), new long[] { n, 1, rows, columns });
                var inputs = bytes.to_type(ScalarType.Float32).div_(255f);
                var targets = tensor(Array.ConvertAll(labels[..n], l => (long)l));
                return new Dataset(inputs, targets);
            }
        }

        /// <summary>The images of an IDX image file, as many complete ones as it holds.</summary>
        static (byte[] Pixels, int Count, int Rows, int Columns) ReadCompleteImages(string path)
        {
            var data = Decompress(path);
            int declared = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4)), rows = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(8));
            int columns = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(12));
            int count = Math.Min(declared, (data.Length - 16) / (rows * columns));
            return (data[16..], count, rows, columns);
        }

        static byte[] ReadLabels(string path)
        {
            var data = Decompress(path);
            int declared = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
            return data[8..(8 + Math.Min(declared, data.Length - 8))];
        }

        static byte[] Decompress(string path)
        {
            using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            using var memory = new MemoryStream();
            gzip.CopyTo(memory);
            return memory.ToArray();
        }
    }
}
