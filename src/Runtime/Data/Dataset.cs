using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Data
{
    /// <summary>
    /// Samples and labels held as two tensors: images as float32 (N, C, H, W) in [0, 1] (or normalized), labels as
    /// int64 class indices (or any target tensor). Decoding happens once; batches are slices or index selections.
    /// </summary>
    public sealed class Dataset : IBatchSource, IDisposable
    {
        long[]? labels;

        public Dataset(Tensor inputs, Tensor targets)
        {
            if (inputs.shape[0] != targets.shape[0])
                throw new ArgumentException($"The dataset has {inputs.shape[0]} inputs but {targets.shape[0]} targets.");
            Inputs = inputs;
            Targets = targets;
        }

        public Tensor Inputs { get; }
        public Tensor Targets { get; }
        public long Count => Inputs.shape[0];

        /// <summary>The class names, in class-index order, when known (e.g. for plots and <c>PredictClasses</c>).</summary>
        public IReadOnlyList<string>? ClassNames { get; init; }

        /// <summary>The class indices when the targets are class indices (int64, one per sample), else null.</summary>
        public long[]? Labels => labels ??= Targets.dtype == ScalarType.Int64 && Targets.dim() == 1 ? Targets.data<long>().ToArray() : null;

        public long[]? SampleShape => Inputs.shape.Skip(1).ToArray();

        /// <summary>An index selection of the inputs and targets.</summary>
        public (Tensor Inputs, Tensor Targets) GetBatch(long[] indices, BatchContext context)
        {
            using var index = tensor(indices, device: Inputs.device);
            return (Inputs.index_select(0, index), Targets.index_select(0, index));
        }

        /// <summary>Loads an MNIST or Fashion-MNIST split from its IDX image and label files (gzipped or raw).</summary>
        /// <param name="imagesPath">The images file (<c>*-images-idx3-ubyte</c>, gzipped or raw).</param>
        /// <param name="labelsPath">The labels file (<c>*-labels-idx1-ubyte</c>).</param>
        /// <param name="limit">Read at most this many samples.</param>
        /// <param name="keepCompleteImages">
        /// For an image file cut short: keep its complete images (and their labels) instead of failing, with a warning
        /// on standard error naming the file and how many images it lacks.
        /// </param>
        public static Dataset FromIdx(string imagesPath, string labelsPath, int? limit = null, bool keepCompleteImages = false)
        {
            TorchRuntime.EnsureLoaded();
            var (pixels, count, rows, columns) = IdxReader.ReadImages(imagesPath, keepCompleteImages);
            var labels = IdxReader.ReadLabels(labelsPath);
            if (keepCompleteImages && count < labels.Length)
            {
                // Pairing the first N images with the first N labels is right only when the bytes are missing at the end;
                // a copy that lost one image in the middle pairs every later image with the next image's label.
                Console.Error.WriteLine($"warning: {imagesPath} holds {count} complete images but {labelsPath} has {labels.Length} labels; using the first {count}. "
                    + "If the missing bytes are not at the end of the file, every image after the gap is paired with the wrong label.");
                labels = labels.AsSpan(0, count).ToArray();
            }
            if (labels.Length != count)
                throw new InvalidDataException($"{imagesPath} holds {count} images but {labelsPath} holds {labels.Length} labels.");
            int n = Math.Min(count, limit ?? count);
            using var bytes = tensor(pixels.AsSpan(0, n * rows * columns).ToArray(), new long[] { n, 1, rows, columns });
            var images = bytes.to_type(ScalarType.Float32).div_(255f);
            var targets = tensor(labels.Take(n).Select(l => (long)l).ToArray());
            return new Dataset(images, targets);
        }

        /// <summary>Loads a standard folder: train-images-idx3-ubyte(.gz) and friends, as published.</summary>
        public static (Dataset Train, Dataset Test) FromIdxFolder(string folder, int? trainLimit = null, int? testLimit = null, bool keepCompleteImages = false)
        {
            string Find(string stem) => new[] { stem + ".gz", stem }.Select(f => Path.Combine(folder, f)).FirstOrDefault(File.Exists)
                ?? throw new FileNotFoundException($"{folder} has no {stem}(.gz); it should hold the four IDX files of MNIST or Fashion-MNIST.");
            return (FromIdx(Find("train-images-idx3-ubyte"), Find("train-labels-idx1-ubyte"), trainLimit, keepCompleteImages),
                    FromIdx(Find("t10k-images-idx3-ubyte"), Find("t10k-labels-idx1-ubyte"), testLimit, keepCompleteImages));
        }

        /// <summary>Loads CIFAR-10 binary batches: records of 1 label byte and 3,072 pixel bytes (3x32x32, channels first).</summary>
        public static Dataset FromCifar10(params string[] batchPaths)
        {
            TorchRuntime.EnsureLoaded();
            const int record = 1 + 3 * 32 * 32;
            var files = batchPaths.Select(path => (Path: path, Data: File.ReadAllBytes(path))).ToList();
            foreach (var (path, data) in files)
                if (data.Length == 0 || data.Length % record != 0)
                    throw new InvalidDataException($"{path} has {data.Length} bytes, not a whole number of {record}-byte CIFAR-10 records "
                        + $"({data.Length / record} whole records and {data.Length % record} bytes over; the file is truncated or not CIFAR-10).");
            int total = files.Sum(f => f.Data.Length / record);
            var pixels = new byte[(long)total * (record - 1)];
            var labels = new long[total];
            int n = 0;
            foreach (var (path, data) in files)
            {
                for (int offset = 0; offset < data.Length; offset += record, n++)
                {
                    if (data[offset] > 9)
                        throw new InvalidDataException($"{path}: record {offset / record} has label {data[offset]}; CIFAR-10 labels are 0 to 9.");
                    labels[n] = data[offset];
                    Buffer.BlockCopy(data, offset + 1, pixels, n * (record - 1), record - 1);
                }
            }
            using var bytes = tensor(pixels, new long[] { total, 3, 32, 32 });
            return new Dataset(bytes.to_type(ScalarType.Float32).div_(255f), tensor(labels));
        }

        /// <summary>The mean and standard deviation of every channel of the inputs, for <see cref="Normalize"/>.</summary>
        public (float[] Mean, float[] Std) ChannelStatistics()
        {
            using var scope = NewDisposeScope();
            var dims = new long[] { 0 }.Concat(Enumerable.Range(2, (int)Inputs.dim() - 2).Select(d => (long)d)).ToArray();
            return (Inputs.mean(dims).data<float>().ToArray(), Inputs.std(dims).data<float>().ToArray());
        }

        /// <summary>
        /// The data in batches of <paramref name="batchSize"/>: slices in order, or index selections of a seeded shuffle.
        /// The caller owns (disposes) each batch's tensors, e.g. inside a <c>torch.NewDisposeScope()</c>.
        /// </summary>
        public IEnumerable<(Tensor Inputs, Tensor Targets)> Batches(int batchSize, bool shuffle = false, int seed = 0)
        {
            if (batchSize < 1)
                throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
            using var order = shuffle ? tensor(Shuffled(Count, seed)) : null;
            for (long start = 0; start < Count; start += batchSize)
            {
                long size = Math.Min(batchSize, Count - start);
                if (order is null)
                {
                    yield return (Inputs.narrow(0, start, size), Targets.narrow(0, start, size));
                }
                else
                {
                    using var indices = order.narrow(0, start, size);
                    yield return (Inputs.index_select(0, indices), Targets.index_select(0, indices));
                }
            }
        }

        /// <summary>
        /// Standardizes every channel with the given mean and standard deviation, in place, and records it
        /// (<see cref="Normalization"/>): a model fitted on the data keeps it in its facts, and pictures undo it.
        /// </summary>
        public Dataset Normalize(float[] mean, float[] std)
        {
            var step = new Vision.Normalize(mean, std);
            using var m = tensor(mean).reshape(1, -1, 1, 1);
            using var s = tensor(std).reshape(1, -1, 1, 1);
            Inputs.sub_(m).div_(s);
            // Normalising twice is one normalisation: ((x - m1) / s1 - m2) / s2 = (x - (m1 + m2 s1)) / (s1 s2).
            Normalization = Normalization is { } first
                ? new Vision.Normalize(first.Mean.Select((m1, i) => m1 + mean[i] * first.Std[i]).ToArray(), first.Std.Select((s1, i) => s1 * std[i]).ToArray())
                : step;
            return this;
        }

        /// <summary>The normalisation <see cref="Normalize"/> applied to the inputs, or null.</summary>
        public Vision.Normalize? Normalization { get; private set; }

        /// <summary>The samples at <paramref name="indices"/>, as a new dataset.</summary>
        public Dataset Subset(long[] indices)
        {
            using var index = tensor(indices);
            return new Dataset(Inputs.index_select(0, index), Targets.index_select(0, index)) { Normalization = Normalization, ClassNames = ClassNames };
        }

        /// <summary>Splits off the last <paramref name="fraction"/> of a seeded shuffle as validation data, as Keras' validation_split does without the shuffle.</summary>
        public (Dataset Train, Dataset Validation) Split(double fraction, int seed = 0)
        {
            if (fraction <= 0 || fraction >= 1)
                throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The validation fraction must be between 0 and 1.");
            var order = Shuffled(Count, seed);
            long validation = (long)Math.Round(Count * fraction);
            return (Subset(order.Take((int)(Count - validation)).ToArray()), Subset(order.Skip((int)(Count - validation)).ToArray()));
        }

        /// <summary>K-fold cross-validation: every sample is in exactly one validation fold.</summary>
        public IEnumerable<(Dataset Train, Dataset Validation)> KFold(int folds, int seed = 0)
        {
            foreach (var (train, validation) in KFoldIndices(Count, folds, seed))
                yield return (Subset(train), Subset(validation));
        }

        public static IReadOnlyList<(long[] Train, long[] Validation)> KFoldIndices(long count, int folds, int seed = 0)
        {
            if (folds < 2 || folds > count)
                throw new ArgumentOutOfRangeException(nameof(folds), folds, $"K-fold needs between 2 and {count} folds.");
            var order = Shuffled(count, seed);
            var result = new List<(long[], long[])>();
            for (int k = 0; k < folds; k++)
            {
                long start = count * k / folds, end = count * (k + 1) / folds;
                result.Add((order.Take((int)start).Concat(order.Skip((int)end)).ToArray(), order.Skip((int)start).Take((int)(end - start)).ToArray()));
            }
            return result;
        }

        internal static long[] Shuffled(long count, int seed)
        {
            var order = Enumerable.Range(0, (int)count).Select(i => (long)i).ToArray();
            var random = new Random(seed);
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            return order;
        }

        public void Dispose()
        {
            Inputs.Dispose();
            Targets.Dispose();
        }
    }
}
