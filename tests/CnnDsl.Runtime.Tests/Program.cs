using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using CnnDsl.Data;
using CnnDsl.Runtime.Tests.Models;
using CnnDsl.Training;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnDsl.Runtime.Tests;

/// <summary>
/// The test assembly doubles as a console program (<c>dotnet exec CnnDsl.Runtime.Tests.dll ...</c>):
/// <list type="bullet">
/// <item><c>overwrite-weights PATH</c>: the child process of <see cref="CheckpointTests"/>, overwriting a weights file
/// again and again until killed, so that the test can kill it in the middle of a write;</item>
/// <item><c>save-loop FOLDER</c>: the child process of <see cref="KillLoopTests"/>, saving two models in turn as
/// TorchSharp weights, safetensors and a training checkpoint until killed;</item>
/// <item><c>stop-mid-write PATH</c>: writes half a file through AtomicFile and waits there to be killed;</item>
/// <item><c>measure DATA_DIR [IMAGES] [ROUNDS]</c>: times decoding, batching, <c>Fit</c> and a hand-written loop.</item>
/// </list>
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "overwrite-weights")
        {
            manual_seed(2);
            using var model = new FashionCnn();
            Console.WriteLine("writing");
            Console.Out.Flush();
            while (true)
            {
                model.SaveWeights(args[1]);
                Thread.Yield();
            }
        }
        if (args.Length == 2 && args[0] == "save-loop")
            return KillLoopTests.SaveLoop(args[1]);
        if (args.Length == 2 && args[0] == "stop-mid-write")
            return KillLoopTests.StopMidWrite(args[1]);
        if (args.Length >= 2 && args[0] == "measure")
            return Measure(args[1], args.Length > 2 ? int.Parse(args[2]) : 10000, args.Length > 3 ? int.Parse(args[3]) : 3);
        if (args.Length == 2 && args[0] == "check-alignment")
            return CheckAlignment(args[1]);
        Console.Error.WriteLine("usage: overwrite-weights PATH | save-loop FOLDER | stop-mid-write PATH | measure DATA_DIR [IMAGES] [ROUNDS] | check-alignment DATA_DIR");
        return 2;
    }

    static int Measure(string folder, int images, int rounds)
    {
        TorchRuntime.EnsureLoaded();
        Console.WriteLine($"{Environment.ProcessorCount} cores, libtorch threads {get_num_threads()}");
        var clock = Stopwatch.StartNew();
        Dataset train;
        try
        {
            train = Dataset.FromIdx(System.IO.Path.Combine(folder, "train-images-idx3-ubyte.gz"), System.IO.Path.Combine(folder, "train-labels-idx1-ubyte.gz"));
        }
        catch (InvalidFileException error)
        {
            // Timing only: the complete images are kept (their labels may be misaligned after a gap; speed does not care).
            Console.WriteLine($"Training files refused: {error.Message} Timing their complete images instead.");
            clock.Restart();
            train = Dataset.FromIdx(System.IO.Path.Combine(folder, "train-images-idx3-ubyte.gz"), System.IO.Path.Combine(folder, "train-labels-idx1-ubyte.gz"), keepCompleteImages: true);
        }
        double decode = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"Decode {train.Count:N0} images (gzip IDX -> float32 tensor): {decode:0.000} s");
        clock.Restart();
        long checksum = 0;
        using (var scope = NewDisposeScope())
            foreach (var (x, y) in train.Batches(64, shuffle: true, seed: 1))
                checksum += y.shape[0];
        Console.WriteLine($"Shuffled batching of one epoch ({checksum:N0} images, batch 64, index_select): {clock.Elapsed.TotalSeconds:0.000} s");

        using var subset = new Dataset(train.Inputs.narrow(0, 0, images), train.Targets.narrow(0, 0, images));
        using (var warm = new Dataset(train.Inputs.narrow(0, 0, 512), train.Targets.narrow(0, 0, 512)))
        {
            Fit(warm, 0);
            Loop(warm, 0);
        }
        var fit = new double[rounds];
        var loop = new double[rounds];
        for (int round = 0; round < rounds; round++)
        {
            if (round % 2 == 0)
            {
                fit[round] = Fit(subset, round);
                loop[round] = Loop(subset, round);
            }
            else
            {
                loop[round] = Loop(subset, round);
                fit[round] = Fit(subset, round);
            }
            Console.WriteLine($"round {round + 1}: Fit {fit[round]:0.0} images/s, hand loop {loop[round]:0.0} images/s, ratio {fit[round] / loop[round]:0.000}");
        }
        double Median(double[] v) => v.OrderBy(x => x).ElementAt(v.Length / 2);
        Console.WriteLine($"Median: Fit {Median(fit):0.0} images/s, hand loop {Median(loop):0.0} images/s, Fit / loop {Median(fit) / Median(loop):0.000}; "
            + $"an epoch of {images:N0} images takes {images / Median(fit):0.0} s");
        train.Dispose();
        return 0;
    }

    // Trains on the (intact) test files, then predicts every whole image of the training file in chunks of 1,000 and
    // compares with the labels as they are and shifted by one: shows where a missing image misaligns the labels.
    static int CheckAlignment(string folder)
    {
        TorchRuntime.EnsureLoaded();
        var (test, _) = (Dataset.FromIdx(System.IO.Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), System.IO.Path.Combine(folder, "t10k-labels-idx1-ubyte.gz")), 0);
        manual_seed(1);
        using var model = new HandWritten.SmallCnn();
        model.Fit(test, new FitOptions { Epochs = 2, BatchSize = 64, Seed = 1, Device = CPU, Progress = ProgressMode.Lines });
        byte[] Raw(string name)
        {
            using var gzip = new System.IO.Compression.GZipStream(System.IO.File.OpenRead(System.IO.Path.Combine(folder, name)), System.IO.Compression.CompressionMode.Decompress);
            using var memory = new System.IO.MemoryStream();
            gzip.CopyTo(memory);
            return memory.ToArray();
        }
        var pixels = Raw("train-images-idx3-ubyte.gz");
        var labels = Raw("train-labels-idx1-ubyte.gz");
        int whole = (pixels.Length - 16) / 784;
        using var images = tensor(pixels.AsSpan(16, whole * 784).ToArray(), new long[] { whole, 1, 28, 28 }).to_type(TorchSharp.torch.ScalarType.Float32).div_(255f);
        using var predicted = model.Predict(images, 1000).argmax(1);
        var p = predicted.data<long>().ToArray();
        Console.WriteLine($"{whole} whole images of {(labels.Length - 8)} labels");
        for (int chunk = 0; chunk * 1000 < whole; chunk++)
        {
            int from = chunk * 1000, to = Math.Min(whole, from + 1000);
            double same = Enumerable.Range(from, to - from).Count(i => p[i] == labels[8 + i]) / (double)(to - from);
            double shifted = Enumerable.Range(from, to - from).Count(i => 8 + i + 1 < labels.Length && p[i] == labels[8 + i + 1]) / (double)(to - from);
            Console.WriteLine($"images {from,5}-{to - 1,5}: accuracy {same:P1} with their labels, {shifted:P1} with the next image's labels");
        }
        // The gap: the split point k that best explains "own label before k, next label from k on".
        int bestK = 0, score = Enumerable.Range(0, whole).Count(i => 8 + i + 1 < labels.Length && p[i] == labels[8 + i + 1]), best = score;
        for (int k = 1; k <= whole; k++)
        {
            int i = k - 1;
            score += (p[i] == labels[8 + i] ? 1 : 0) - (8 + i + 1 < labels.Length && p[i] == labels[8 + i + 1] ? 1 : 0);
            if (score > best)
                (best, bestK) = (score, k);
        }
        Console.WriteLine($"Best fit: image {bestK} of the complete file is missing (images from {bestK} on carry the next label); {best:N0} of {whole:N0} predictions agree.");
        return 0;
    }

    static double Fit(Dataset data, int seed)
    {
        manual_seed(seed);
        using var model = new FashionCnn();
        var clock = Stopwatch.StartNew();
        model.Fit(data, new FitOptions { Epochs = 1, BatchSize = 64, Seed = seed, Device = CPU, Progress = ProgressMode.None });
        return data.Count / clock.Elapsed.TotalSeconds;
    }

    // The loop a TorchSharp user writes by hand: shuffled index_select batches, one dispose scope per step.
    static double Loop(Dataset data, int seed)
    {
        manual_seed(seed);
        using var model = new FashionCnn();
        var clock = Stopwatch.StartNew();
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        model.train();
        using var order = randperm(data.Count);
        using var lossSum = zeros(1);
        for (long start = 0; start < data.Count; start += 64)
        {
            using var scope = NewDisposeScope();
            var indices = order.narrow(0, start, Math.Min(64, data.Count - start));
            var x = data.Inputs.index_select(0, indices);
            var y = data.Targets.index_select(0, indices);
            optimizer.zero_grad();
            var loss = F.cross_entropy(model.call(x), y);
            loss.backward();
            optimizer.step();
            using (no_grad())
                lossSum.add_(loss.detach());
        }
        lossSum.item<float>();
        return data.Count / clock.Elapsed.TotalSeconds;
    }
}
