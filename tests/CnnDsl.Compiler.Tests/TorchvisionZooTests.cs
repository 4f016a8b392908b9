using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl;
using CnnDsl.Weights;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// The zoo's MobileNetV3, EfficientNet-B0, DenseNet-121, GoogLeNet and Inception V3 (and ResNet-101): torchvision 0.14's
/// counts and state_dict keys, order and shapes; logits equal to torchvision's on random weights moved through
/// safetensors both ways; the accepted input sizes where torchvision runs; and torchvision's files with auxiliary
/// classifiers loading through a skip pattern.
/// </summary>
public class TorchvisionZooTests(ITestOutputHelper output) : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-tv-zoo-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    // Full-size models for keys and counts (never run here), and small ones (classes=10) for logits.
    const string Source = """
        model MobileNetV3Small = mobilenet_v3_small
          input 3x224x224
        model MobileNetV3Large = mobilenet_v3_large
          input 3x224x224
        model EfficientNetB0 = efficientnet_b0
          input 3x224x224
        model DenseNet121 = densenet121
          input 3x224x224
        model GoogLeNet = googlenet
          input 3x224x224
        model InceptionV3 = inception_v3
          input 3x299x299
        model SmallMobileNetV3Small = mobilenet_v3_small classes=10
          input 3x64x64
        model SmallMobileNetV3Large = mobilenet_v3_large classes=10
          input 3x64x64
        model SmallEfficientNetB0 = efficientnet_b0 classes=10
          input 3x64x64
        model SmallDenseNet121 = densenet121 classes=10
          input 3x64x64
        model SmallGoogLeNet = googlenet classes=10, transform_input=1
          input 3x64x64
        model SmallInceptionV3 = inception_v3 classes=10, transform_input=1
          input 3x80x80
        model SmallResNet101 = resnet101 classes=10
          input 3x64x64
        model VariableGoogLeNet = googlenet classes=10
          input 3xHxW
        """;

    static readonly Lazy<System.Reflection.Assembly> Zoo = new(() => LoadedModels.Load(GeneratorHarness.RunCnn(Source)));

    static readonly (string Zoo, string Class)[] FullSize =
    {
        ("mobilenet_v3_small", "MobileNetV3Small"), ("mobilenet_v3_large", "MobileNetV3Large"), ("efficientnet_b0", "EfficientNetB0"),
        ("densenet121", "DenseNet121"), ("googlenet", "GoogLeNet"), ("inception_v3", "InceptionV3"),
    };

    [PyTorchFact]
    public void State_dict_keys_order_shapes_and_counts_equal_torchvision()
    {
        var torchvision = JsonDocument.Parse(RunScript("keys " + string.Join(" ", FullSize.Select(m => m.Zoo)))).RootElement;
        var compiled = CnnCompilation.Compile(Source, "zoo.cnn");
        Assert.Empty(compiled.Diagnostics);
        foreach (var (zooName, className) in FullSize)
        {
            var expected = torchvision.GetProperty(zooName).EnumerateArray()
                .Select(e => e[0].GetString() + " " + string.Join("x", e[1].EnumerateArray().Select(d => d.GetInt64()))).ToList();
            using var module = LoadedModels.Create(Zoo.Value, "Models." + className);
            var actual = StateDict.Ordered(module).Select(e => e.Key + " " + string.Join("x", e.Tensor.shape)).ToList();
            int same = expected.Zip(actual).TakeWhile(p => p.First == p.Second).Count();
            Assert.True(expected.SequenceEqual(actual), $"{zooName}: first difference at {same}: {expected.ElementAtOrDefault(same)} vs {actual.ElementAtOrDefault(same)}");

            // The compile-time counts equal the elements of torchvision's tensors: parameters, and buffers as state.
            var model = compiled.Models.Single(m => m.Name == className);
            long elements(Func<string, bool> which) => torchvision.GetProperty(zooName).EnumerateArray().Where(e => which(e[0].GetString()!))
                .Sum(e => e[1].EnumerateArray().Aggregate(1L, (p, d) => p * d.GetInt64()));
            static bool isBuffer(string key) => key.EndsWith(".running_mean") || key.EndsWith(".running_var") || key.EndsWith(".num_batches_tracked");
            Assert.Equal(elements(k => !isBuffer(k)), model.ParameterCount);
            Assert.Equal(elements(isBuffer), model.StateCount);
        }
    }

    [PyTorchFact]
    public void Random_torchvision_weights_give_the_same_logits_here_and_back_in_pytorch()
    {
        var cases = new (string Zoo, string Class, string Input, string Flags)[]
        {
            ("mobilenet_v3_small", "SmallMobileNetV3Small", "2,3,64,64", ""),
            ("mobilenet_v3_large", "SmallMobileNetV3Large", "2,3,64,64", ""),
            ("efficientnet_b0", "SmallEfficientNetB0", "2,3,64,64", ""),
            ("densenet121", "SmallDenseNet121", "2,3,64,64", ""),
            ("googlenet", "SmallGoogLeNet", "2,3,64,64", "--transform-input"),
            ("inception_v3", "SmallInceptionV3", "2,3,80,80", "--transform-input"),
            ("resnet101", "SmallResNet101", "2,3,64,64", ""),
        };
        foreach (var (zooName, className, input, flags) in cases)
        {
            var weights = Path.Combine(folder, zooName + ".safetensors");
            var check = Path.Combine(folder, zooName + ".check.safetensors");
            RunScript($"export {zooName} {weights} --classes 10 --randomize 3 --input {input} --check {check} {flags}");

            using var module = LoadedModels.Create(Zoo.Value, "Models." + className);
            Assert.True(module.LoadSafeTensors(weights).IsComplete);
            module.eval();
            var expected = SafeTensors.Read(check).ToDictionary(e => e.Name, e => e.Tensor);
            using (no_grad())
            using (var logits = module.call(expected["input"]))
            {
                // Deep random networks amplify rounding: the tolerance is relative to the logits' size.
                double scale = expected["logits"].abs().max().item<float>();
                double difference = (logits - expected["logits"]).abs().max().item<float>();
                output.WriteLine($"{zooName}: largest logit {scale:G4}, difference {difference:G3}");
                Assert.True(difference <= 1e-4 * Math.Max(1, scale), $"{zooName}: logits differ from torchvision's by {difference} (largest logit {scale})");
            }

            var saved = Path.Combine(folder, zooName + ".fromcnndsl.safetensors");
            module.SaveSafeTensors(saved);
            var back = JsonDocument.Parse(RunScript($"run {zooName} {saved} {check} --classes 10 {flags}")).RootElement.GetProperty("max_abs_diff").GetDouble();
            Assert.True(back <= 1e-4 * Math.Max(1, expected["logits"].abs().max().item<float>()), $"{zooName}: torchvision's logits with the weights saved here differ by {back}");
        }
    }

    [PyTorchFact]
    public void Torchvision_files_with_auxiliary_classifiers_load_through_a_skip_pattern()
    {
        foreach (var (zooName, className, skip, input) in new[] { ("googlenet", "SmallGoogLeNet", "aux1.*,aux2.*", "2,3,64,64"), ("inception_v3", "SmallInceptionV3", "AuxLogits.*", "2,3,80,80") })
        {
            var weights = Path.Combine(folder, zooName + ".aux.safetensors");
            var check = Path.Combine(folder, zooName + ".aux.check.safetensors");
            RunScript($"export {zooName} {weights} --classes 10 --randomize 5 --aux-logits --transform-input --input {input} --check {check}");
            using var module = LoadedModels.Create(Zoo.Value, "Models." + className);
            // Strictly, the auxiliary heads are keys the model lacks; skipped, everything the model has loads.
            Assert.Contains("unexpected", Assert.Throws<ArgumentException>(() => module.LoadSafeTensors(weights)).Message);
            var report = module.LoadSafeTensors(weights, skip: skip);
            Assert.True(report.IsComplete);
            Assert.Empty(report.UnexpectedKeys);
            Assert.Equal(StateDict.Ordered(module).Count(), report.Loaded.Count);
            module.eval();
            var expected = SafeTensors.Read(check).ToDictionary(e => e.Name, e => e.Tensor);
            using (no_grad())
            using (var logits = module.call(expected["input"]))
                Assert.True((logits - expected["logits"]).abs().max().item<float>() <= 1e-4 * Math.Max(1, expected["logits"].abs().max().item<float>()));
        }
    }

    [PyTorchFact]
    public void With_size_variables_each_model_accepts_exactly_the_sizes_torchvision_runs()
    {
        var models = new[] { "mobilenet_v3_small", "mobilenet_v3_large", "efficientnet_b0", "densenet121", "googlenet", "inception_v3" };
        var compiled = CnnCompilation.Compile(string.Concat(models.Select((m, i) => $"model V{i} = {m} classes=10\n  input 3xHxW\n")), "variable.cnn");
        Assert.Empty(compiled.Diagnostics);
        var sizes = new List<(long H, long W)>();
        foreach (var model in compiled.Models)
        {
            long minimum = model.MinimumSizes[0];
            sizes.AddRange(new[] { (minimum - 1, minimum - 1), (minimum, minimum), (minimum + 1, minimum + 2), (minimum - 1, minimum + 5) }.Where(s => s.Item1 >= 1));
        }
        sizes = sizes.Distinct().ToList();
        var torchvision = JsonDocument.Parse(RunScript("sizes " + string.Join(" ", models) + " --classes 10 --sizes " + string.Join(" ", sizes.Select(s => $"{s.H},{s.W}")))).RootElement;
        for (int i = 0; i < models.Length; i++)
        {
            var model = compiled.Models[i];
            var runs = torchvision.GetProperty(models[i]).EnumerateArray().Select(r => r.GetBoolean()).ToList();
            output.WriteLine($"{models[i]}: at least {string.Join("x", model.MinimumSizes)}; rule {model.AcceptedSizeRule}");
            for (int j = 0; j < sizes.Count; j++)
            {
                var bindings = new Dictionary<string, long> { ["H"] = sizes[j].H, ["W"] = sizes[j].W };
                bool accepts = model.AcceptedSizes.All(c => c.Condition.Evaluate(bindings) != 0);
                Assert.True(accepts == runs[j], $"{models[i]} at {sizes[j].H}x{sizes[j].W}: the rule says {accepts}, torchvision {(runs[j] ? "runs" : "fails")}");
            }
        }
    }

    [PyTorchFact]
    public void A_variable_size_googlenet_runs_at_two_sizes_with_the_same_weights()
    {
        using var module = LoadedModels.Create(Zoo.Value, "Models.VariableGoogLeNet");
        module.eval();
        using (no_grad())
        {
            foreach (var size in new long[] { 15, 97 })
            {
                using var input = rand(1, 3, size, size + 3);
                using var logits = module.call(input);
                Assert.Equal(new long[] { 1, 10 }, logits.shape);
            }
            Assert.Throws<InputShapeException>(() => module.call(rand(1, 3, 14, 14)));
        }
    }

    static string RunScript(string arguments, [CallerFilePath] string testFile = "")
    {
        var script = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(testFile)!, "..", "..", "scripts", "export_torchvision.py"));
        var start = new ProcessStartInfo(PyTorchOracle.Python, $"{script} {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var result = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error.Result);
        return result.Result;
    }
}
