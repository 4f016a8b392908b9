using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace CnnDsl.Data
{
    /// <summary>Splits, K-fold and subsets of any batch source, as views that copy and decode nothing.</summary>
    public static class BatchSources
    {
        /// <summary>The samples at <paramref name="indices"/> of <paramref name="source"/>, in that order.</summary>
        public static IBatchSource Subset(this IBatchSource source, long[] indices)
        {
            foreach (var index in indices)
                if (index < 0 || index >= source.Count)
                    throw new ArgumentOutOfRangeException(nameof(indices), index, $"Index {index} is outside the source's {source.Count} samples.");
            return new SubsetSource(source, indices);
        }

        /// <summary>Splits off the last <paramref name="fraction"/> of a seeded shuffle as validation data (as <see cref="Dataset.Split"/>).</summary>
        public static (IBatchSource Train, IBatchSource Validation) Split(this IBatchSource source, double fraction, int seed = 0)
        {
            if (fraction <= 0 || fraction >= 1)
                throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The validation fraction must be between 0 and 1.");
            var order = Dataset.Shuffled(source.Count, seed);
            long validation = (long)Math.Round(source.Count * fraction);
            return (new SubsetSource(source, order.Take((int)(source.Count - validation)).ToArray()),
                    new SubsetSource(source, order.Skip((int)(source.Count - validation)).ToArray()));
        }

        /// <summary>K-fold cross-validation: every sample is in exactly one validation fold.</summary>
        public static IEnumerable<(IBatchSource Train, IBatchSource Validation)> KFold(this IBatchSource source, int folds, int seed = 0)
        {
            foreach (var (train, validation) in Dataset.KFoldIndices(source.Count, folds, seed))
                yield return (new SubsetSource(source, train), new SubsetSource(source, validation));
        }

        sealed class SubsetSource : IBatchSource
        {
            readonly IBatchSource parent;
            readonly long[] indices;
            long[]? labels;

            public SubsetSource(IBatchSource parent, long[] indices)
            {
                this.parent = parent;
                this.indices = indices;
            }

            public long Count => indices.LongLength;
            public IReadOnlyList<string>? ClassNames => parent.ClassNames;
            public Vision.Normalize? Normalization => parent.Normalization;
            public Vision.Transform? EvaluationTransform => parent.EvaluationTransform;
            public long[]? SampleShape => parent.SampleShape;
            public long[]? Labels => labels ??= parent.Labels is long[] all ? indices.Select(i => all[i]).ToArray() : null;

            // Indices map to the parent's, so a sample's random augmentation is the same whichever view reads it.
            public (Tensor Inputs, Tensor Targets) GetBatch(long[] batch, BatchContext context) =>
                parent.GetBatch(batch.Select(i => indices[i]).ToArray(), context);
        }
    }
}
