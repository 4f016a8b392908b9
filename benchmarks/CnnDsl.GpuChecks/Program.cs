using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using CnnDsl.Data;
using CnnDsl.Training;
using CnnDsl.Vision;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnDsl.GpuChecks
{
    /// <summary>
    /// The CUDA checks a GPU machine is needed for, in one run: generated models give the same outputs, gradients and
    /// batch-norm statistics on CUDA as on the CPU; <c>Fit</c> trains the course CNN on CUDA; its images/s against a
    /// hand-written TorchSharp loop and PyTorch on the same GPU (alternating rounds, medians); and the image-folder
    /// loader feeding a ResNet-18 on CUDA through pinned memory. Writes a Markdown report.
    /// </summary>
    public static class Program
    {
        sealed record Options(string Data, string Output, int Epochs, int Rounds, int BatchSize, string Python, int FolderImages, int? TrainImages, bool Rehearse);

        // CUDA, or the CPU when rehearsing the script on a machine without a GPU.
        static Device Target = CPU;

        static readonly StringBuilder Report = new();

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
                Console.Error.WriteLine("Usage: CnnDsl.GpuChecks --data DIR [--out DIR] [--epochs 2] [--rounds 3] [--batch-size 64] [--python python3] [--folder-images 6000] [--train-images N] [--rehearse-on-cpu]");
                return 2;
            }
            TorchRuntime.EnsureLoaded();
            if (!options.Rehearse)
            {
                if (!cuda.is_available())
                {
                    Console.Error.WriteLine("CUDA is not available: TorchSharp found no CUDA device (is a CUDA libtorch on LD_LIBRARY_PATH?).");
                    return 2;
                }
                Target = CUDA;
            }
            Directory.CreateDirectory(options.Output);
            Line($"# CUDA checks");
            Line();
            Line($"Device: {(options.Rehearse ? "CPU (rehearsal)" : $"CUDA, {cuda.device_count()} device(s), cuDNN {(cuda.is_cudnn_available() ? "available" : "not available")}")}; "
                + $".NET {Environment.Version}, {Environment.ProcessorCount} cores, TorchSharp {typeof(torch).Assembly.GetName().Version}");
            int failures = 0;
            try
            {
                // Each check reports its own failure and the next one still runs: device time is scarce.
                foreach (var check in new Func<Options, int>[] { Agreement, o => { TrainOnCuda(o); return 0; }, o => { Throughput(o); return 0; }, o => { ImageFolderOnCuda(o); return 0; } })
                {
                    try
                    {
                        failures += check(options);
                    }
                    catch (Exception error)
                    {
                        Line();
                        Line($"**Check failed:** {error}");
                        failures++;
                    }
                }
            }
            finally
            {
                File.WriteAllText(Path.Combine(options.Output, "gpu-checks.md"), Report.ToString());
            }
            Line();
            Line(failures == 0 ? "All checks passed." : $"{failures} check(s) FAILED.");
            File.WriteAllText(Path.Combine(options.Output, "gpu-checks.md"), Report.ToString());
            return failures == 0 ? 0 : 1;
        }

        static void Line(string text = "")
        {
            Console.WriteLine(text);
            Report.AppendLine(text);
        }

        /// <summary>Switches TF32 for matrix products and cuDNN convolutions together.</summary>
        static void AllowTf32(bool allow)
        {
            if (Target.type != DeviceType.CUDA)
                return;
            backends.cuda.matmul.allow_tf32 = allow;
            backends.cudnn.allow_tf32 = allow;
        }

        static void Synchronize()
        {
            if (Target.type == DeviceType.CUDA)
                cuda.synchronize();
        }

        // ---------------------------------------------------------------- 1. CUDA vs CPU
        static int Agreement(Options options)
        {
            Line();
            Line("## CUDA vs CPU agreement (same weights, same batch of 16)");
            Line();
            Line("| Model | Mode | TF32 | max abs output diff | max output | worst relative gradient diff | worst relative BN statistic diff | within 1e-4 |");
            Line("|---|---|---|---:|---:|---:|---:|---|");
            int failures = 0;
            foreach (bool tf32 in new[] { false, true })
            {
                AllowTf32(tf32);
                // Without TF32 both devices compute in float32 and differ by rounding only: that is the check. With
                // TF32 (PyTorch's default for cuDNN) products keep 10 mantissa bits; its rows show the size of that
                // difference and fail nothing.
                failures += CompareDevices("FashionCnn", () => new FashionCnn(), new long[] { 16, 1, 28, 28 }, train: false, tf32);
                failures += CompareDevices("ResNet-18 (64x64)", () => new ResNet18At64(), new long[] { 16, 3, 64, 64 }, train: true, tf32);
                failures += CompareDevices("ResNet-18 (64x64)", () => new ResNet18At64(), new long[] { 16, 3, 64, 64 }, train: false, tf32);
            }
            AllowTf32(true);
            return failures;
        }

        static int CompareDevices<T>(string name, Func<T> create, long[] shape, bool train, bool tf32) where T : nn.Module<Tensor, Tensor>
        {
            using var scope = NewDisposeScope();
            manual_seed(1);
            using var onCpu = create();
            using var onCuda = create();
            onCuda.load_state_dict(onCpu.state_dict());
            onCuda.to(Target);
            onCpu.train(train);
            onCuda.train(train);
            manual_seed(2);
            var x = randn(shape);
            var y = randint(0, 10, new[] { shape[0] });

            var cpuOut = onCpu.call(x);
            var cudaOut = onCuda.call(x.to(Target));
            double outputDiff = (cpuOut - cudaOut.cpu()).abs().max().item<float>();
            double outputScale = cpuOut.abs().max().item<float>();
            F.cross_entropy(cpuOut, y).backward();
            F.cross_entropy(cudaOut, y.to(Target)).backward();

            double gradientDiff = 0;
            var cudaParameters = onCuda.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (parameterName, parameter) in onCpu.named_parameters())
            {
                var cpuGrad = parameter.grad ?? throw new InvalidOperationException($"{name}: {parameterName} has no gradient on the CPU.");
                var cudaGrad = cudaParameters[parameterName].grad ?? throw new InvalidOperationException($"{name}: {parameterName} has no gradient on CUDA.");
                double scale = Math.Max(cpuGrad.abs().max().item<float>(), 1e-12);
                gradientDiff = Math.Max(gradientDiff, (cpuGrad - cudaGrad.cpu()).abs().max().item<float>() / scale);
            }
            double statisticDiff = 0;
            var cudaBuffers = onCuda.named_buffers().ToDictionary(b => b.name, b => b.buffer);
            foreach (var (bufferName, buffer) in onCpu.named_buffers())
            {
                if (!buffer.is_floating_point())
                    continue;
                double scale = Math.Max(buffer.abs().max().item<float>(), 1e-12);
                statisticDiff = Math.Max(statisticDiff, (buffer - cudaBuffers[bufferName].cpu()).abs().max().item<float>() / scale);
            }
            const double tolerance = 1e-4;
            bool ok = outputDiff <= tolerance * Math.Max(1, outputScale) && gradientDiff <= tolerance && statisticDiff <= tolerance;
            Line($"| {name} | {(train ? "train" : "eval")} | {(tf32 ? "on" : "off")} | {outputDiff:0.0e0} | {outputScale:0.00} | {gradientDiff:0.0e0} | "
                + $"{(onCpu.named_buffers().Any() ? statisticDiff.ToString("0.0e0", CultureInfo.InvariantCulture) : "-")} | {(tf32 ? "(not checked)" : ok ? "yes" : "**NO**")} |");
            return ok || tf32 ? 0 : 1;
        }

        // ---------------------------------------------------------------- 2. Fit on CUDA
        static void TrainOnCuda(Options options)
        {
            Line();
            Line($"## Fit on CUDA: the course CNN on Fashion-MNIST ({options.Epochs} epochs, batch {options.BatchSize}, Adam 1e-3, seed 1)");
            Line();
            var (train, test) = Dataset.FromIdxFolder(options.Data, options.TrainImages);
            using (train)
            using (test)
            using (var model = CnnModel.Create<FashionCnn>(1))
            {
                var clock = Stopwatch.StartNew();
                var history = model.Fit(train, new FitOptions
                {
                    Epochs = options.Epochs, BatchSize = options.BatchSize, Seed = 1, Optimizer = OptimizerSpec.Adam(1e-3), Device = Target,
                    Progress = ProgressMode.None,
                });
                double seconds = clock.Elapsed.TotalSeconds;
                var (testLoss, accuracy) = model.Evaluate(test);
                foreach (var epoch in history.Epochs)
                    Line($"- epoch {epoch.Epoch}: loss {epoch.Loss:0.0000}, accuracy {epoch.Accuracy:P2}, {epoch.Seconds:0.00} s, waited for data {epoch.DataWaitSeconds:0.000} s");
                Line($"- {train.Count:N0} training images, {options.Epochs} epochs in {seconds:0.0} s; test: loss {testLoss:0.0000}, accuracy **{accuracy:P2}** on {test.Count:N0} images; "
                    + $"parameters on {model.parameters().First().device}");
            }
        }

        // ---------------------------------------------------------------- 3. images/s against PyTorch
        sealed record Run(string Contender, int Round, long Images, double Seconds, double Loss)
        {
            public double ImagesPerSecond => Images / Seconds;
        }

        static void Throughput(Options options)
        {
            Line();
            Line($"## Training images/s on CUDA: one epoch of the course CNN, batch {options.BatchSize}, {options.Rounds} alternating rounds");
            Line();
            var (train, test) = Dataset.FromIdxFolder(options.Data, options.TrainImages);
            test.Dispose();
            using var onDevice = new Dataset(train.Inputs.to(Target), train.Targets.to(Target));
            train.Dispose();
            var script = Path.Combine(AppContext.BaseDirectory, "train_pytorch.py");
            // Warm-up: kernels, cuDNN algorithm choice, the allocator.
            RunFit(onDevice, options.BatchSize, 99, 0);
            RunLoop(onDevice, options.BatchSize, 99, 0);
            var contenders = new (string Name, Func<int, Run> Measure)[]
            {
                ("Fit", round => RunFit(onDevice, options.BatchSize, round, round)),
                ("Hand loop", round => RunLoop(onDevice, options.BatchSize, round, round)),
                ("PyTorch", round => RunPyTorch(options, script, round)),
            };
            var runs = new List<Run>();
            for (int round = 1; round <= options.Rounds; round++)
                for (int k = 0; k < contenders.Length; k++)
                {
                    var (name, measure) = contenders[(k + round - 1) % contenders.Length];
                    var run = measure(round);
                    runs.Add(run);
                    Console.WriteLine($"  round {round}: {name,-9} {run.ImagesPerSecond,8:0} images/s ({run.Seconds:0.00} s, loss {run.Loss:0.0000})");
                }
            var names = contenders.Select(c => c.Name).ToArray();
            Line("| Round | " + string.Join(" | ", names) + " |");
            Line("|---:|" + string.Concat(names.Select(_ => "---:|")));
            for (int round = 1; round <= options.Rounds; round++)
                Line($"| {round} | " + string.Join(" | ", names.Select(n => runs.Single(r => r.Round == round && r.Contender == n).ImagesPerSecond.ToString("0", CultureInfo.InvariantCulture))) + " |");
            var median = names.ToDictionary(n => n, n => Median(runs.Where(r => r.Contender == n).Select(r => r.ImagesPerSecond)));
            Line("| **Median** | " + string.Join(" | ", names.Select(n => $"**{median[n]:0}**")) + " |");
            Line();
            Line($"Fit / PyTorch {median["Fit"] / median["PyTorch"]:0.000}; hand loop / PyTorch {median["Hand loop"] / median["PyTorch"]:0.000}; Fit / hand loop {median["Fit"] / median["Hand loop"]:0.000}");
        }

        static Run RunFit(Dataset train, int batchSize, int seed, int round)
        {
            manual_seed(seed);
            using var model = new FashionCnn();
            Synchronize();
            var clock = Stopwatch.StartNew();
            var history = model.Fit(train, new FitOptions
            {
                Epochs = 1, BatchSize = batchSize, Seed = seed, Optimizer = OptimizerSpec.Adam(1e-3), Device = Target, Progress = ProgressMode.None,
            });
            Synchronize();
            return new Run("Fit", round, train.Count, clock.Elapsed.TotalSeconds, history.Epochs[^1].Loss);
        }

        // The hand-written loop on data already on the GPU: index_select of a shuffled permutation per batch.
        static Run RunLoop(Dataset train, int batchSize, int seed, int round)
        {
            manual_seed(seed);
            using var model = new FashionCnn();
            model.to(Target);
            Synchronize();
            var clock = Stopwatch.StartNew();
            using var optimizer = optim.Adam(model.parameters(), 1e-3);
            model.train();
            long count = train.Count;
            using var order = randperm(count, device: Target);
            using var lossSum = zeros(1, device: Target);
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
            Synchronize();
            return new Run("Hand loop", round, count, clock.Elapsed.TotalSeconds, meanLoss);
        }

        static Run RunPyTorch(Options options, string script, int seed)
        {
            var start = new ProcessStartInfo(options.Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { script, "--data", options.Data, "--batch-size", options.BatchSize.ToString(CultureInfo.InvariantCulture),
                         "--images", (options.TrainImages ?? 60000).ToString(CultureInfo.InvariantCulture), "--threads", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), "--warmup", "2048", "--seed", seed.ToString(CultureInfo.InvariantCulture), "--device", Target.type == DeviceType.CUDA ? "cuda" : "cpu" })
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {options.Python}.");
            var errors = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{options.Python} {script} exited with {process.ExitCode}:\n{errors.Result}{output}");
            using var json = JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last());
            var root = json.RootElement;
            if (seed == 1)
                Line($"PyTorch {root.GetProperty("torch").GetString()} on {root.GetProperty("device").GetString()}");
            return new Run("PyTorch", seed, root.GetProperty("images").GetInt64(), root.GetProperty("seconds").GetDouble(), root.GetProperty("loss").GetDouble());
        }

        // ---------------------------------------------------------------- 4. image folder -> pinned memory -> CUDA
        static void ImageFolderOnCuda(Options options)
        {
            Line();
            Line($"## Image folder on CUDA: ResNet-18 at 64x64, {options.FolderImages:N0} Fashion-MNIST PNGs, the course's transforms, 8 workers, pinned memory");
            Line();
            var root = Path.Combine(Path.GetTempPath(), "cnndsl-gpu-folder");
            var (train, test) = Dataset.FromIdxFolder(options.Data, options.FolderImages, 1000);
            var clock = Stopwatch.StartNew();
            WritePngFolder(train, Path.Combine(root, "train"));
            WritePngFolder(test, Path.Combine(root, "test"));
            Line($"- wrote {train.Count + test.Count:N0} PNG files in {clock.Elapsed.TotalSeconds:0.0} s");
            train.Dispose();
            test.Dispose();
            var augment = new Compose(new Resize(72, 72), new RandomResizedCrop(64, scale: (0.6, 1.0)), new RandomHorizontalFlip(), new ToTensor(), Normalize.ImageNet);
            var evaluate = new Compose(new Resize(72, 72), new CenterCrop(64), new ToTensor(), Normalize.ImageNet);
            var folderTrain = new ImageFolder(Path.Combine(root, "train"), augment, evaluate, channels: 3);
            var folderTest = new ImageFolder(Path.Combine(root, "test"), evaluate, channels: 3);
            using var model = CnnModel.Create<ResNet18At64>(1);
            clock.Restart();
            var history = model.Fit(folderTrain, new FitOptions
            {
                Epochs = 2, BatchSize = 64, Seed = 1, Workers = 8, Optimizer = OptimizerSpec.Adam(1e-3), Device = Target, Progress = ProgressMode.None,
            });
            double seconds = clock.Elapsed.TotalSeconds;
            var (_, accuracy) = model.Evaluate(folderTest, batchSize: 256, workers: 8);
            foreach (var epoch in history.Epochs)
                Line($"- epoch {epoch.Epoch}: loss {epoch.Loss:0.0000}, accuracy {epoch.Accuracy:P2}, {epoch.Seconds:0.00} s "
                    + $"({folderTrain.Count / epoch.Seconds:0} images/s), waited for data {epoch.DataWaitSeconds:0.00} s");
            Line($"- 2 epochs in {seconds:0.0} s; test accuracy **{accuracy:P2}** on {folderTest.Count:N0} PNGs");
        }

        static void WritePngFolder(Dataset data, string root)
        {
            using var bytes = data.Inputs.mul(255).round().to_type(ScalarType.Byte);
            var pixels = bytes.data<byte>().ToArray();
            var labels = data.Labels!;
            int height = (int)data.Inputs.shape[2], width = (int)data.Inputs.shape[3], size = height * width;
            for (int i = 0; i < labels.Length; i++)
            {
                var path = Path.Combine(root, labels[i].ToString(CultureInfo.InvariantCulture), $"{i:D5}.png");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
                System.Runtime.InteropServices.Marshal.Copy(pixels, i * size, bitmap.GetPixels(), size);
                using var encoded = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(path, encoded.ToArray());
            }
        }

        static double Median(IEnumerable<double> values)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }

        static Options Parse(string[] args)
        {
            string? data = null;
            string output = "gpu-checks", python = "python3";
            int epochs = 2, rounds = 3, batchSize = 64, folderImages = 6000;
            int? trainImages = null;
            bool rehearse = false;
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                int Number() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{args[i - 1]} needs a positive whole number.");
                switch (args[i])
                {
                    case "--data": data = Value(); break;
                    case "--out": output = Value(); break;
                    case "--python": python = Value(); break;
                    case "--epochs": epochs = Number(); break;
                    case "--rounds": rounds = Number(); break;
                    case "--batch-size": batchSize = Number(); break;
                    case "--folder-images": folderImages = Number(); break;
                    case "--train-images": trainImages = Number(); break;
                    case "--rehearse-on-cpu": rehearse = true; break;
                    default: throw new ArgumentException($"Unknown argument {args[i]}.");
                }
            }
            if (data == null || !File.Exists(Path.Combine(data, "train-images-idx3-ubyte.gz")))
                throw new ArgumentException("--data must name a folder with Fashion-MNIST's IDX files (train-images-idx3-ubyte.gz, ...).");
            return new Options(Path.GetFullPath(data), output, epochs, rounds, batchSize, python, folderImages, trainImages, rehearse);
        }
    }
}
