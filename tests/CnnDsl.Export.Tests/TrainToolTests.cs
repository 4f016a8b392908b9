using System;
using System.Globalization;
using System.IO;
using System.Linq;
using CnnDsl.Dsl;
using CnnDsl.Export.Tests.Infrastructure;
using CnnDsl.Weights;
using SkiaSharp;
using Xunit;

namespace CnnDsl.Export.Tests;

/// <summary>cnn-train, run as a real process: a .cnn model trained on IDX and image folders with no C#, and its predictions.</summary>
public class TrainToolTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-train-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static string RepositoryFile(string relative)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory != null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "CnnDsl.sln")))
                return Path.Combine(directory.FullName, relative);
        throw new InvalidOperationException("The repository root (CnnDsl.sln) is not above " + AppContext.BaseDirectory);
    }

    const string Tiny = "model Tiny\n  input 1x28x28\n  conv2d 8, 3, activation=relu\n  maxpool2d 2\n  flatten\n  dense 10\n";

    [Fact]
    public void Training_on_an_idx_folder_writes_weights_history_and_curves_that_export_to_onnx()
    {
        File.WriteAllText(Path.Combine(folder, "tiny.cnn"), Tiny);
        var data = RepositoryFile("examples/data/fashion-mnist-subset");
        var trained = CnnTool.RunTrain(folder, "train", "tiny.cnn", "--data", data, "--epochs", "2", "--batch-size", "64", "--out", "run");
        Assert.True(trained.ExitCode == 0, trained.ToString());
        Assert.Contains("Epoch 2/2", trained.Output);
        foreach (var name in new[] { "Tiny.safetensors", "history.csv", "curves.png", "checkpoint", "best.weights" })
            Assert.True(File.Exists(Path.Combine(folder, "run", name)), name + " is missing:\n" + trained);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(folder, "run", "history.csv")).Length);
        foreach (var run in new[] { "train", "validation" })
            Assert.Single(Directory.GetFiles(Path.Combine(folder, "run", "logs", run), "events.out.tfevents.*"));
        var accuracy = double.Parse(trained.Output.Split("accuracy ")[^1].Split(" %")[0], CultureInfo.InvariantCulture);
        Assert.True(accuracy > 60, $"test accuracy {accuracy}% after 2 epochs on 6,000 Fashion-MNIST images:\n{trained}");

        // The trained weights export with the cnn tool, and ONNX Runtime gives what the built module gives with them.
        var exported = CnnTool.Run(folder, "export", "tiny.cnn", "--onnx", "tiny.onnx", "--weights", "run/Tiny.safetensors");
        Assert.True(exported.ExitCode == 0, exported.ToString());
        var model = CnnCompilation.Compile(Tiny, "tiny.cnn").Models.Single();
        using var module = new RuntimeModule(model);
        module.LoadSafeTensors(Path.Combine(folder, "run", "Tiny.safetensors"));
        var shapes = new[] { new long[] { 1, 28, 28 } };
        TorchVsOnnx.AssertEqual(TorchVsOnnx.Compare(module, model, shapes, seed: 1, "Tiny", File.ReadAllBytes(Path.Combine(folder, "tiny.onnx"))), shapes, "trained Tiny");
    }

    static void WriteImage(string path, byte grey, int seed)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var random = new Random(seed);
        using var bitmap = new SKBitmap(8, 8, SKColorType.Gray8, SKAlphaType.Opaque);
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
            {
                var value = (byte)Math.Clamp(grey + random.Next(-30, 31), 0, 255);
                bitmap.SetPixel(x, y, new SKColor(value, value, value));
            }
        using var file = File.Create(path);
        bitmap.Encode(file, SKEncodedImageFormat.Png, 100);
    }

    [Fact]
    public void Training_on_an_image_folder_learns_its_classes_and_predict_names_them()
    {
        for (int i = 0; i < 40; i++)
        {
            var split = i < 30 ? "train" : "test";
            WriteImage(Path.Combine(folder, "images", split, "dark", $"{i}.png"), 40, i);
            WriteImage(Path.Combine(folder, "images", split, "light", $"{i}.png"), 215, 100 + i);
        }
        File.WriteAllText(Path.Combine(folder, "shades.cnn"), "model Shades\n  input 1x8x8\n  flatten\n  dense 2\n");
        var trained = CnnTool.RunTrain(folder, "train", "shades.cnn", "--data", "images", "--epochs", "30", "--batch-size", "8", "--learning-rate", "0.05", "--out", "run");
        Assert.True(trained.ExitCode == 0, trained.ToString());
        Assert.Contains("Test: loss", trained.Output);
        Assert.Contains("accuracy 100.00 % on 20 samples", trained.Output);

        // Prediction is the cnn tool's, with ONNX Runtime: cnn-train points there with the same arguments.
        var moved = CnnTool.RunTrain(folder, "predict", "shades.cnn", "--weights", "run/Shades.safetensors", Path.Combine("images", "test"));
        Assert.Equal(2, moved.ExitCode);
        Assert.Contains("cnn predict shades.cnn --weights run/Shades.safetensors " + Path.Combine("images", "test"), moved.Error);
        var predicted = CnnTool.Run(folder, "predict", "shades.cnn", "--weights", "run/Shades.safetensors", Path.Combine("images", "test"));
        Assert.True(predicted.ExitCode == 0, predicted.ToString());
        var lines = predicted.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(20, lines.Length);
        foreach (var line in lines)
        {
            var expected = line.Contains(Path.DirectorySeparatorChar + "dark" + Path.DirectorySeparatorChar) ? "dark" : "light";
            Assert.Contains(": " + expected + " (", line);
        }
        // The class names came from the weights file's facts; nothing lies beside it.
        Assert.False(File.Exists(Path.Combine(folder, "run", "Shades.safetensors.classes.txt")));

        // Exported with the weights, the facts are in the ONNX file's metadata_props.
        var exported = CnnTool.Run(folder, "export", "shades.cnn", "--onnx", "shades.onnx", "--weights", "run/Shades.safetensors");
        Assert.True(exported.ExitCode == 0, exported.ToString());
        var onnx = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(folder, "shades.onnx")));
        var facts = ModelFacts.FromJson(onnx.MetadataProps.Single(p => p.Key == ModelFacts.MetadataKey).Value, "shades.onnx");
        Assert.Equal(new[] { "dark", "light" }, facts.ClassNames);
        Assert.Equal("Shades", facts.Model);
        Assert.Equal("CrossEntropy", facts.LossName);
        Assert.Equal(new[] { "Resize(8, 8)", "ToTensor()" }, facts.EvaluationTransforms!.Select(t => t.ToString()));
    }

    [Fact]
    public void A_val_folder_is_the_validation_data_and_folders_with_other_classes_are_refused_by_name()
    {
        for (int i = 0; i < 24; i++)
        {
            var split = i < 16 ? "train" : "val";
            WriteImage(Path.Combine(folder, "images", split, "dark", $"{i}.png"), 40, i);
            WriteImage(Path.Combine(folder, "images", split, "light", $"{i}.png"), 215, 100 + i);
        }
        File.WriteAllText(Path.Combine(folder, "shades.cnn"), "model Shades\n  input 1x8x8\n  flatten\n  dense 2\n");
        var trained = CnnTool.RunTrain(folder, "train", "shades.cnn", "--data", "images", "--epochs", "2", "--batch-size", "8", "--out", "run");
        Assert.True(trained.ExitCode == 0, trained.ToString());
        Assert.Contains("validation on " + Path.Combine("images", "val"), trained.Output);
        // Every training image is trained on (none held out): 16 + 16 in each epoch's progress.
        var history = File.ReadAllLines(Path.Combine(folder, "run", "history.csv"));
        Assert.All(history.Skip(1), line => Assert.False(string.IsNullOrEmpty(line.Split(',')[3]), "a validation loss in every epoch: " + line));

        // A validation folder without one of the training classes, and with one of its own.
        Directory.Move(Path.Combine(folder, "images", "val", "light"), Path.Combine(folder, "images", "val", "bright"));
        var refused = CnnTool.RunTrain(folder, "train", "shades.cnn", "--data", "images", "--epochs", "1", "--out", "run2");
        Assert.True(refused.ExitCode != 0, refused.ToString());
        Assert.Contains("does not have the classes of " + Path.Combine("images", "train") + ": missing 'light'; extra 'bright'", refused.Error);
    }

    [Theory]
    [InlineData("train|tiny.cnn|--data|nowhere", "--data 'nowhere' is not a folder")]
    [InlineData("train|wide.cnn|--data|{fashion}", "Wide takes inputs of 3x32x32, but the data in")]
    public void Mistakes_are_one_line_and_a_non_zero_exit_code(string arguments, string expected)
    {
        File.WriteAllText(Path.Combine(folder, "tiny.cnn"), Tiny);
        File.WriteAllText(Path.Combine(folder, "wide.cnn"), "model Wide\n  input 3x32x32\n  flatten\n  dense 10\n");
        var result = CnnTool.RunTrain(folder, arguments.Replace("{fashion}", RepositoryFile("examples/data/fashion-mnist-subset")).Split('|'));
        Assert.True(result.ExitCode != 0, result.ToString());
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, result.ToString());
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", result.Output + result.Error);
    }

    [Fact]
    public void Where_libtorch_cannot_load_the_tool_says_why_in_one_line()
    {
        // The tool's files without libtorch_cpu.so, as on a machine where its libtorch package is missing: TorchSharp
        // alone would fail in a type initializer at the first tensor; the tool names the missing library instead.
        var app = Directory.CreateDirectory(Path.Combine(folder, "app")).FullName;
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory))
            File.Copy(file, Path.Combine(app, Path.GetFileName(file)));
        var native = Path.Combine("runtimes", "linux-x64", "native");
        Directory.CreateDirectory(Path.Combine(app, native));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, native)).Where(f => Path.GetFileName(f) != "libtorch_cpu.so"))
            File.Copy(file, Path.Combine(app, native, Path.GetFileName(file)));
        for (int i = 0; i < 4; i++)
            WriteImage(Path.Combine(folder, "images", i % 2 == 0 ? "dark" : "light", $"{i}.png"), (byte)(i % 2 == 0 ? 40 : 215), i);
        File.WriteAllText(Path.Combine(folder, "shades.cnn"), "model Shades\n  input 1x8x8\n  flatten\n  dense 2\n");

        var result = CnnTool.RunTool(Path.Combine(app, "cnn-train.dll"), folder, new[] { "train", "shades.cnn", "--data", "images", "--epochs", "1" });
        Assert.True(result.ExitCode == 1, result.ToString());
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, result.ToString());
        Assert.StartsWith("cnn-train: error: libtorch could not be loaded.", lines[0]);
        Assert.Contains("has libLibTorchSharp.so but no libtorch_cpu.so", lines[0]);
        Assert.DoesNotContain("   at ", result.Output + result.Error);
    }
}
