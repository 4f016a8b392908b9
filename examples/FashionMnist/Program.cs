using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using CnnDsl;
using CnnDsl.Data;
using CnnDsl.Training;
using FashionMnist;
using static TorchSharp.torch;

// Trains the course's Fashion-MNIST CNN (Models/FashionCnn.cnn, checked by the compiler) on the subset this repository
// ships, or on the full data with --data DIR; evaluates it, saves it, reloads it and checks the reloaded predictions.
var arguments = Arguments.Parse(args);
var clock = Stopwatch.StartNew();
if (arguments.Recipes != null)
    return Recipes.Run(arguments.Data ?? throw new ArgumentException("--full and --recipe need --data DIR with all of Fashion-MNIST."), arguments.Recipes, arguments.Seeds);
var dataFolder = arguments.Data ?? Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-subset");
Console.WriteLine($"Data: {dataFolder}");
var loading = Stopwatch.StartNew();
var (train, test) = Dataset.FromIdxFolder(dataFolder, arguments.TrainLimit, keepCompleteImages: arguments.KeepCompleteImages);
// IDX files hold class indices only; the names travel with the trained model (its facts), into every file it is saved as.
string[] classNames = { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };
train = new Dataset(train.Inputs, train.Targets) { ClassNames = classNames };
test = new Dataset(test.Inputs, test.Targets) { ClassNames = classNames };
Console.WriteLine($"{train.Count:N0} training and {test.Count:N0} test images of {string.Join("x", train.Inputs.shape.Skip(1))}, decoded in {loading.Elapsed.TotalSeconds:0.00} s");

manual_seed(arguments.Seed);
using var model = new FashionCnn();
Console.WriteLine();
Console.WriteLine(model.Summary(batchSize: arguments.BatchSize));

var history = model.Fit(train, new FitOptions
{
    Epochs = arguments.Epochs,
    BatchSize = arguments.BatchSize,
    Optimizer = OptimizerSpec.Adam(1e-3),
    Loss = Loss.CrossEntropy,
    ValidationSplit = 0.1,
    Seed = arguments.Seed,
    Callbacks = new Callback[]
    {
        new EarlyStopping("val_loss", patience: 2, restoreBestWeights: true),
        new ReduceLROnPlateau("val_loss", factor: 0.5, patience: 1),
    },
});

var (testLoss, testAccuracy) = model.Evaluate(test);
Console.WriteLine();
Console.WriteLine($"Test loss {testLoss:0.0000}, test accuracy {testAccuracy:P2} on {test.Count:N0} images after {history.Epochs.Count} epoch(s)");

var weights = Path.Combine(arguments.Output, "fashion-cnn.weights");
Directory.CreateDirectory(arguments.Output);
model.SaveWeights(weights);
using var reloaded = new FashionCnn();
reloaded.LoadWeights(weights);
using var before = model.Predict(test.Inputs);
using var after = reloaded.Predict(test.Inputs);
bool identical = before.shape.SequenceEqual(after.shape) && before.eq(after).all().item<bool>();
Console.WriteLine($"Saved {weights} ({new FileInfo(weights).Length / 1e6:0.0} MB); reloaded predictions are {(identical ? "identical" : "DIFFERENT")}");
// For serving without libtorch: dotnet run --project examples/Serving -- --model output/fashion-cnn.onnx
var onnx = Path.Combine(arguments.Output, "fashion-cnn.onnx");
model.ExportOnnx(onnx);
Console.WriteLine($"Exported {onnx} with its class names, for ONNX Runtime (examples/Serving, cnn predict)");
Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:0} s");
return identical ? 0 : 1;

sealed record Arguments(string? Data, int Epochs, int BatchSize, int Seed, string Output, bool KeepCompleteImages, int? TrainLimit = null)
{
    /// <summary>The accuracy runs to do (course, best), comma-separated; null for the quick run.</summary>
    public string? Recipes { get; init; }
    public IReadOnlyList<int> Seeds { get; init; } = new[] { 1, 2, 3 };

    public static Arguments Parse(string[] args)
    {
        var result = new Arguments(null, 5, 64, 42, "out", false);
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            result = args[i] switch
            {
                "--data" => result with { Data = Value() },
                "--epochs" => result with { Epochs = int.Parse(Value()) },
                "--batch-size" => result with { BatchSize = int.Parse(Value()) },
                "--seed" => result with { Seed = int.Parse(Value()) },
                "--output" => result with { Output = Value() },
                "--keep-complete-images" => result with { KeepCompleteImages = true },
                "--train-limit" => result with { TrainLimit = int.Parse(Value()) },
                "--full" => result with { Recipes = "course,best" },
                "--recipe" => result with { Recipes = Value() },
                "--seeds" => result with { Seeds = Value().Split(',').Select(int.Parse).ToArray() },
                _ => throw new ArgumentException($"Unknown option {args[i]}; use --data DIR, --epochs N, --batch-size N, --seed N, --output DIR, --train-limit N, --keep-complete-images, "
                    + "or --full (the accuracy runs on all of Fashion-MNIST; --recipe course|best|course,best and --seeds 1,2,3 choose them)."),
            };
        }
        return result;
    }
}
