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
/// Each of the 23 zoo models starts as its source starts it: torchvision 0.14's freshly built models (their
/// constructors' kaiming, normal, truncated-normal and uniform rules), Keras' (glorot-uniform kernels, zero biases, drawn
/// here by torch.nn.init.xavier_uniform_ on the same shapes), and PyTorch's module defaults for LeNet-5 and the U-Net.
/// Compared per tensor by median, quartile deviation and the share of values within one deviation of the median (68.3%
/// for a normal, 74.1% for a uniform), so a wrong fan (where channels change), a wrong distribution or PyTorch's default shows. The
/// comparison is shown to reject torchvision's ResNet-50 started with PyTorch's defaults, with fan_in for fan_out, and
/// with a uniform for the normal.
/// </summary>
public class ZooInitializationTests(ITestOutputHelper output)
{
    static readonly (string Name, string Zoo, string Torchvision)[] Models =
    {
        ("R18", "resnet18", "models.resnet18(num_classes=10)"),
        ("R34", "resnet34", "models.resnet34(num_classes=10)"),
        ("R50", "resnet50", "models.resnet50(num_classes=10)"),
        ("R101", "resnet101", "models.resnet101(num_classes=10)"),
        ("R152", "resnet152", "models.resnet152(num_classes=10)"),
        ("Vgg11", "vgg11", "models.vgg11(num_classes=10)"),
        ("Vgg11Bn", "vgg11_bn", "models.vgg11_bn(num_classes=10)"),
        ("Vgg16", "vgg16", "models.vgg16(num_classes=10)"),
        ("Vgg16Bn", "vgg16_bn", "models.vgg16_bn(num_classes=10)"),
        ("Vgg19", "vgg19", "models.vgg19(num_classes=10)"),
        ("Vgg19Bn", "vgg19_bn", "models.vgg19_bn(num_classes=10)"),
        ("MobileV2", "mobilenet_v2", "models.mobilenet_v2(num_classes=10)"),
        ("MobileV3", "mobilenet_v3_small", "models.mobilenet_v3_small(num_classes=10)"),
        ("MobileV3Large", "mobilenet_v3_large", "models.mobilenet_v3_large(num_classes=10)"),
        ("Efficient", "efficientnet_b0", "models.efficientnet_b0(num_classes=10)"),
        ("Dense", "densenet121", "models.densenet121(num_classes=10)"),
        ("GoogLe", "googlenet", "models.googlenet(num_classes=10, aux_logits=False, init_weights=True)"),
        ("Inception", "inception_v3", "models.inception_v3(num_classes=10, aux_logits=False, init_weights=True)"),
        ("Alex", "alexnet", "models.alexnet(num_classes=10)"),
        // No torchvision constructor: PyTorch's module defaults, drawn on the same shapes.
        ("LeNet", "lenet5", "pytorch"),
        ("UNet", "unet_small", "pytorch"),
        ("Xception", "xception", "keras"),
        ("KerasMobile", "mobilenet", "keras"),
    };

    /// <summary>
    /// The statistics <see cref="Stats"/> computes, in Python: the count, the median, a deviation from the quartiles
    /// (interquartile range / 1.349, a normal's deviation) and the share within that deviation of the median, on the first
    /// 4 million values of a larger tensor (they are drawn alike). Robust, so that the rare far values of PyTorch's
    /// truncated normal (its inverse-CDF method can draw the exact end of its float32 uniform range, which lands on the cut
    /// at +-2, about once in 16 million values) do not move them.
    /// </summary>
    public const string StatsFunction = """
        def stats(t):
            t = t.detach().flatten()[:4000000].double().sort().values
            n = t.numel()
            at = lambda q: float(t[int((n - 1) * q)])
            median, deviation = at(0.5), (at(0.75) - at(0.25)) / 1.349
            within = float(((t - median).abs() < deviation).double().mean()) if deviation > 0 else 0.0
            return [n, median, deviation, within]
        """;

