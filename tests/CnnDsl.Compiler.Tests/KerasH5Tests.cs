using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Weights;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Compiler.Tests;

/// <summary>A test that needs h5py: skipped with a reason where it is missing, failing instead when CI=true.</summary>
public sealed class H5FactAttribute : FactAttribute
{
    public static readonly bool Available = Probe();

    public H5FactAttribute()
    {
        if (!Available && !PyTorchOracle.OnCi)
            Skip = "h5py is not installed (apt-get install python3-h5py).";
    }

    static bool Probe()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(PyTorchOracle.Python, "-c \"import h5py, numpy\"") { RedirectStandardError = true })!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (Exception)
        {
            return false;
        }
    }
}

/// <summary>
/// scripts/convert_keras_h5.py on .h5 files that h5py writes in Keras' layout (a group per layer, weight_names
/// attributes, channels-last kernels): the zoo's Keras models load every key strictly, and a small network computes
/// what Keras' definitions of its layers (written out in NumPy over NHWC arrays) compute.
/// </summary>
public class KerasH5Tests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-h5-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    // Writes an .h5 file as Keras' save_weights does, with random weights in Keras' shapes for the given layers.
    const string WriteKerasFile = """
        import json, sys
        import h5py, numpy as np
        layers = json.load(open(sys.argv[1]))
        rng = np.random.default_rng(7)
        with h5py.File(sys.argv[2], "w") as f:
            f.attrs["layer_names"] = [l["name"].encode() for l in layers]
            f.attrs["backend"] = b"tensorflow"
            f.attrs["keras_version"] = b"2.11.0"
            for l in layers:
                g = f.create_group(l["name"])
                names = []
                for weight, shape in l["weights"]:
                    full = f"{l['name']}/{weight}:0"
                    values = rng.uniform(0.5, 1.5, shape) if weight == "moving_variance" else rng.normal(0, 0.3, shape)
                    g.create_dataset(full, data=values.astype(np.float32))
                    names.append(full.encode())
                g.attrs["weight_names"] = names
        """;

    static (string Name, (string, long[])[] Weights)? KerasWeights(CnnDsl.Dsl.Binding.BoundLayer layer)
    {
        long L(CnnDsl.Dsl.Symbolic.Expr e) => e.Constant!.Value;
        switch (layer.Config)
        {
            case ConvConfig c when L(c.Groups) > 1:
                return (layer.Name, new[] { ("depthwise_kernel", new[] { L(c.Kernel[0]), L(c.Kernel[1]), L(c.InChannels), L(c.Filters) / L(c.InChannels) }) }
                    .Concat(c.Bias is CnnDsl.Dsl.Symbolic.BoolExpr { Value: false } ? Array.Empty<(string, long[])>() : new[] { ("bias", new[] { L(c.Filters) }) }).ToArray());
            case ConvConfig c:
                return (layer.Name, new[] { ("kernel", new[] { L(c.Kernel[0]), L(c.Kernel[1]), L(c.InChannels), L(c.Filters) }) }
                    .Concat(c.Bias is CnnDsl.Dsl.Symbolic.BoolExpr { Value: false } ? Array.Empty<(string, long[])>() : new[] { ("bias", new[] { L(c.Filters) }) }).ToArray());
            case SeparableConvConfig s:
                return (layer.Name, new[]
                {
                    ("depthwise_kernel", new[] { L(s.Depthwise.Kernel[0]), L(s.Depthwise.Kernel[1]), L(s.Depthwise.InChannels), L(s.Depthwise.Filters) / L(s.Depthwise.InChannels) }),
                    ("pointwise_kernel", new[] { 1L, 1L, L(s.Pointwise.InChannels), L(s.Pointwise.Filters) }),
                }.Concat(s.Pointwise.Bias is CnnDsl.Dsl.Symbolic.BoolExpr { Value: false } ? Array.Empty<(string, long[])>() : new[] { ("bias", new[] { L(s.Pointwise.Filters) }) }).ToArray());
            case BatchNormConfig b:
                return (layer.Name, new[] { "gamma", "beta", "moving_mean", "moving_variance" }.Select(w => (w, new[] { L(b.Channels) })).ToArray());
            case DenseConfig d:
                return (layer.Name, new[] { ("kernel", new[] { L(d.InFeatures), L(d.Units) }), ("bias", new[] { L(d.Units) }) });
            default:
                return null;
        }
    }

    [H5Fact]
    public void Keras_files_of_the_zoo_models_load_every_key_strictly()
    {
        const string source = "model Mobile = mobilenet classes=10\n  input 3x96x96\nmodel Xcep = xception classes=10\n  input 3x96x96\n";
        var compiled = CnnCompilation.Compile(source, "keras.cnn");
        Assert.Empty(compiled.Diagnostics);
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(source));
        foreach (var model in compiled.Models)
        {
            var layers = model.Layers.Select(KerasWeights).Where(w => w != null).Select(w => new { name = w!.Value.Name, weights = w.Value.Weights.Select(x => new object[] { x.Item1, x.Item2 }) });
            var spec = Path.Combine(folder, model.Name + ".json");
            File.WriteAllText(spec, JsonSerializer.Serialize(layers));
            var h5 = Path.Combine(folder, model.Name + ".h5");
            RunPython(WriteKerasFile, spec, h5);
            var converted = Path.Combine(folder, model.Name + ".safetensors");
            RunScript("convert_keras_h5.py", h5, converted);

            using var module = LoadedModels.Create(assembly, "Models." + model.Name);
            var report = module.LoadSafeTensors(converted);
            Assert.True(report.IsComplete);
            Assert.Equal(StateDict.Ordered(module).Count(), report.Loaded.Count);
            module.eval();
            using (no_grad())
            using (var output = module.call(rand(1, 3, 96, 96)))
                Assert.InRange(output.sum().item<float>(), 0.999f, 1.001f);
        }
    }

    // A network of every converted layer kind, its Keras forward written out from the layers' definitions over NHWC.
    const string KerasForward = """
        import json, struct, sys
        import h5py, numpy as np
        sys.path.insert(0, sys.argv[3])
        from convert_keras_h5 import write_safetensors
        text = lambda s: s.decode() if isinstance(s, bytes) else s
        w = {}
        with h5py.File(sys.argv[1], "r") as f:
            for name in f.attrs["layer_names"]:
                g = f[text(name)]
                for full in g.attrs["weight_names"]:
                    w[text(full).split(":")[0]] = np.asarray(g[text(full)], dtype=np.float64)
        rng = np.random.default_rng(3)
        x = rng.normal(0, 1, (2, 9, 9, 3))

        def windows(x, k):  # x (b, h, w, c) -> (b, h - k + 1, w - k + 1, k, k, c)
            b, h, wd, c = x.shape
            return np.stack([np.stack([x[:, i:i + h - k + 1, j:j + wd - k + 1, :] for j in range(k)], axis=3) for i in range(k)], axis=3)

        def same(x, k):
            p = (k - 1) // 2
            return np.pad(x, ((0, 0), (p, k - 1 - p), (p, k - 1 - p), (0, 0)))

        # Conv2D: out[b, i, j, o] = sum over di, dj, c of x[b, i + di, j + dj, c] * kernel[di, dj, c, o] + bias[o]
        y = np.einsum("bijxyc,xyco->bijo", windows(x, 3), w["c1/kernel"]) + w["c1/bias"]
        # BatchNormalization, epsilon 1e-3
        y = (y - w["n1/moving_mean"]) / np.sqrt(w["n1/moving_variance"] + 1e-3) * w["n1/gamma"] + w["n1/beta"]
        # DepthwiseConv2D, same: out[b, i, j, c * m + q] = sum of x[b, i + di, j + dj, c] * kernel[di, dj, c, q]
        d = np.einsum("bijxyc,xycq->bijcq", windows(same(y, 3), 3), w["d1/depthwise_kernel"])
        y = d.reshape(d.shape[0], d.shape[1], d.shape[2], -1) + w["d1/bias"]
        # SeparableConv2D, same: the depthwise step, then the pointwise kernel (1, 1, c * m, out)
        d = np.einsum("bijxyc,xycq->bijcq", windows(same(y, 3), 3), w["s1/depthwise_kernel"])
        d = d.reshape(d.shape[0], d.shape[1], d.shape[2], -1)
        y = np.einsum("bijc,co->bijo", d, w["s1/pointwise_kernel"][0, 0]) + w["s1/bias"]
        # GlobalAveragePooling2D, Dense
        y = y.mean(axis=(1, 2)) @ w["f1/kernel"] + w["f1/bias"]
        write_safetensors(sys.argv[2], [("input", x.transpose(0, 3, 1, 2).astype(np.float32)), ("output", y.astype(np.float32))])
        """;

    [H5Fact]
    public void Converted_layers_compute_what_kerass_definitions_compute()
    {
        const string source = """
            model Small
              input 3x9x9
              c1: conv2d 4, 3
              n1: batchnorm2d eps=1e-3, momentum=0.01
              d1: depthwise_conv2d 3, padding=same, depth_multiplier=2
              s1: separable_conv2d 5, 3, padding=same, depth_multiplier=2
              g1: global_avgpool2d
              f1: dense 3
            """;
        var model = Assert.Single(CnnCompilation.Compile(source, "small.cnn").Models);
        var layers = model.Layers.Select(KerasWeights).Where(w => w != null).Select(w => new { name = w!.Value.Name, weights = w.Value.Weights.Select(x => new object[] { x.Item1, x.Item2 }) });
        var spec = Path.Combine(folder, "small.json");
        File.WriteAllText(spec, JsonSerializer.Serialize(layers));
        var h5 = Path.Combine(folder, "small.h5");
        RunPython(WriteKerasFile, spec, h5);
        var check = Path.Combine(folder, "small.check.safetensors");
        RunPython(KerasForward, h5, check, ScriptsFolder());
        var converted = Path.Combine(folder, "small.safetensors");
        RunScript("convert_keras_h5.py", h5, converted);

        using var module = LoadedModels.Create(LoadedModels.Load(GeneratorHarness.RunCnn(source)), "Models.Small");
        Assert.True(module.LoadSafeTensors(converted).IsComplete);
        module.eval();
        var expected = SafeTensors.Read(check).ToDictionary(e => e.Name, e => e.Tensor);
        using (no_grad())
        using (var output = module.call(expected["input"]))
        {
            double difference = (output - expected["output"]).abs().max().item<float>();
            Assert.True(difference < 1e-4, $"differs from Keras' definitions by {difference}");
        }
    }

    static string ScriptsFolder([CallerFilePath] string testFile = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(testFile)!, "..", "..", "scripts"));

    static string RunScript(string script, params string[] arguments) => Run(Path.Combine(ScriptsFolder(), script), arguments);

    string RunPython(string code, params string[] arguments)
    {
        var path = Path.Combine(folder, "script-" + Guid.NewGuid().ToString("N") + ".py");
        File.WriteAllText(path, code);
        return Run(path, arguments);
    }

    static string Run(string script, string[] arguments)
    {
        var start = new ProcessStartInfo(PyTorchOracle.Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var result = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error.Result);
        return result.Result;
    }
}
