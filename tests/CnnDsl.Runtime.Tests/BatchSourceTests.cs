using System;
using System.IO;
using System.Linq;
using CnnDsl.Data;
using CnnDsl.Runtime.Tests.Models;
using CnnDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Runtime.Tests;

/// <summary>The batch-source abstraction: views, loaders with workers, and Fit on sources that are not in-memory datasets.</summary>
public class BatchSourceTests
{
    static readonly string Shipped = Path.Combine(AppContext.BaseDirectory, "data");

    static Dataset Train(int count) => Dataset.FromIdx(Path.Combine(Shipped, "train-images-idx3-ubyte.gz"), Path.Combine(Shipped, "train-labels-idx1-ubyte.gz"), count);

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    /// <summary>A source that only answers GetBatch, as a folder of files would: Fit cannot take the in-memory path.</summary>
    sealed class Opaque : IBatchSource
    {
        readonly IBatchSource inner;
        public Opaque(IBatchSource inner) => this.inner = inner;
        public int Batches;
        public long Count => inner.Count;
        public System.Collections.Generic.IReadOnlyList<string>? ClassNames => new[] { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j" };
        public long[]? Labels => inner.Labels;
        public long[]? SampleShape => inner.SampleShape;
        public (Tensor Inputs, Tensor Targets) GetBatch(long[] indices, BatchContext context)
        {
            System.Threading.Interlocked.Increment(ref Batches);
            return inner.GetBatch(indices, context);
        }
    }

    [Fact]
    public void Split_kfold_and_subset_views_hold_the_same_samples_as_the_dataset_copies()
    {
        using var data = Train(100);
        IBatchSource source = data;
        var (train, validation) = source.Split(0.2, seed: 4);
        var (trainCopy, validationCopy) = data.Split(0.2, seed: 4);
        using (trainCopy)
        using (validationCopy)
        {
            Assert.Equal((80L, 20L), (train.Count, validation.Count));
            var all = Enumerable.Range(0, 20).Select(i => (long)i).ToArray();
            var (x, y) = validation.GetBatch(all, BatchContext.Evaluation);
            Assert.True(Same(x, validationCopy.Inputs));
            Assert.True(Same(y, validationCopy.Targets));
            Assert.Equal(validationCopy.Labels, validation.Labels);
        }
        var folds = source.KFold(5, seed: 1).ToList();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)data.Labels![i]).OrderBy(l => l), folds.SelectMany(f => f.Validation.Labels!).OrderBy(l => l));
        var subset = source.Subset(new long[] { 5, 3 });
        Assert.Equal(new[] { data.Labels![5], data.Labels[3] }, subset.Labels);
        Assert.Throws<ArgumentOutOfRangeException>(() => source.Subset(new long[] { 100 }));
    }

    [Fact]
    public void A_loader_with_two_workers_gives_the_batches_of_a_loader_without()
    {
        using var data = Train(230);
        var opaque = new Opaque(data);
        var here = new BatchLoader(opaque, 32, shuffle: true, seed: 9, workers: 0);
        var ahead = new BatchLoader(opaque, 32, shuffle: true, seed: 9, workers: 2);
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            var first = here.Epoch(epoch).Select(b => (b.Inputs.clone(), b.Targets.clone())).ToList();
            var second = ahead.Epoch(epoch).Select(b => (b.Inputs.clone(), b.Targets.clone())).ToList();
            Assert.Equal(8, first.Count);
            Assert.Equal(first.Count, second.Count);
            for (int b = 0; b < first.Count; b++)
            {
                Assert.True(Same(first[b].Item1, second[b].Item1), $"epoch {epoch} batch {b} inputs differ");
                Assert.True(Same(first[b].Item2, second[b].Item2));
            }
        }
        // Epochs are shuffled differently; stopping early leaves no worker running.
        Assert.NotEqual(here.Order(1), here.Order(2));
        foreach (var _ in ahead.Epoch(3).Take(2)) { }
    }

    [Fact]
    public void Fit_on_a_source_read_by_batches_equals_fit_on_the_dataset_and_records_the_data_wait()
    {
        using var data = Train(300);
        var options = new FitOptions { Epochs = 2, BatchSize = 50, Seed = 3, Progress = ProgressMode.None, Device = CPU, ValidationSplit = 0.2 };
        using var direct = CnnModel.Create<TinyCnn>(3);
        var expected = direct.Fit(data, options);
        using var viaSource = CnnModel.Create<TinyCnn>(3);
        var opaque = new Opaque(data);
        var actual = viaSource.Fit(opaque, options with { Workers = 2 });
        Assert.True(opaque.Batches > 0);
        foreach (var (key, value) in direct.state_dict())
            Assert.True(Same(value, viaSource.state_dict()[key]), $"{key} differs");
        Assert.Equal(expected.Loss, actual.Loss);
        Assert.All(actual.Epochs, e => Assert.InRange(e.DataWaitSeconds, 0, e.Seconds));
        Assert.Equal(opaque.ClassNames, viaSource.ClassNames());
        using var probabilities = viaSource.Predict(data.Inputs.narrow(0, 0, 4));
        var expectedNames = probabilities.argmax(1).data<long>().ToArray().Select(i => opaque.ClassNames![(int)i]);
        Assert.Equal(expectedNames, viaSource.PredictClasses(data.Inputs.narrow(0, 0, 4)));
    }
}