    const string Script = $$"""
        import json, sys, torch
        from torch import nn
        from torchvision import models
        # Another seed than the C# side's: libtorch's generator is the same in both, and equal streams would compare a
        # tensor with itself.
        torch.manual_seed(17)
        jobs = json.load(open(sys.argv[1]))

        {{StatsFunction}}

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

        def pytorch(shapes):
            # What nn.Conv*d, nn.ConvTranspose*d, nn.Linear and the norms start with: kaiming_uniform_(a=sqrt(5)) kernels,
            # biases uniform in +-1/sqrt(fan in) of their kernel, scales one, shifts and running means zero.
            state, fans = {}, {}
            for key, shape in shapes:
                t = torch.empty(shape)
                owner, last = key.rsplit(".", 1)
                if len(shape) >= 2:
                    nn.init.kaiming_uniform_(t, a=5 ** 0.5)
                    fans[owner] = nn.init._calculate_fan_in_and_fan_out(t)[0]
                elif last == "bias" and owner in fans:
                    bound = 1 / fans[owner] ** 0.5
                    nn.init.uniform_(t, -bound, bound)
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
            elif constructor == "pytorch":
                state = pytorch(shapes)
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
        var text = string.Concat(Models.Select(m => $"model {m.Name} = {m.Zoo}{(m.Zoo == "unet_small" ? "" : " classes=10")}\n  input {Input(m.Zoo)}\n"));
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

    static string Input(string zoo) => zoo switch
    {
        "inception_v3" => "3x96x96",
        "lenet5" => "1x28x28",
        "unet_small" => "1x16x16",
        _ => "3x64x64",
    };

    static Dictionary<string, double[]> Read(JsonElement model) =>
        model.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetDouble()).ToArray());

    /// <summary>The count, median, quartile deviation and share within it of the median, as <see cref="StatsFunction"/> computes them.</summary>
    public static double[] Stats(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var t = tensor.detach().flatten();
        if (t.numel() > 4_000_000)
            t = t.narrow(0, 0, 4_000_000);
        t = t.to(ScalarType.Float64).sort().Values;
        long n = t.numel();
        double At(double q) => t[(long)((n - 1) * q)].item<double>();
        double median = At(0.5), deviation = (At(0.75) - At(0.25)) / 1.349;
        double within = deviation > 0 ? (t - median).abs().lt(deviation).to(ScalarType.Float64).mean().item<double>() : 0;
        return new[] { (double)n, median, deviation, within };
    }

    // Tolerances from the sampling spread of the quartile deviation (about 1.2/sqrt(n) relative), the median (about
    // 1.25 deviations/sqrt(n)) and a share (at most 0.5/sqrt(n)), at five or more times those; tensors under 200 values are
    // compared only when they are constant. The share within one deviation of the median tells the shape (68.3% for a
    // normal, 74.1% for a uniform, whose quartile deviation is also 1.28 times its standard deviation).
    public static string? Differs(double[] ours, double[] theirs)
    {
        double n = ours[0], median = ours[1], deviation = ours[2], within = ours[3];
        double expectedMedian = theirs[1], expectedDeviation = theirs[2], expectedWithin = theirs[3];
        // One value has no spread to tell a constant from a draw (the U-Net's one-channel head bias).
        if (n < 2)
            return null;
        if (expectedDeviation == 0 || deviation == 0)
            return deviation == expectedDeviation && median == expectedMedian ? null : $"constant {expectedMedian} expected, got median {median} and deviation {deviation}";
        if (n < 200)
            return null;
        if (Math.Abs(deviation / expectedDeviation - 1) > Math.Max(7 / Math.Sqrt(n), 0.02))
            return $"quartile deviation {deviation:G4}, expected {expectedDeviation:G4}";
        if (Math.Abs(median - expectedMedian) > 8 * expectedDeviation / Math.Sqrt(n))
            return $"median {median:G4}, expected {expectedMedian:G4} (deviation {expectedDeviation:G4})";
        if (Math.Abs(within - expectedWithin) > Math.Max(4 / Math.Sqrt(n), 0.01))
            return $"{within:P1} within one deviation of the median, expected {expectedWithin:P1} (68.3% for a normal, 74.1% for a uniform)";
        return null;
    }
}
