using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Weights;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// Each zoo model starts as its source starts it: torchvision 0.14's freshly built models (their constructors'
/// kaiming, normal, truncated-normal and uniform rules), Keras' (glorot-uniform kernels, zero biases, drawn here by
/// torch.nn.init.xavier_uniform_ on the same shapes). Compared per tensor by deviation, mean and kurtosis (about 3 for a
/// normal, 1.8 for a uniform), so a wrong fan (where channels change), a wrong distribution or PyTorch's default
/// shows. The comparison is shown to reject torchvision's ResNet-50 started with PyTorch's defaults, with fan_in for
/// fan_out, and with a uniform for the normal.
/// </summary>
public class ZooInitializationTests(ITestOutputHelper output)
{
    static readonly (string Name, string Zoo, string Torchvision)[] Models =
    {
        ("R18", "resnet18", "models.resnet18(num_classes=10)"),
        ("R50", "resnet50", "models.resnet50(num_classes=10)"),
        ("Vgg", "vgg11_bn", "models.vgg11_bn(num_classes=10)"),
        ("MobileV2", "mobilenet_v2", "models.mobilenet_v2(num_classes=10)"),
        ("MobileV3", "mobilenet_v3_small", "models.mobilenet_v3_small(num_classes=10)"),
        ("Efficient", "efficientnet_b0", "models.efficientnet_b0(num_classes=10)"),
        ("Dense", "densenet121", "models.densenet121(num_classes=10)"),
        ("GoogLe", "googlenet", "models.googlenet(num_classes=10, aux_logits=False, init_weights=True)"),
        ("Inception", "inception_v3", "models.inception_v3(num_classes=10, aux_logits=False, init_weights=True)"),
        ("Alex", "alexnet", "models.alexnet(num_classes=10)"),
        ("Xception", "xception", "keras"),
        ("KerasMobile", "mobilenet", "keras"),
    };

    const string Script = """
        import json, sys, torch
        from torch import nn
        from torchvision import models
        torch.manual_seed(5)
        jobs = json.load(open(sys.argv[1]))

        def stats(t):
            t = t.detach().double().flatten()
            n = t.numel()
            mean = float(t.mean())
            std = float(t.std(unbiased=False))
            kurtosis = float((((t - mean) / std) ** 4).mean()) if std > 0 else 0.0
            return [n, mean, std, kurtosis]

        def keras(shapes):
            state = {}
            for key, shape in shapes:
                t = torch.empty(shape)
                last = key.rsplit(".", 1)[1]
                if len(shape) >= 2:
                    nn.init.xavier_uniform_(t)
                elif last in ("bias", "running_mean"):
                    nn.init.zeros_(t)
                else:
                    nn.init.ones_(t)
                state[key] = t
            return state

        results = {}
        for name, constructor, shapes in jobs:
            if constructor == "keras":
                state = keras(shapes)
            else:
                state = eval(constructor).state_dict()
            results[name] = {k: stats(v) for k, v in state.items() if v.is_floating_point()}

        # The same model started wrongly three ways, which the comparison must reject.
        def variant(rule):
            model = models.resnet50(num_classes=10)
            for m in model.modules():
                if isinstance(m, nn.Conv2d):
                    rule(m.weight)
            return {k: stats(v) for k, v in model.state_dict().items() if v.is_floating_point()}
        results["R50:default"] = variant(lambda w: nn.init.kaiming_uniform_(w, a=5 ** 0.5))
        results["R50:fan_in"] = variant(lambda w: nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu"))
        results["R50:uniform"] = variant(lambda w: nn.init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu"))
        print(json.dumps(results))
        """;

