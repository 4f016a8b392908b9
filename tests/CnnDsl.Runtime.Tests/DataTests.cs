using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using CnnDsl.Data;
using Xunit;

namespace CnnDsl.Runtime.Tests;

public class DataTests : IDisposable
{
    static readonly string Shipped = Path.Combine(AppContext.BaseDirectory, "data");
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-data-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Reads_the_shipped_fashion_mnist_files()
    {
        var (pixels, count, rows, columns) = IdxReader.ReadImages(Path.Combine(Shipped, "train-images-idx3-ubyte.gz"));
        Assert.Equal((6000, 28, 28), (count, rows, columns));
        Assert.Equal(6000 * 28 * 28, pixels.Length);
        var labels = IdxReader.ReadLabels(Path.Combine(Shipped, "train-labels-idx1-ubyte.gz"));
        Assert.Equal(6000, labels.Length);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i), labels.Distinct().OrderBy(l => l));

        var (train, test) = Dataset.FromIdxFolder(Shipped);
        using (train)
        using (test)
        {
            Assert.Equal(new long[] { 6000, 1, 28, 28 }, train.Inputs.shape);
            Assert.Equal(1000, test.Count);
            Assert.InRange(train.Inputs.max().item<float>(), 0.99f, 1f);
            Assert.Equal(0f, train.Inputs.min().item<float>());
        }
    }

    [Fact]
    public void Reads_raw_idx_files_too()
    {
        var raw = Path.Combine(folder, "labels");
        File.WriteAllBytes(raw, Decompress(Path.Combine(Shipped, "t10k-labels-idx1-ubyte.gz")));
        Assert.Equal(1000, IdxReader.ReadLabels(raw).Length);
    }

    [Fact]
    public void A_truncated_file_names_the_file_and_the_missing_bytes()
    {
        var bytes = Decompress(Path.Combine(Shipped, "t10k-images-idx3-ubyte.gz"));
        var path = Path.Combine(folder, "truncated-images");
        File.WriteAllBytes(path, bytes[..^100]);
        var error = Assert.Throws<InvalidFileException>(() => IdxReader.ReadImages(path));
        Assert.Equal($"{path} declares 1000 x 28 x 28 = 784000 bytes of images, but holds 783900 (the file is truncated).", error.Message);

        // Asked for, the complete images of a short file are kept, and their labels with them.
        var (_, kept, _, _) = IdxReader.ReadImages(path, keepCompleteImages: true);
        Assert.Equal(999, kept);
        var labels = Path.Combine(folder, "labels");
        File.WriteAllBytes(labels, Decompress(Path.Combine(Shipped, "t10k-labels-idx1-ubyte.gz")));
        using (var partial = Dataset.FromIdx(path, labels, keepCompleteImages: true))
            Assert.Equal(999, partial.Count);
        Assert.Throws<InvalidFileException>(() => Dataset.FromIdx(path, labels));

        File.WriteAllBytes(path, bytes[..10]);
        Assert.Equal($"{path} ends after 10 bytes, inside its 16-byte header.", Assert.Throws<InvalidFileException>(() => IdxReader.ReadImages(path)).Message);

        var gzip = File.ReadAllBytes(Path.Combine(Shipped, "t10k-images-idx3-ubyte.gz"));
        File.WriteAllBytes(path, gzip[..(gzip.Length / 2)]);
        var halfGzip = Assert.Throws<InvalidFileException>(() => IdxReader.ReadImages(path)).Message;
        Assert.StartsWith(path + " ", halfGzip);
        Assert.Contains("truncated", halfGzip);
    }

    [Fact]
    public void Wrong_magic_and_corrupted_dimensions_are_named()
    {
        var labels = Decompress(Path.Combine(Shipped, "t10k-labels-idx1-ubyte.gz"));
        var path = Path.Combine(folder, "labels-as-images");
        File.WriteAllBytes(path, labels);
        Assert.Equal($"{path} is not an IDX images file: its magic number is 0x00000801, expected 0x00000803 (it looks like a labels file).",
            Assert.Throws<InvalidFileException>(() => IdxReader.ReadImages(path)).Message);

        var images = Decompress(Path.Combine(Shipped, "t10k-images-idx3-ubyte.gz"));
        images[11] = 29; // 1000 x 29 x 28 no longer matches the data
        File.WriteAllBytes(path, images);
        Assert.Equal($"{path} declares 1000 x 29 x 28 = 812000 bytes of images, but holds 784000 (the file is truncated).",
            Assert.Throws<InvalidFileException>(() => IdxReader.ReadImages(path)).Message);

        File.WriteAllBytes(path, new byte[] { 0x1f, 0x8b, 1, 2, 3 });
        Assert.Throws<InvalidFileException>(() => IdxReader.ReadLabels(path));
    }

    [Fact]
    public void Cifar10_binary_batches_are_read_and_validated()
    {
        var path = Path.Combine(folder, "data_batch_1.bin");
        var records = new byte[3 * 3073];
        for (int i = 0; i < 3; i++)
        {
            records[i * 3073] = (byte)(i * 4);
            records[i * 3073 + 1 + 1024] = 255; // first green pixel of each image
        }
        File.WriteAllBytes(path, records);
        using var data = Dataset.FromCifar10(path);
        Assert.Equal(new long[] { 3, 3, 32, 32 }, data.Inputs.shape);
        Assert.Equal(new long[] { 0, 4, 8 }, data.Targets.data<long>().ToArray());
        Assert.Equal(1f, data.Inputs[1, 1, 0, 0].item<float>());

        File.WriteAllBytes(path, records[..^5]);
        Assert.Contains("not a whole number of 3073-byte CIFAR-10 records", Assert.Throws<InvalidDataException>(() => Dataset.FromCifar10(path)).Message);
        records[0] = 10;
        File.WriteAllBytes(path, records);
        Assert.Contains("record 0 has label 10", Assert.Throws<InvalidDataException>(() => Dataset.FromCifar10(path)).Message);
    }

    [Theory]
    [InlineData(100, 5)]
    [InlineData(101, 3)]
    [InlineData(7, 7)]
    public void K_fold_validation_sets_partition_the_data(int count, int folds)
    {
        var splits = Dataset.KFoldIndices(count, folds, seed: 3);
        Assert.Equal(folds, splits.Count);
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), splits.SelectMany(s => s.Validation).OrderBy(i => i));
        foreach (var (train, validation) in splits)
        {
            Assert.Empty(train.Intersect(validation));
            Assert.Equal(count, train.Length + validation.Length);
            Assert.InRange(validation.Length, count / folds, count / folds + 1);
        }
    }

    static byte[] Decompress(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        return memory.ToArray();
    }
}
