using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Weights;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Compiler.Tests;

/// <summary>Weights across frameworks: safetensors files, PyTorch's keys and order, and numeric parity with torchvision.</summary>
public class WeightsTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-weights-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    const string ZooSource = """
        model AlexNet = alexnet
          input 3x224x224
        model Vgg11 = vgg11
          input 3x224x224
        model Vgg11Bn = vgg11_bn
          input 3x224x224
        model Vgg16 = vgg16
          input 3x224x224
        model Vgg16Bn = vgg16_bn
          input 3x224x224
        model ResNet18 = resnet18
          input 3x224x224
        model ResNet34 = resnet34
          input 3x224x224
        model ResNet50 = resnet50
          input 3x224x224
        model MobileNetV2 = mobilenet_v2
          input 3x224x224
        model Vgg19 = vgg19
          input 3x224x224
        model Vgg19Bn = vgg19_bn
          input 3x224x224
        model ResNet101 = resnet101
          input 3x224x224
        model ResNet152 = resnet152
          input 3x224x224
        model SmallResNet18 = resnet18 classes=10
          input 3x64x64
        model SmallMobileNetV2 = mobilenet_v2 classes=10
          input 3x64x64
        """;

    static readonly Lazy<System.Reflection.Assembly> Zoo = new(() => LoadedModels.Load(GeneratorHarness.RunCnn(ZooSource)));

    [PyTorchFact]
    public void Zoo_state_dict_keys_order_shapes_and_counts_equal_torchvision()
    {
        var models = new Dictionary<string, string>
        {
            ["alexnet"] = "AlexNet", ["vgg11"] = "Vgg11", ["vgg11_bn"] = "Vgg11Bn", ["vgg16"] = "Vgg16", ["vgg16_bn"] = "Vgg16Bn",
            ["resnet18"] = "ResNet18", ["resnet34"] = "ResNet34", ["resnet50"] = "ResNet50", ["mobilenet_v2"] = "MobileNetV2",
            ["vgg19"] = "Vgg19", ["vgg19_bn"] = "Vgg19Bn", ["resnet101"] = "ResNet101", ["resnet152"] = "ResNet152",
        };
        var torchvision = JsonDocument.Parse(RunScript("keys " + string.Join(" ", models.Keys))).RootElement;
        foreach (var (zooName, className) in models)
        {
            var expected = torchvision.GetProperty(zooName).EnumerateArray()
                .Select(e => e[0].GetString() + " " + string.Join("x", e[1].EnumerateArray().Select(d => d.GetInt64()))).ToList();
            using var module = LoadedModels.Create(Zoo.Value, "Models." + className);
            var actual = StateDict.Ordered(module).Select(e => e.Key + " " + string.Join("x", e.Tensor.shape)).ToList();
            Assert.True(expected.SequenceEqual(actual), $"{zooName}: first difference at {expected.Zip(actual).TakeWhile(p => p.First == p.Second).Count()}: "
                + $"{expected.ElementAtOrDefault(expected.Zip(actual).TakeWhile(p => p.First == p.Second).Count())} vs {actual.ElementAtOrDefault(expected.Zip(actual).TakeWhile(p => p.First == p.Second).Count())}");
        }
    }

    [PyTorchFact]
    public void Torchvision_weights_give_the_same_logits_here_and_back_in_pytorch()
    {
        foreach (var (zooName, className) in new[] { ("resnet18", "SmallResNet18"), ("mobilenet_v2", "SmallMobileNetV2") })
        {
            var weights = Path.Combine(folder, zooName + ".safetensors");
            var check = Path.Combine(folder, zooName + ".check.safetensors");
            RunScript($"export {zooName} {weights} --classes 10 --randomize 3 --input 2,3,64,64 --check {check}");

            using var module = LoadedModels.Create(Zoo.Value, "Models." + className);
            var report = module.LoadSafeTensors(weights);
            Assert.True(report.IsComplete);
            module.eval();
            var expected = SafeTensors.Read(check).ToDictionary(e => e.Name, e => e.Tensor);
            using (no_grad())
            using (var logits = module.call(expected["input"]))
            {
                double difference = (logits - expected["logits"]).abs().max().item<float>();
                Assert.True(difference < 1e-4, $"{zooName}: logits differ from PyTorch's by {difference}");
            }

            var saved = Path.Combine(folder, zooName + ".fromcnndsl.safetensors");
            module.SaveSafeTensors(saved);
            var back = JsonDocument.Parse(RunScript($"run {zooName} {saved} {check} --classes 10")).RootElement.GetProperty("max_abs_diff").GetDouble();
            Assert.True(back < 1e-4, $"{zooName}: PyTorch's logits with the weights saved here differ by {back}");
        }
    }

    [Fact]
    public void Safetensors_round_trip_keeps_names_order_dtypes_and_values()
    {
        var path = Path.Combine(folder, "round.safetensors");
        manual_seed(5);
        var tensors = new (string, Tensor)[] { ("b.weight", randn(3, 4)), ("a.count", tensor(42L)), ("c.half", randn(5).to(ScalarType.Float16)), ("empty", zeros(0, 3)) };
        SafeTensors.Write(path, tensors);
        var read = SafeTensors.Read(path);
        Assert.Equal(tensors.Select(t => t.Item1), read.Select(r => r.Name));
        for (int i = 0; i < tensors.Length; i++)
        {
            Assert.Equal(tensors[i].Item2.dtype, read[i].Tensor.dtype);
            Assert.Equal(tensors[i].Item2.shape, read[i].Tensor.shape);
            if (tensors[i].Item2.numel() > 0)
                Assert.Equal(tensors[i].Item2.to(ScalarType.Float64).data<double>().ToArray(), read[i].Tensor.to(ScalarType.Float64).data<double>().ToArray());
        }
    }

    [Fact]
    public void Broken_safetensors_files_name_the_file_and_the_problem()
    {
        var path = Path.Combine(folder, "model.safetensors");
        SafeTensors.Write(path, new[] { ("w", ones(10, 10)) });
        var bytes = File.ReadAllBytes(path);

        File.WriteAllBytes(path, bytes[..^8]);
        var truncated = Assert.Throws<CnnDsl.InvalidFileException>(() => SafeTensors.Read(path));
        Assert.Equal($"{path} is not a valid safetensors file: tensor 'w' ends at byte 400 of the data, past its end at 392 (the file is truncated).", truncated.Message);

        File.WriteAllBytes(path, bytes[..5]);
        Assert.Contains("fewer than the 8 of the header length", Assert.Throws<CnnDsl.InvalidFileException>(() => SafeTensors.Read(path)).Message);

        var corrupt = (byte[])bytes.Clone();
        BitConverter.GetBytes(long.MaxValue).CopyTo(corrupt, 0);
        File.WriteAllBytes(path, corrupt);
        Assert.Contains("header length", Assert.Throws<CnnDsl.InvalidFileException>(() => SafeTensors.Read(path)).Message);
    }

    [Fact]
    public void A_checkpoint_that_does_not_fit_names_the_key_and_both_shapes()
    {
        using var module = LoadedModels.Create(Zoo.Value, "Models.SmallResNet18");
        var state = StateDict.Ordered(module).ToList();
        var path = Path.Combine(folder, "wrong.safetensors");

        SafeTensors.Write(path, state.Select(e => e.Key == "fc.weight" ? (e.Key, zeros(10, 256)) : (e.Key, e.Tensor)));
        var shape = Assert.Throws<ArgumentException>(() => module.LoadSafeTensors(path));
        Assert.Equal($"{path}: tensor 'fc.weight' has shape [10, 256] in the file but [10, 512] in the model.", shape.Message);

        SafeTensors.Write(path, state.Where(e => e.Key != "layer4.1.bn2.running_var").Append(("head.extra", zeros(1))));
        var strict = Assert.Throws<ArgumentException>(() => module.LoadSafeTensors(path));
        Assert.Equal($"{path} does not fit the model: missing 1 key(s) (layer4.1.bn2.running_var); unexpected 1 key(s) (head.extra). Pass strict: false to load the keys that match.", strict.Message);
        var report = module.LoadSafeTensors(path, strict: false);
        Assert.Equal(new[] { "layer4.1.bn2.running_var" }, report.MissingKeys);
        Assert.Equal(new[] { "head.extra" }, report.UnexpectedKeys);
    }

    [PyTorchFact]
    public void The_export_script_says_loudly_when_weights_are_random_and_fetches_pretrained_ones_only_when_asked()
    {
        var folder = Directory.CreateTempSubdirectory("cnndsl-export-").FullName;
        try
        {
            var path = Path.Combine(folder, "resnet18.safetensors");
            var (code, error) = RunScriptForExit($"export resnet18 {path} --classes 10", folder);
            Assert.Equal(0, code);
            Assert.Contains("RANDOM weights", error);
            Assert.Contains("--weights DEFAULT", error);
            Assert.True(File.Exists(path));

            (code, error) = RunScriptForExit($"export resnet18 {path} --weights DEFAULT --classes 10", folder);
            Assert.NotEqual(0, code);
            Assert.Contains("1000 ImageNet classes", error);

            // An empty torchvision cache: the weights must be downloaded. Offline that is one clear error; online the
            // file holds the pretrained weights and no warning.
            File.Delete(path);
            (code, error) = RunScriptForExit($"export resnet18 {path} --weights DEFAULT", folder);
            if (code == 0)
            {
                Assert.DoesNotContain("RANDOM", error);
                Assert.True(new FileInfo(path).Length > 40_000_000);
            }
            else
            {
                Assert.Contains("could not load resnet18's pretrained weights 'DEFAULT'", error);
                Assert.Contains("needs the internet", error);
                Assert.DoesNotContain("Traceback", error);
                Assert.False(File.Exists(path));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    static (int ExitCode, string Error) RunScriptForExit(string arguments, string torchHome, [CallerFilePath] string testFile = "")
    {
        var script = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(testFile)!, "..", "..", "scripts", "export_torchvision.py"));
        var start = new ProcessStartInfo(PyTorchOracle.Python, $"{script} {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["TORCH_HOME"] = torchHome;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, error.Result + output.Result);
    }

    static string RunScript(string arguments, [CallerFilePath] string testFile = "")
    {
        var script = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(testFile)!, "..", "..", "scripts", "export_torchvision.py"));
        var start = new ProcessStartInfo(PyTorchOracle.Python, $"{script} {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error.Result);
        return output.Result;
    }
}
