using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using CnnDsl;
using CnnDsl.Data;
using CnnDsl.Plots;
using CnnDsl.Training;
using CnnDsl.Vision;
using CnnDsl.Weights;
using SkiaSharp;
using TransferLearning;
using static TorchSharp.torch;

// Pretrain -> transfer -> explain, on the data at hand (no pretrained ImageNet weights can be downloaded here):
// 1. pretrain DigitCnn on Fashion-MNIST; 2. train it on MNIST digits (a) from scratch, (b) frozen backbone + new head,
// (c) fine-tuned with a lower backbone learning rate, same epochs and seed; 3. draw what the fine-tuned model sees;
// 4. the course's own flow: MNIST written as PNG class folders, read by ImageFolder with the course's transforms, a zoo
// ResNet-18 trained at 64x64. The default is a quick run on subsets; --full runs the complete experiment.
var options = Options.Parse(args);
var total = Stopwatch.StartNew();
Directory.CreateDirectory(options.Output);
var pictures = options.Pictures ?? Path.Combine(options.Output, "pictures");
Directory.CreateDirectory(pictures);
string Folder(string name) => Path.Combine(options.DataRoot, name) is var path && Directory.Exists(path) ? path
    : throw new DirectoryNotFoundException($"{path} is missing; pass --data-root DIR holding fashion-mnist/ and mnist-sample/ (IDX files).");
var fashionNames = new[] { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };
var digitNames = Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray();
Console.WriteLine(options.Full ? "Full run" : "Quick run (pass --full for the complete experiment)");

// 1. Pretraining on Fashion-MNIST.
var (fashion, fashionTest) = Dataset.FromIdxFolder(Folder("fashion-mnist"), options.Full ? null : 12000, options.Full ? null : 2000);
var backbone = Path.Combine(options.Output, "fashion-backbone.safetensors");
var clock = Stopwatch.StartNew();
using (var pretrained = CnnModel.Create<DigitCnn>(options.Seeds[0]))
{
    pretrained.Fit(fashion, new FitOptions { Epochs = options.PretrainEpochs, BatchSize = 64, Seed = options.Seeds[0], Optimizer = OptimizerSpec.Adam(1e-3), Device = CPU });
    var (_, accuracy) = pretrained.Evaluate(fashionTest);
    pretrained.SaveSafeTensors(backbone);
    Console.WriteLine($"Pretrained on {fashion.Count:N0} Fashion-MNIST images in {clock.Elapsed.TotalSeconds:0} s: {accuracy:P2} on {fashionTest.Count:N0} test images");
}

// 2. Transfer to digits, three ways, same epochs and seeds.
var (digits, digitsTest) = Dataset.FromIdxFolder(Folder("mnist-sample"), options.Full ? null : 2000);
var results = new List<(string Variant, int Seed, double Accuracy, double Seconds)>();
DigitCnn? explained = null;
History? explainedHistory = null;
EarlyStopping? explainedStopping = null;
foreach (var seed in options.Seeds)
{
    foreach (var variant in new[] { "scratch", "frozen", "fine-tuned" })
    {
        var model = CnnModel.Create<DigitCnn>(seed);
        var optimizer = OptimizerSpec.Adam(1e-3);
        if (variant != "scratch")
        {
            // The backbone from Fashion-MNIST; the head (dense) starts afresh.
            var report = model.LoadSafeTensors(backbone, skip: "dense.*");
            if (seed == options.Seeds[0] && variant == "frozen")
                Console.WriteLine(report);
        }
        if (variant == "frozen")
            model.FreezeAllExcept("dense");
        if (variant == "fine-tuned")
            optimizer = optimizer.WithLearningRate("conv2d", 1e-4).WithLearningRate("batch_normalization", 1e-4).WithLearningRate("conv2d_1", 1e-4);
        var stopping = new EarlyStopping("val_loss", patience: 2, restoreBestWeights: true);
        clock.Restart();
        var history = model.Fit(digits, new FitOptions
        {
            Epochs = options.TransferEpochs, BatchSize = 64, Seed = seed, Optimizer = optimizer, ValidationSplit = 0.1, Device = CPU,
            Progress = ProgressMode.None, Callbacks = new Callback[] { stopping },
        });
        double seconds = clock.Elapsed.TotalSeconds;
        var (_, accuracy) = model.Evaluate(digitsTest);
        results.Add((variant, seed, accuracy ?? 0, seconds));
        Console.WriteLine($"  seed {seed}, {variant,-10}: test accuracy {accuracy:P2} on {digitsTest.Count:N0} digits, {seconds:0.0} s");
        if (variant == "fine-tuned" && explained == null)
        {
            (explained, explainedHistory, explainedStopping) = (model, history, stopping);
            continue;
        }
        model.Dispose();
    }
}
Console.WriteLine();
Console.WriteLine($"Transfer to {digits.Count:N0} MNIST digits, {options.TransferEpochs} epoch(s), seeds {string.Join(", ", options.Seeds)}:");
foreach (var group in results.GroupBy(r => r.Variant))
{
    var accuracies = group.Select(r => r.Accuracy).ToArray();
    double mean = accuracies.Average(), spread = accuracies.Length > 1 ? Math.Sqrt(accuracies.Sum(a => (a - mean) * (a - mean)) / (accuracies.Length - 1)) : 0;
    Console.WriteLine($"  {group.Key,-10}: {mean:P2} mean test accuracy (sd {spread * 100:0.00} points, min {accuracies.Min():P2}, max {accuracies.Max():P2}), {group.Average(r => r.Seconds):0.0} s per run");
}

// 3. What the fine-tuned model sees.
if (explained == null || explainedHistory == null)
    throw new InvalidOperationException("No fine-tuned model was kept.");
