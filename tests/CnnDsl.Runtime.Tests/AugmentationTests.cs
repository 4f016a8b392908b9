using System;
using System.IO;
using System.Linq;
using CnnDsl.Data;
using CnnDsl.Runtime.Tests.Models;
using CnnDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Runtime.Tests;

/// <summary>Seeded crops with padding and flips of in-memory training batches.</summary>
public class AugmentationTests
{
    static readonly string Shipped = Path.Combine(AppContext.BaseDirectory, "data");

    [Fact]
    public void Each_sample_is_a_shifted_crop_of_its_padded_self_possibly_flipped_and_the_draws_repeat()
    {
        manual_seed(4);
        using var batch = rand(64, 2, 6, 7) + 0.1;
        var augmentation = Augmentation.CropAndFlip(2);
        using var first = augmentation.Apply(batch, seed: 9, epoch: 3, step: 5);
        using var again = augmentation.Apply(batch, seed: 9, epoch: 3, step: 5);
        using var other = augmentation.Apply(batch, seed: 9, epoch: 3, step: 6);
        Assert.True(first.eq(again).all().item<bool>(), "the same seed, epoch and step give the same batch");
        Assert.False(first.eq(other).all().item<bool>(), "another step draws again");
        Assert.Equal(batch.shape, first.shape);
        using var padded = nn.functional.pad(batch, new long[] { 2, 2, 2, 2 });
        int flipped = 0, shifted = 0;
        for (long i = 0; i < 64; i++)
        {
            // Search every offset and both orientations for the one that gives the sample.
            var found = Enumerable.Range(0, 5).SelectMany(top => Enumerable.Range(0, 5).SelectMany(left => new[] { false, true }.Select(flip => (top, left, flip))))
                .Where(c =>
                {
                    using var crop = padded[i].narrow(1, c.top, 6).narrow(2, c.left, 7);
                    using var oriented = c.flip ? crop.flip(2) : crop.alias();
                    return oriented.eq(first[i]).all().item<bool>();
                }).ToList();
            Assert.True(found.Count >= 1, $"sample {i} is no crop of its padded self");
            flipped += found[0].flip ? 1 : 0;
            shifted += found[0].top != 2 || found[0].left != 2 ? 1 : 0;
        }
        Assert.InRange(flipped, 16, 48);
        Assert.True(shifted > 40, $"{shifted} of 64 samples moved");
    }

    [Fact]
    public void Fit_trains_on_augmented_batches_and_repeats_exactly_with_its_seed()
    {
        var (train, test) = Dataset.FromIdxFolder(Shipped, trainLimit: 200, testLimit: 100);
        using (train)
        using (test)
        {
            double Run(Augmentation? augmentation)
            {
                using var model = CnnModel.Create<TinyCnn>(1);
                var history = model.Fit(train, new FitOptions { Epochs = 2, BatchSize = 50, Seed = 7, Progress = ProgressMode.None, Device = CPU, Augmentation = augmentation });
                return history.Loss[^1];
            }
            var plain = Run(null);
            var augmented = Run(Augmentation.CropAndFlip(3));
            Assert.Equal(augmented, Run(Augmentation.CropAndFlip(3)));
            Assert.NotEqual(plain, augmented);
            Assert.Contains("(N, C, H, W)", Assert.Throws<ArgumentException>(() => new Augmentation(1).Apply(zeros(4, 6), 0, 1, 0)).Message);
        }
    }
}
