using System.Collections.Generic;
using static TorchSharp.torch;

namespace CnnDsl.Data
{
    /// <summary>Why a batch is asked for: training batches get random augmentation, evaluation batches never do.</summary>
    /// <param name="Training">True for training steps; false for validation, evaluation and prediction.</param>
    /// <param name="Seed">The run's seed; random transforms of a sample are a function of it, the epoch and the sample.</param>
    /// <param name="Epoch">The epoch (from 1), so that random transforms differ from epoch to epoch.</param>
    public readonly record struct BatchContext(bool Training, int Seed, int Epoch)
    {
        public static BatchContext Evaluation => new(false, 0, 0);
    }

    /// <summary>
    /// Samples that <c>Fit</c>, <c>Evaluate</c> and the loaders read in batches: decoded tensors in memory
    /// (<see cref="Dataset"/>), files decoded per batch (<see cref="ImageFolder"/>), or a subset of either.
    /// Splits, K-fold and subsets are views (<see cref="BatchSources"/>), so no data is copied or decoded to make them.
    /// </summary>
    public interface IBatchSource
    {
        /// <summary>The number of samples.</summary>
        long Count { get; }

        /// <summary>The class names, in class-index order, when the source knows them.</summary>
        IReadOnlyList<string>? ClassNames { get; }

        /// <summary>Every sample's class index when it is known without decoding the sample; null for other targets.</summary>
        long[]? Labels { get; }

        /// <summary>One sample's input shape (C, H, W for images) when it is known without decoding, else null.</summary>
        long[]? SampleShape { get; }

        /// <summary>The normalisation the inputs went through, when the source knows it (pictures undo it; a model trained on the source records it).</summary>
        Vision.Normalize? Normalization => null;

        /// <summary>The transforms validation and prediction read samples with, when the source has them (image folders).</summary>
        Vision.Transform? EvaluationTransform => null;

        /// <summary>The inputs (N, ...) and targets (N, ...) of the samples at <paramref name="indices"/>, in that order, on the CPU.</summary>
        (Tensor Inputs, Tensor Targets) GetBatch(long[] indices, BatchContext context);
    }
}