explained.SetClassNames(digitNames);
TrainingCurves.Save(explainedHistory, Path.Combine(pictures, "curves.png"), explainedStopping);
var confusion = ConfusionMatrix.Of(explained, digitsTest);
confusion.SavePng(Path.Combine(pictures, "confusion.png"));
using (var sample = digitsTest.Inputs.narrow(0, 0, 32))
using (var probabilities = explained.Predict(sample))
    ImageGrid.SaveSamples(sample, digitsTest.Labels!.Take(32).ToArray(), probabilities.argmax(1).data<long>().ToArray(), digitNames, Path.Combine(pictures, "samples.png"), columns: 8, scale: 2);
var conv = new LayerHandle("conv2d_1", new long[] { 64, 14, 14 }, "relu");
using (var first = digitsTest.Inputs.narrow(0, 0, 1))
    ImageGrid.SaveFeatureMaps(explained.Activations(first, conv)[0], Path.Combine(pictures, "feature-maps.png"), columns: 16, scale: 3);
ImageGrid.SaveFilters(explained.state_dict()["conv2d.weight"], Path.Combine(pictures, "filters.png"), scale: 8);
using (var few = digitsTest.Inputs.narrow(0, 0, 4))
using (var heat = explained.GradCam(few, conv, method: CamMethod.HiResCam))
    ImageGrid.SaveGradCam(few, heat, Path.Combine(pictures, "grad-cam.png"), digitsTest.Labels!.Take(4).Select(l => $"digit {l}").ToArray());
Console.WriteLine($"Pictures in {pictures}; confusion matrix accuracy {confusion.Accuracy:P2}");
explained.Dispose();

// 4. The course's flow: an image folder, the course's transforms, a zoo ResNet-18 at 64x64.
if (options.SkipResNet)
{
    Console.WriteLine($"Done in {total.Elapsed.TotalSeconds:0} s (ResNet-18 part skipped)");
    return 0;
}
var png = Path.Combine(options.Output, "mnist-png");
int trainImages = options.Full ? (int)digits.Count : 600, testImages = options.Full ? (int)digitsTest.Count : 300;
WritePngFolder(digits, Path.Combine(png, "train"), trainImages);
WritePngFolder(digitsTest, Path.Combine(png, "test"), testImages);
var course = new Compose(new Resize(72, 72), new RandomResizedCrop(64, scale: (0.6, 1.0)), new ToTensor(), Normalize.ImageNet);
var folderTrain = new ImageFolder(Path.Combine(png, "train"), course, channels: 3);
var folderTest = new ImageFolder(Path.Combine(png, "test"), course, channels: 3);
using (var resnet = CnnModel.Create<CourseResNet>(options.Seeds[0]))
{
    clock.Restart();
    var history = resnet.Fit(folderTrain, new FitOptions
    {
        Epochs = options.ResNetEpochs, BatchSize = 32, Seed = options.Seeds[0], Workers = 2, Optimizer = OptimizerSpec.Adam(1e-3), Device = CPU,
    });
    var (_, accuracy) = resnet.Evaluate(folderTest, batchSize: 64, workers: 2);
    Console.WriteLine($"ResNet-18 at 64x64 on {folderTrain.Count:N0} PNG digits ({string.Join(", ", folderTrain.ClassNames)}), {history.Epochs.Count} epoch(s) in {clock.Elapsed.TotalSeconds:0} s "
        + $"(waiting for data {history.Epochs.Sum(e => e.DataWaitSeconds):0.0} s): {accuracy:P2} on {folderTest.Count:N0} test PNGs");
}
Console.WriteLine($"Done in {total.Elapsed.TotalSeconds:0} s");
fashion.Dispose();
fashionTest.Dispose();
digits.Dispose();
digitsTest.Dispose();
return 0;

// Writes the first `count` images as grey PNG files in one folder per class, as the course's data comes.
static void WritePngFolder(Dataset data, string root, int count)
{
    using var bytes = data.Inputs.narrow(0, 0, count).mul(255).round().to_type(ScalarType.Byte);
    var pixels = bytes.data<byte>().ToArray();
    var labels = data.Labels!;
    int size = (int)(data.Inputs.shape[2] * data.Inputs.shape[3]);
    for (int i = 0; i < count; i++)
    {
        var path = Path.Combine(root, labels[i].ToString(), $"{i:D5}.png");
        if (File.Exists(path))
            continue;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(28, 28, SKColorType.Gray8, SKAlphaType.Opaque));
        System.Runtime.InteropServices.Marshal.Copy(pixels, i * size, bitmap.GetPixels(), size);
        using var encoded = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, encoded.ToArray());
    }
}

sealed record Options(string DataRoot, bool Full, int[] Seeds, string Output, string? Pictures, bool SkipResNet = false)
{
    public int PretrainEpochs => Full ? 3 : 1;
    public int TransferEpochs => Full ? 4 : 2;
    public int ResNetEpochs => Full ? 2 : 1;

    public static Options Parse(string[] args)
    {
        var result = new Options(Path.Combine("..", "shared", "data"), false, new[] { 1 }, "out", null);
        int? seeds = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            result = args[i] switch
            {
                "--data-root" => result with { DataRoot = Value() },
                "--full" => result with { Full = true },
                "--seeds" => (seeds = int.Parse(Value())) is int _ ? result : result,
                "--output" => result with { Output = Value() },
                "--pictures" => result with { Pictures = Value() },
                "--skip-resnet" => result with { SkipResNet = true },
                _ => throw new ArgumentException($"Unknown option {args[i]}; use --data-root DIR, --full, --seeds N, --output DIR, --pictures DIR, --skip-resnet."),
            };
        }
        int n = seeds ?? (result.Full ? 3 : 1);
        return result with { Seeds = Enumerable.Range(1, n).ToArray() };
    }
}
