using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using CnnDsl;
using CnnDsl.Data;
using CnnDsl.Training;
using FashionMnist;
using static TorchSharp.torch;

/// <summary>
/// The accuracy runs on all 60,000 training and 10,000 test images (<c>--full --data DIR</c>): the course's CNN with the
/// course's recipe, and the best recipe of this example (batch norm, dropout, random crop and flip, label smoothing,
/// AdamW with a one-cycle schedule). Each prints its test accuracy and median seconds per epoch, then one table.
/// </summary>
static class Recipes
{
    public sealed record Result(string Recipe, int Seed, int Epochs, double TestAccuracy, double MedianEpochSeconds);

    public static int Run(string dataFolder, string recipes, IReadOnlyList<int> seeds)
    {
        var (train, test) = Dataset.FromIdxFolder(dataFolder);
        if (train.Count != 60_000 || test.Count != 10_000)
            throw new ArgumentException($"The accuracy runs use all of Fashion-MNIST; {dataFolder} holds {train.Count:N0} training and {test.Count:N0} test images.");
        var results = new List<Result>();
        foreach (string recipe in recipes.Split(','))
        {
            var recipeSeeds = recipe == "course" ? seeds.Take(1) : seeds;
            foreach (int seed in recipeSeeds)
            {
                var result = recipe switch
                {
                    "course" => Course(train, test, seed),
                    "best" => Best(train, test, seed),
                    _ => throw new ArgumentException($"Unknown recipe {recipe}; the recipes are course and best."),
                };
                Console.WriteLine($"{result.Recipe}, seed {result.Seed}: {result.TestAccuracy:P2} test accuracy after {result.Epochs} epochs, {result.MedianEpochSeconds:0.0} s per epoch (median)");
                results.Add(result);
            }
        }
        Console.WriteLine();
        Console.WriteLine("| Recipe | Seeds | Epochs | Test accuracy (mean ± sd) | Seconds per epoch (median) |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var group in results.GroupBy(r => r.Recipe))
        {
            var accuracies = group.Select(r => r.TestAccuracy * 100).ToList();
            double mean = accuracies.Average();
            double sd = accuracies.Count > 1 ? Math.Sqrt(accuracies.Sum(a => (a - mean) * (a - mean)) / (accuracies.Count - 1)) : 0;
            string spread = accuracies.Count > 1 ? $" ± {sd.ToString("0.00", CultureInfo.InvariantCulture)}" : "";
            Console.WriteLine($"| {group.Key} | {string.Join(", ", group.Select(r => r.Seed))} | {group.First().Epochs} | "
                + $"{mean.ToString("0.00", CultureInfo.InvariantCulture)}%{spread} | {Median(group.Select(r => r.MedianEpochSeconds)).ToString("0.0", CultureInfo.InvariantCulture)} |");
        }
        return 0;
    }

    // The course's chapter 5: Adam at 0.001, batches of 100, plain cross-entropy, no augmentation.
    static Result Course(Dataset train, Dataset test, int seed)
    {
        manual_seed(seed);
        using var model = new FashionCnn();
        var history = model.Fit(train, new FitOptions
        {
            Epochs = 3,
            BatchSize = 100,
            Optimizer = OptimizerSpec.Adam(1e-3),
            Seed = seed,
        });
        return Finish("course", seed, model, history, test);
    }

    // Batch norm and dropout in the model; each training image shifted by up to 2 pixels and flipped half the time; label
    // smoothing 0.1; AdamW whose rate rises to 0.004 over the first 30% of the steps and anneals to almost 0 (one cycle).
    public const int BestEpochs = 15, BestBatchSize = 128;
    public const double BestMaximumRate = 4e-3, BestWeightDecay = 5e-4, BestLabelSmoothing = 0.1;
    public const int BestCropPadding = 2;

    static Result Best(Dataset train, Dataset test, int seed)
    {
        manual_seed(seed);
        using var model = new FashionBn();
        long steps = (long)BestEpochs * ((train.Count + BestBatchSize - 1) / BestBatchSize);
        var history = model.Fit(train, new FitOptions
        {
            Epochs = BestEpochs,
            BatchSize = BestBatchSize,
            Optimizer = OptimizerSpec.AdamW(BestMaximumRate, weightDecay: BestWeightDecay),
            Loss = Loss.CrossEntropyWith(labelSmoothing: BestLabelSmoothing),
            Augmentation = new Augmentation(BestCropPadding, HorizontalFlip: true),
            Seed = seed,
            Callbacks = new Callback[] { new LearningRateScheduler(Schedules.OneCycle(BestMaximumRate, steps)) },
        });
        return Finish("best", seed, model, history, test);
    }

    static Result Finish(string recipe, int seed, nn.Module<Tensor, Tensor> model, History history, Dataset test)
    {
        var (_, accuracy) = model.Evaluate(test);
        return new Result(recipe, seed, history.Epochs.Count, accuracy ?? double.NaN, Median(history.Epochs.Select(e => e.Seconds)));
    }

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
