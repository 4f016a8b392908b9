using System;
using static TorchSharp.torch;

namespace CnnDsl.Training
{
    /// <summary>
    /// Augmentation of in-memory training batches (a <see cref="Data.Dataset"/>'s tensors), as the image pipeline's
    /// <c>RandomCrop(size, padding)</c> and <c>RandomHorizontalFlip</c> do for files: each sample is shifted by a random
    /// crop of its zero-padded self (the same size as before) and flipped left to right with probability one half. The
    /// draws are a function of Fit's seed, the epoch and the step, so a run repeats exactly and resumes exactly; only
    /// training batches are augmented, never validation or evaluation.
    /// </summary>
    public sealed record Augmentation(int CropPadding = 0, bool HorizontalFlip = false)
    {
        /// <summary>The CIFAR-10 recipe: 4 pixels of padding and flips.</summary>
        public static Augmentation CropAndFlip(int padding = 4) => new(padding, true);

        /// <summary>Applies the augmentation to a batch (N, C, H, W) as Fit does for that seed, epoch and step; returns a new tensor.</summary>
        public Tensor Apply(Tensor batch, int seed, int epoch, long step)
        {
            if (CropPadding < 0)
                throw new ArgumentOutOfRangeException(nameof(CropPadding), CropPadding, "The crop padding is 0 or more pixels.");
            if (batch.dim() != 4)
                throw new ArgumentException($"Augmentation shifts and flips images (N, C, H, W); the batch is ({string.Join(", ", batch.shape)}).", nameof(batch));
            long n = batch.shape[0], height = batch.shape[2], width = batch.shape[3];
            // One generator per step, from values a checkpoint restores: no state carried between steps. (HashCode is
            // randomised per process, so the mixing is written out.)
            var random = new Random(unchecked((int)(seed * 0x9E3779B1L ^ epoch * 0x85EBCA77L ^ step * 0xC2B2AE3DL)));
            using var scope = NewDisposeScope();
            var result = batch;
            if (CropPadding > 0)
            {
                var padded = nn.functional.pad(batch, new long[] { CropPadding, CropPadding, CropPadding, CropPadding });
                var samples = new Tensor[n];
                for (long i = 0; i < n; i++)
                {
                    int top = random.Next(2 * CropPadding + 1), left = random.Next(2 * CropPadding + 1);
                    samples[i] = padded[i].narrow(1, top, height).narrow(2, left, width);
                }
                result = stack(samples);
            }
            if (HorizontalFlip)
            {
                var flips = new bool[n];
                for (long i = 0; i < n; i++)
                    flips[i] = random.NextDouble() < 0.5;
                var mask = tensor(flips, device: batch.device).reshape(n, 1, 1, 1);
                result = where(mask, result.flip(3), result);
            }
            return (ReferenceEquals(result, batch) ? batch.clone() : result).MoveToOuterDisposeScope();
        }
    }
}