    [PyTorchFact]
    public void Zoo_models_start_with_the_distributions_torchvision_and_keras_start_them_with()
    {
        var text = string.Concat(Models.Select(m => $"model {m.Name} = {m.Zoo} classes=10\n  input 3x{(m.Zoo == "inception_v3" ? 96 : 64)}x{(m.Zoo == "inception_v3" ? 96 : 64)}\n"));
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(text));
        var ours = new Dictionary<string, Dictionary<string, double[]>>();
        var jobs = new List<object[]>();
        manual_seed(5);
        foreach (var (name, _, torchvision) in Models)
        {
            using var module = LoadedModels.Create(assembly, "Models." + name);
            var state = StateDict.Ordered(module).Where(e => e.Tensor.is_floating_point()).ToList();
            ours[name] = state.ToDictionary(e => e.Key, e => Stats(e.Tensor));
            jobs.Add(new object[] { name, torchvision, state.Select(e => new object[] { e.Key, e.Tensor.shape }).ToList() });
        }
        var folder = Directory.CreateTempSubdirectory("cnndsl-init-").FullName;
        JsonElement theirs;
        try
        {
            File.WriteAllText(Path.Combine(folder, "jobs.json"), JsonSerializer.Serialize(jobs));
            File.WriteAllText(Path.Combine(folder, "init.py"), Script);
            theirs = PyTorchOracle.RunScript(folder, "init.py", "jobs.json");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        var failures = new List<string>();
        int compared = 0;
        foreach (var (name, _, _) in Models)
        {
            var reference = Read(theirs.GetProperty(name));
            Assert.True(reference.Keys.SequenceEqual(ours[name].Keys), $"{name}: the keys differ from the reference's");
            foreach (var (key, stats) in ours[name])
            {
                compared++;
                if (Differs(stats, reference[key]) is { } why)
                    failures.Add($"{name} {key}: {why}");
            }
        }
        output.WriteLine($"{compared} tensors of {Models.Length} models compared");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(30)));

        // The comparison's power: torchvision's own ResNet-50 started wrongly is told apart from the right one.
        var right = Read(theirs.GetProperty("R50"));
        foreach (var wrong in new[] { "R50:default", "R50:fan_in", "R50:uniform" })
        {
            var variant = Read(theirs.GetProperty(wrong));
            var caught = variant.Count(e => Differs(e.Value, right[e.Key]) != null);
            output.WriteLine($"{wrong}: {caught} tensors differ");
            Assert.True(caught >= 5, $"{wrong}: only {caught} tensors were told apart from torchvision's start");
        }
    }

    static Dictionary<string, double[]> Read(JsonElement model) =>
        model.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetDouble()).ToArray());

    public static double[] Stats(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var t = tensor.detach().to(ScalarType.Float64).flatten();
        double mean = t.mean().item<double>();
        double std = t.std(unbiased: false).item<double>();
        double kurtosis = std > 0 ? ((t - mean) / std).pow(4).mean().item<double>() : 0;
        return new[] { (double)t.numel(), mean, std, kurtosis };
    }

    // Tolerances from the sampling spread of a deviation (about 1/sqrt(2n)) and a kurtosis (about sqrt(24/n) for a
    // normal); tensors under 200 values are compared only when they are constant.
    public static string? Differs(double[] ours, double[] theirs)
    {
        double n = ours[0], mean = ours[1], std = ours[2], kurtosis = ours[3];
        double expectedMean = theirs[1], expectedStd = theirs[2], expectedKurtosis = theirs[3];
        if (expectedStd == 0 || std == 0)
            return std == expectedStd && mean == expectedMean ? null : $"constant {expectedMean} expected, got mean {mean} and deviation {std}";
        if (n < 200)
            return null;
        double spread = 5 / Math.Sqrt(2 * n);
        if (Math.Abs(std / expectedStd - 1) > Math.Max(spread, 0.02))
            return $"deviation {std:G4}, expected {expectedStd:G4}";
        if (Math.Abs(mean - expectedMean) > 6 * expectedStd / Math.Sqrt(n))
            return $"mean {mean:G4}, expected {expectedMean:G4} (deviation {expectedStd:G4})";
        if (Math.Abs(kurtosis - expectedKurtosis) > Math.Max(6 * Math.Sqrt(24 / n), 0.1))
            return $"kurtosis {kurtosis:F2}, expected {expectedKurtosis:F2} (3 for a normal, 1.8 for a uniform)";
        return null;
    }
}
