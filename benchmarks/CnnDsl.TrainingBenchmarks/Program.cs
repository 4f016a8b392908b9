using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using CnnDsl.Data;
using CnnDsl.Training;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnDsl.TrainingBenchmarks
{
    /// <summary>
    /// One training epoch of the Fashion-MNIST course CNN, three ways, in alternating order per round:
    /// CnnDsl's <c>Fit</c>, a hand-written TorchSharp loop, and PyTorch (a subprocess). Prints images/s per round,
    /// the medians and their ratios.
    /// </summary>
    public static class Program
    {
        sealed record Options(int Images, int Rounds, int BatchSize, int Warmup, string Data, string Python, int PythonThreads, string? ImageFolder, int Workers, bool Metrics = false);

        /// <summary>One timed epoch: wall-clock seconds, and the CPU seconds (all threads) the contender's process used.</summary>
        sealed record Run(string Contender, int Round, long Images, double Seconds, double CpuSeconds, double Loss, string Load)
        {
            public double ImagesPerSecond => Images / Seconds;
            public double ImagesPerCpuSecond => Images / CpuSeconds;
        }

        const string FitName = "Fit";
        const string LoopName = "Hand loop";
        const string PyTorchName = "PyTorch";

        public static int Main(string[] args)
        {
            Options options;
            try
            {
                options = Parse(args);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(e.Message);
                Console.Error.WriteLine("Usage: CnnDsl.TrainingBenchmarks [--images 60000] [--rounds 3] [--batch-size 64] [--warmup 512] [--data DIR] [--python /usr/bin/python3] [--python-threads 2] [--image-folder DIR [--workers 2]]");
                return 2;
            }

            TorchRuntime.EnsureLoaded();
            var script = Path.Combine(AppContext.BaseDirectory, "train_pytorch.py");
            Console.WriteLine($"Training benchmark: one epoch of FashionCnn, {options.Images:N0} images, batch {options.BatchSize}, Adam 1e-3, {options.Rounds} rounds");
            Console.WriteLine($"Data: {options.Data}");
            Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} cores, TorchSharp {typeof(torch).Assembly.GetName().Version}, "
                + $"libtorch threads {torch.get_num_threads()} (interop {torch.get_num_interop_threads()})");
            Console.WriteLine($"PyTorch: {options.Python} {script}, {options.PythonThreads} threads");

            using var trainData = TrainingData.Load(options.Data, options.Images);
            int images = (int)trainData.Count;
            if (options.ImageFolder != null)
                return MeasureDataWait(trainData, options);
            using (var probe = new FashionCnn())
            {
                long parameters = probe.parameters().Sum(p => p.numel());
                Console.WriteLine($"Model: FashionCnn, {parameters:N0} parameters; training set {trainData.Count:N0} images");
            }

            // Warm-up: JIT, libtorch's allocator and thread pool, the page cache of the data files.
            Console.WriteLine($"Warm-up ({options.Warmup} images each) ...");
            using (var warm = new Dataset(trainData.Inputs.narrow(0, 0, Math.Min(options.Warmup, trainData.Count)), trainData.Targets.narrow(0, 0, Math.Min(options.Warmup, trainData.Count))))
            {
                RunFit(warm, options.BatchSize, seed: 99, round: 0, options.Metrics);
                RunLoop(warm, options.BatchSize, seed: 99, round: 0);
            }
            var pyWarm = RunPyTorch(options, script, Math.Min(options.Warmup * 2, images), seed: 99, round: 0);
            Console.WriteLine($"  PyTorch warm-up: {pyWarm.Run.ImagesPerSecond:0} images/s; {pyWarm.Info}");
            // Debian's PyTorch resolves its BLAS through the system's alternatives; the reference BLAS makes its dense
            // layers about 5x slower, which would measure the machine's packages, not PyTorch.
            if (pyWarm.Info.Contains("/blas/libblas.so", StringComparison.Ordinal))
            {
                Console.Error.WriteLine("PyTorch is running on the reference BLAS (/usr/lib/x86_64-linux-gnu/blas/libblas.so.3): install libopenblas0-pthread "
                    + "(apt-get install libopenblas0-pthread) so that it uses OpenBLAS, as the results in benchmarks/README.md do.");
                return 2;
            }

            var contenders = new (string Name, Func<int, Run> Measure)[]
            {
                (FitName, round => RunFit(trainData, options.BatchSize, seed: round, round, options.Metrics)),
                (LoopName, round => RunLoop(trainData, options.BatchSize, seed: round, round)),
                (PyTorchName, round => RunPyTorch(options, script, images, seed: round, round).Run),
            };
            var runs = new List<Run>();
            for (int round = 1; round <= options.Rounds; round++)
            {
                // Rotate the order each round: Fit/loop/PyTorch, loop/PyTorch/Fit, PyTorch/Fit/loop, ...
                for (int k = 0; k < contenders.Length; k++)
                {
                    var (name, measure) = contenders[(k + round - 1) % contenders.Length];
                    var run = measure(round);
                    runs.Add(run);
                    Console.WriteLine($"  round {round}: {name,-9} {run.ImagesPerSecond,7:0.0} images/s  ({run.Seconds:0.0} s, {run.CpuSeconds:0.0} CPU s, loss {run.Loss:0.0000}, load avg {run.Load})");
                }
            }

            foreach (var run in runs.Where(r => r.Images != images))
                throw new InvalidOperationException($"{run.Contender} trained on {run.Images} images, not {images}.");
            Report(runs, options, images);
            MeasureFitExtras(options.BatchSize, runs.Where(r => r.Contender == LoopName).Select(r => r.Seconds * options.BatchSize / r.Images));
            return 0;
        }

        /// <summary>
        /// Does the training step wait for data when the course CNN reads PNG files? The same images as PNG class folders
        /// (grey, 28x28), read by ImageFolder with ToTensor() through the loader's workers, against the in-memory
        /// tensors, in alternating rounds: epoch time, and the time Fit's step waited for a batch.
        /// </summary>
        static int MeasureDataWait(Dataset trainData, Options options)
        {
            var root = options.ImageFolder!;
            if (!Directory.Exists(root) || Directory.EnumerateFiles(root, "*.png", SearchOption.AllDirectories).Count() != trainData.Count)
            {
                Console.WriteLine($"Writing {trainData.Count:N0} PNG files to {root} ...");
                using var pixels = trainData.Inputs.mul(255f).round().to_type(ScalarType.Byte);
                var bytes = pixels.data<byte>().ToArray();
                var labels = trainData.Targets.data<long>().ToArray();
                for (int i = 0; i < labels.Length; i++)
                {
                    var path = Path.Combine(root, $"class{labels[i]}", $"{i:D5}.png");
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    new Vision.ImageData(1, 28, 28, bytes.AsSpan(i * 784, 784).ToArray()).SavePng(path);
                }
            }
            var folder = new ImageFolder(root, new Vision.ToTensor(), channels: 1);
            Console.WriteLine($"Data wait: FashionCnn, one epoch of {folder.Count:N0} images, batch {options.BatchSize}; PNG folder with {options.Workers} workers against in-memory tensors");
            for (int round = 1; round <= options.Rounds; round++)
                foreach (var fromFiles in round % 2 == 1 ? new[] { true, false } : new[] { false, true })
                {
                    manual_seed(round);
                    using var model = new FashionCnn();
                    var clock = Stopwatch.StartNew();
                    var fit = new FitOptions { Epochs = 1, BatchSize = options.BatchSize, Optimizer = OptimizerSpec.Adam(1e-3), Seed = round, Device = CPU, Progress = ProgressMode.None, Workers = fromFiles ? options.Workers : 0 };
                    var history = fromFiles ? model.Fit(folder, fit) : model.Fit(trainData, fit);
                    double seconds = clock.Elapsed.TotalSeconds;
                    var epoch = history.Epochs[^1];
                    Console.WriteLine($"  round {round}: {(fromFiles ? "PNG folder" : "in memory"),-10} {folder.Count / seconds,7:0.0} images/s  ({seconds:0.0} s, waited for data {epoch.DataWaitSeconds:0.00} s, loss {epoch.Loss:0.0000}, load avg {LoadAverage()})");
                }
            return 0;
        }

        /// <summary>
        /// What <c>Fit</c> does per step beyond the hand loop, timed alone: its loss (log_softmax + nll_loss instead of
        /// cross_entropy), the loss sum (<c>loss * size</c>, then add_) and the correct count (argmax, eq, sum, add_).
        /// </summary>
        static void MeasureFitExtras(int batchSize, IEnumerable<double> loopStepSeconds)
        {
            const int repetitions = 5000;
            using var output = randn(batchSize, 10);
            using var y = randint(0, 10, new long[] { batchSize });
            using var lossSum = zeros(1);
            using var correct = zeros(1, dtype: ScalarType.Int64);
            double Time(Action step)
            {
                for (int i = 0; i < 200; i++)
                    step();
                var clock = Stopwatch.StartNew();
                for (int i = 0; i < repetitions; i++)
                    step();
                return clock.Elapsed.TotalSeconds / repetitions;
            }
            double fit = Time(() =>
            {
                using var scope = NewDisposeScope();
                var loss = Loss.CrossEntropy.Compute(output, y, OutputActivation.None);
                using (no_grad())
                {
                    lossSum.add_(loss.detach() * batchSize);
                    correct.add_(Loss.CrossEntropy.Correct(output.detach(), y));
                }
            });
            double loop = Time(() =>
            {
                using var scope = NewDisposeScope();
                var loss = F.cross_entropy(output, y);
                using (no_grad())
                    lossSum.add_(loss.detach(), alpha: batchSize);
            });
            double step = Median(loopStepSeconds);
            Console.WriteLine();
            Console.WriteLine($"Per-step bookkeeping, timed alone ({repetitions} repetitions, batch {batchSize}): Fit {fit * 1e6:0.0} us, hand loop {loop * 1e6:0.0} us; "
                + $"difference {(fit - loop) * 1e6:0.0} us = {(fit - loop) / step:P3} of the hand loop's median step ({step * 1e3:0.0} ms).");
        }

        /// <summary>CnnDsl's <c>Fit</c>: one epoch on a fresh model, no progress output. Timed around the whole call.</summary>
        // With metrics: top-5 accuracy and macro F1 over the 10 classes, updated every step on the device.
        static Run RunFit(Dataset train, int batchSize, int seed, int round, bool metrics = false)
        {
            string load = LoadAverage();
            manual_seed(seed);
            using var model = new FashionCnn();
            var cpu = CpuTime();
            var clock = Stopwatch.StartNew();
            var history = model.Fit(train, new FitOptions
            {
                Epochs = 1,
                BatchSize = batchSize,
                Optimizer = OptimizerSpec.Adam(1e-3),
                Loss = Loss.CrossEntropy,
                Seed = seed,
                Device = CPU,
                Progress = ProgressMode.None,
                Metrics = metrics ? new IMetric[] { Metrics.TopKAccuracy(5), Metrics.F1Score(10) } : Array.Empty<IMetric>(),
            });
            double seconds = clock.Elapsed.TotalSeconds;
            double cpuSeconds = (CpuTime() - cpu).TotalSeconds;
            return new Run(FitName, round, train.Count, seconds, cpuSeconds, history.Epochs[^1].Loss, load + " -> " + LoadAverage());
        }

        /// <summary>
        /// The hand-written TorchSharp loop: index_select of a shuffled permutation per batch, one dispose scope per step,
        /// the loss summed in place into a tensor made outside the scopes and read once at the end.
        /// </summary>
        static Run RunLoop(Dataset train, int batchSize, int seed, int round)
        {
            string load = LoadAverage();
            manual_seed(seed);
            using var model = new FashionCnn();
            var cpu = CpuTime();
            var clock = Stopwatch.StartNew();
            using var optimizer = optim.Adam(model.parameters(), 1e-3);
            model.train();
            long count = train.Count;
            using var order = randperm(count);
            using var lossSum = zeros(1);
            for (long start = 0; start < count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                long size = Math.Min(batchSize, count - start);
                var indices = order.narrow(0, start, size);
                var x = train.Inputs.index_select(0, indices);
                var y = train.Targets.index_select(0, indices);
                optimizer.zero_grad();
                var loss = F.cross_entropy(model.call(x), y);
                loss.backward();
                optimizer.step();
                using (no_grad())
                    lossSum.add_(loss.detach(), alpha: size);
            }
            double meanLoss = lossSum.item<float>() / count;
            double seconds = clock.Elapsed.TotalSeconds;
            double cpuSeconds = (CpuTime() - cpu).TotalSeconds;
            return new Run(LoopName, round, count, seconds, cpuSeconds, meanLoss, load + " -> " + LoadAverage());
        }

        /// <summary>PyTorch in a subprocess; the script times its own epoch loop and prints JSON on its last line.</summary>
        static (Run Run, string Info) RunPyTorch(Options options, string script, int images, int seed, int round)
        {
            string load = LoadAverage();
            var start = new ProcessStartInfo(options.Python)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { script, "--data", options.Data, "--images", images.ToString(CultureInfo.InvariantCulture),
                         "--batch-size", options.BatchSize.ToString(CultureInfo.InvariantCulture), "--threads", options.PythonThreads.ToString(CultureInfo.InvariantCulture),
                         "--warmup", options.Warmup.ToString(CultureInfo.InvariantCulture), "--seed", seed.ToString(CultureInfo.InvariantCulture) })
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {options.Python}.");
            var errors = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{options.Python} {script} exited with {process.ExitCode}:\n{errors.Result}{output}");
            var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last();
            using var json = JsonDocument.Parse(last);
            var root = json.RootElement;
            var run = new Run(PyTorchName, round, root.GetProperty("images").GetInt64(), root.GetProperty("seconds").GetDouble(),
                root.GetProperty("cpu_seconds").GetDouble(), root.GetProperty("loss").GetDouble(), load + " -> " + LoadAverage());
            string info = $"torch {root.GetProperty("torch").GetString()}, {root.GetProperty("threads").GetInt32()} threads, BLAS_INFO={root.GetProperty("blas_info").GetString()}, "
                + $"{root.GetProperty("parameters").GetInt64():N0} parameters, mapped: {string.Join(", ", root.GetProperty("libraries").EnumerateArray().Select(l => l.GetString()))}";
            return (run, info);
        }

        static void Report(List<Run> runs, Options options, int images)
        {
            Table(runs, options, images, "Images/s (wall clock)", r => r.ImagesPerSecond);
            Console.WriteLine();
            Table(runs, options, images, "Images per CPU-second (user + system time of all the contender's threads; OpenMP spin-waiting counts, so load inflates it too)", r => r.ImagesPerCpuSecond);
        }

        static void Table(List<Run> runs, Options options, int images, string title, Func<Run, double> measure)
        {
            var names = new[] { FitName, LoopName, PyTorchName };
            Console.WriteLine();
            Console.WriteLine($"{title}, one epoch of {images:N0} images, batch {options.BatchSize}:");
            Console.WriteLine();
            Console.WriteLine("| Round | " + string.Join(" | ", names) + " |");
            Console.WriteLine("|---:|" + string.Concat(names.Select(_ => "---:|")));
            for (int round = 1; round <= options.Rounds; round++)
                Console.WriteLine($"| {round} | " + string.Join(" | ", names.Select(n => measure(runs.Single(r => r.Round == round && r.Contender == n)).ToString("0.0", CultureInfo.InvariantCulture))) + " |");
            var median = names.ToDictionary(n => n, n => Median(runs.Where(r => r.Contender == n).Select(measure)));
            Console.WriteLine("| **Median** | " + string.Join(" | ", names.Select(n => $"**{median[n].ToString("0.0", CultureInfo.InvariantCulture)}**")) + " |");
            Console.WriteLine();
            double fitLoop = median[FitName] / median[LoopName];
            Console.WriteLine($"Fit / hand loop:     {fitLoop:0.000}  (goal >= 0.95: {(fitLoop >= 0.95 ? "met" : "NOT met")})");
            Console.WriteLine($"Fit / PyTorch:       {median[FitName] / median[PyTorchName]:0.000}");
            Console.WriteLine($"Hand loop / PyTorch: {median[LoopName] / median[PyTorchName]:0.000}");
            var perRound = Enumerable.Range(1, options.Rounds).Select(round =>
                measure(runs.Single(r => r.Round == round && r.Contender == FitName)) / measure(runs.Single(r => r.Round == round && r.Contender == LoopName)));
            Console.WriteLine($"Fit / hand loop per round: {string.Join(", ", perRound.Select(r => r.ToString("0.000", CultureInfo.InvariantCulture)))}");
        }

        static double Median(IEnumerable<double> values)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }

        static TimeSpan CpuTime()
        {
            using var self = Process.GetCurrentProcess();
            return self.TotalProcessorTime;
        }

        static string LoadAverage()
        {
            try
            {
                return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(1));
            }
            catch (IOException)
            {
                return "?";
            }
        }

        static Options Parse(string[] args)
        {
            int images = 60000, rounds = 3, batchSize = 64, warmup = 512, pythonThreads = 2, workers = 2;
            bool metrics = false;
            string? data = null, imageFolder = null;
            string python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                int Number() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{args[i - 1]} needs a positive whole number.");
                switch (args[i])
                {
                    case "--images": images = Number(); break;
                    case "--rounds": rounds = Number(); break;
                    case "--batch-size": batchSize = Number(); break;
                    case "--warmup": warmup = Number(); break;
                    case "--python-threads": pythonThreads = Number(); break;
                    case "--data": data = Value(); break;
                    case "--python": python = Value(); break;
                    case "--image-folder": imageFolder = Path.GetFullPath(Value()); break;
                    case "--workers": workers = Number(); break;
                    case "--metrics": metrics = true; break;
                    default: throw new ArgumentException($"Unknown argument {args[i]}.");
                }
            }
            data ??= FindData() ?? throw new ArgumentException("Fashion-MNIST not found (looked for shared/data/fashion-mnist above the current folder); pass --data DIR.");
            return new Options(images, rounds, batchSize, warmup, Path.GetFullPath(data), python, pythonThreads, imageFolder, workers, metrics);
        }

        /// <summary>The first shared/data/fashion-mnist (or data/fashion-mnist) folder at or above the current folder.</summary>
        static string? FindData()
        {
            for (var folder = new DirectoryInfo(Directory.GetCurrentDirectory()); folder != null; folder = folder.Parent)
                foreach (var candidate in new[] { Path.Combine(folder.FullName, "shared", "data", "fashion-mnist"), Path.Combine(folder.FullName, "data", "fashion-mnist") })
                    if (File.Exists(Path.Combine(candidate, "train-images-idx3-ubyte.gz")))
                        return candidate;
            return null;
        }
    }
}
