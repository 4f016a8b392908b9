using CnnDsl.Dsl.Symbolic;
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using Xunit;

namespace CnnDsl.Compiler.Tests.Infrastructure;

/// <summary>A test that needs PyTorch: skipped with a reason where it is missing, failing instead when CI=true.</summary>
public sealed class PyTorchFactAttribute : FactAttribute
{
    public PyTorchFactAttribute()
    {
        if (!PyTorchOracle.IsAvailable && !PyTorchOracle.OnCi)
            Skip = "PyTorch is not installed (apt-get install python3-torch python3-torchvision; .ci/run does it).";
    }
}

/// <summary>
/// Builds the same models in PyTorch 1.13 (Debian's python3-torch) and reports their parameter counts, buffer sizes and
/// per-layer output shapes, as an oracle independent of TorchSharp and of the generated code.
/// </summary>
public static class PyTorchOracle
{
    public const string Python = "/usr/bin/python3";

    public static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static bool IsAvailable { get; } = Probe();

    static bool Probe()
    {
        try
        {
            var (code, _) = Run("import torch\n");
            return code == 0;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>Runs a script (after <c>import json, torch; from torch import nn</c>) and parses the JSON of its last line.</summary>
    public static JsonElement RunJson(string script)
    {
        Assert.True(IsAvailable, "PyTorch is required on CI: install python3-torch (see .ci/run).");
        var (code, output) = Run(Prelude + script);
        Assert.True(code == 0, "PyTorch failed:\n" + output);
        return JsonSerializer.Deserialize<JsonElement>(output.Trim().Split('\n').Last());
    }

    public sealed record Facts(long Parameters, long State, List<long[]> LayerShapes);

    public static IReadOnlyList<Facts> Measure(IReadOnlyList<BoundModel> models)
    {
        Assert.True(IsAvailable, "PyTorch is required on CI: install python3-torch (see .ci/run).");
        var script = new StringBuilder(Prelude);
        script.Append("models = []\n");
        foreach (var model in models)
            script.Append("models.append((").Append(Program(model.Layers)).Append(", (").Append(string.Join(", ", model.InputShape.Dimensions)).Append(",)))\n");
        script.Append(Epilogue);
        var (code, output) = Run(script.ToString());
        Assert.True(code == 0, "PyTorch failed:\n" + output);
        var facts = JsonSerializer.Deserialize<List<JsonElement>>(output.Trim().Split('\n').Last())!;
        return facts.Select(f => new Facts(
            f.GetProperty("params").GetInt64(),
            f.GetProperty("state").GetInt64(),
            f.GetProperty("shapes").EnumerateArray().Select(s => s.EnumerateArray().Select(d => d.GetInt64()).ToArray()).ToList())).ToList();
    }

    static long L(Expr e) => e.Constant!.Value;

    static IEnumerable<long> Ls(IEnumerable<Expr> e) => e.Select(L);

    static string Real(Expr e) => (e is RealExpr r ? r.Value : L(e)).ToString("R", CultureInfo.InvariantCulture);

    // Each layer becomes one PyTorch module; padding done in forward becomes a pad module in front of it.
    static string Layer(BoundLayer layer)
    {
        switch (layer.Config)
        {
            case PoolConfig p when p.SamePadding && !p.PerSidePadding.All(e => e.IsConstant):
            {
                var pool = $"nn.{(p.IsMax ? "Max" : "Avg")}Pool{p.Rank}d({Tuple(Ls(p.Kernel))}, stride={Tuple(Ls(p.Stride))}, ceil_mode={(p.CeilMode ? "True" : "False")})";
                return Seq($"SamePad({Tuple(Ls(p.Kernel))}, {Tuple(Ls(p.Stride))}, {Tuple(Enumerable.Repeat(1L, p.Rank))}, {(p.IsMax ? "float('-inf')" : "0.0")})", pool);
            }
            case ConvConfig c:
                return Seq(Conv(c), Act(c.Activation, null));
            case SeparableConvConfig s:
                return Seq(Conv(s.Depthwise), Conv(s.Pointwise), Act(s.Activation, null));
            case ConvTransposeConfig t:
                return Seq($"nn.ConvTranspose{t.Rank}d({t.InChannels}, {t.Filters}, {Tuple(Ls(t.Kernel))}, stride={Tuple(Ls(t.Stride))}, padding={Tuple(Ls(t.Padding))}, "
                    + $"output_padding={Tuple(Ls(t.OutputPadding))}, groups={t.Groups}, bias={(t.Bias is BoolExpr { Value: true } ? "True" : "False")}, dilation={Tuple(Ls(t.Dilation))})", Act(t.Activation, null));
            case UpsampleConfig u:
                return $"nn.Upsample({(u.Size is { } size ? "size=" + Tuple(Ls(size)) : "scale_factor=(" + string.Join(", ", Ls(u.Scale!.Value).Select(v => v + ".0")) + ",)")}, mode='{u.Mode}'"
                    + (u.Mode == "nearest" ? "" : $", align_corners={(u.AlignCorners is BoolExpr { Value: true } ? "True" : "False")}") + ")";
            case PReLUConfig r:
                return $"nn.PReLU({r.Slopes}, {((RealExpr)r.Init).Value.ToString(CultureInfo.InvariantCulture)})";
            case RescalingConfig r:
                return $"Rescale([{string.Join(", ", r.Scale.Select(Real))}], [{string.Join(", ", r.Offset.Select(Real))}])";
            case StochasticDepthConfig d:
                return $"__import__('torchvision.ops', fromlist=['StochasticDepth']).StochasticDepth({((RealExpr)d.Rate).Value.ToString(CultureInfo.InvariantCulture)}, '{(d.PerRow ? "row" : "batch")}')";
            case PoolConfig p:
            {
                // Even padding is the pool's own (PyTorch's ceil-mode rule sees it); uneven padding goes in front.
                bool even = Enumerable.Range(0, p.Rank).All(i => p.PerSidePadding[2 * i].Equals(p.PerSidePadding[2 * i + 1]));
                var padding = even ? $", padding={Tuple(Enumerable.Range(0, p.Rank).Select(i => L(p.PerSidePadding[2 * i])))}" : "";
                var pool = $"nn.{(p.IsMax ? "Max" : "Avg")}Pool{p.Rank}d({Tuple(Ls(p.Kernel))}, stride={Tuple(Ls(p.Stride))}{padding}, ceil_mode={(p.CeilMode ? "True" : "False")})";
                return Seq(even ? null : Pad(p.Rank, Ls(p.PerSidePadding).ToEquatableArray(), p.IsMax ? "float('-inf')" : "0.0"), pool);
            }
            case GlobalPoolConfig g:
                return $"nn.Sequential(nn.Adaptive{(g.IsMax ? "Max" : "Avg")}Pool{g.Rank}d(1), nn.Flatten())";
            case AdaptiveAvgPoolConfig a:
                return $"nn.AdaptiveAvgPool{a.Rank}d({Tuple(Ls(a.Size))})";
            case ZeroPadConfig z:
                return Pad(z.Rank, Ls(z.PerSide).ToEquatableArray(), "0.0") ?? "nn.Identity()";
            case DenseConfig d:
                return Seq($"nn.Linear({d.InFeatures}, {d.Units}, bias={(d.Bias is BoolExpr { Value: true } ? "True" : "False")})", Act(d.Activation, null));
            case FlattenConfig:
                return "nn.Flatten()";
            case DropoutConfig d:
                return $"nn.Dropout{(d.Channels ? "2d" : "")}({((RealExpr)d.Rate).Value.ToString(CultureInfo.InvariantCulture)})";
            case BatchNormConfig b:
                return $"nn.BatchNorm{b.Dimensions}d({b.Channels})";
            case GroupNormConfig g:
                return $"nn.GroupNorm({L(g.Groups)}, {L(g.Channels)}, eps={Real(g.Eps)}, affine={Bool(g.Affine)})";
            case InstanceNormConfig n:
                return $"nn.InstanceNorm{n.Dimensions}d({L(n.Channels)}, eps={Real(n.Eps)}, affine={Bool(n.Affine)})";
            // torchvision's ConvNeXt LayerNorm2d on images, nn.LayerNorm on features; the formula written out elsewhere.
            case LayerNormConfig n when n.Input.Rank == 3:
                return $"__import__('torchvision.models.convnext', fromlist=['LayerNorm2d']).LayerNorm2d({L(n.Channels)}, eps={Real(n.Eps)}, elementwise_affine={Bool(n.Affine)})";
            case LayerNormConfig n when n.Input.Rank == 1:
                return $"nn.LayerNorm({L(n.Channels)}, eps={Real(n.Eps)}, elementwise_affine={Bool(n.Affine)})";
            case LayerNormConfig n:
                return $"ChannelNorm({L(n.Channels)}, {Real(n.Eps)}, {Bool(n.Affine)})";
            case ActivationConfig a:
                return Act(a.Activation, (a.Parameter as RealExpr)?.Value)!;
            case BlockConfig b:
                return Program(b.Layers);
            default:
                throw new NotSupportedException(layer.Config.GetType().Name);
        }
    }

    // A convolution with padding PyTorch's symmetric argument cannot express in front of it.
    static string Conv(ConvConfig c)
    {
        var conv = $"nn.Conv{c.Rank}d({c.InChannels}, {c.Filters}, {Tuple(Ls(c.Kernel))}, stride={Tuple(Ls(c.Stride))}, dilation={Tuple(Ls(c.Dilation))}, groups={c.Groups}, bias={(c.Bias is BoolExpr { Value: true } ? "True" : "False")})";
        if (c.SamePadding && !c.PerSidePadding.All(p => p.IsConstant))
            return Seq($"SamePad({Tuple(Ls(c.Kernel))}, {Tuple(Ls(c.Stride))}, {Tuple(Ls(c.Dilation))}, 0.0)", conv);
        return Seq(Pad(c.Rank, Ls(c.PerSidePadding).ToEquatableArray(), "0.0"), conv);
    }

    // A graph of named tensors, run step by step in Python as the generated forward runs it here.
    static string Program(IEnumerable<BoundLayer> layers) =>
        "Program([" + string.Join(", ", layers.Select(l =>
            "(" + Quote(l.Name) + ", " + (l.Config is MergeConfig m ? "None, " + Quote(m.Kind.ToString().ToLowerInvariant()) : Layer(l) + ", 'module'")
            + ", [" + string.Join(", ", l.Inputs.Select(Quote)) + "])")) + "])";

    static string Quote(string text) => "'" + text + "'";

    static string Bool(Expr e) => e is BoolExpr { Value: true } ? "True" : "False";

    static string Tuple(IEnumerable<long> values) => "(" + string.Join(", ", values) + ",)";

    static string? Pad(int rank, EquatableArray<long> perSide, string value)
    {
        if (perSide.All(p => p == 0))
            return null;
        var order = new List<long>();
        for (int i = rank - 1; i >= 0; i--)
        {
            order.Add(perSide[2 * i]);
            order.Add(perSide[2 * i + 1]);
        }
        return $"nn.ConstantPad{rank}d(({string.Join(", ", order)}), {value})";
    }

    static string? Act(CnnDsl.Dsl.Catalog.Activation? activation, double? parameter) => activation?.Name switch
    {
        null => null,
        "relu" => "nn.ReLU()",
        "relu6" => "nn.ReLU6()",
        "leaky_relu" => $"nn.LeakyReLU({(parameter ?? activation.ParameterDefault).ToString(CultureInfo.InvariantCulture)})",
        "elu" => $"nn.ELU({(parameter ?? activation.ParameterDefault).ToString(CultureInfo.InvariantCulture)})",
        "gelu" => "nn.GELU()",
        "silu" => "nn.SiLU()",
        "sigmoid" => "nn.Sigmoid()",
        "tanh" => "nn.Tanh()",
        "softmax" => "nn.Softmax(dim=1)",
        "log_softmax" => "nn.LogSoftmax(dim=1)",
        "hardswish" => "nn.Hardswish()",
        "hardsigmoid" => "nn.Hardsigmoid()",
        "mish" => "nn.Mish()",
        var other => throw new NotSupportedException(other),
    };

    static string Seq(params string?[] modules)
    {
        var present = modules.Where(m => m != null).ToList();
        return present.Count == 1 ? present[0]! : "nn.Sequential(" + string.Join(", ", present) + ")";
    }

    /// <summary>
    /// For models whose input sizes are variables: runs each on every (H, W) of a grid in eval mode with a batch of 2,
    /// and reports where PyTorch runs it and the output shape there (null where it raises).
    /// </summary>
    public static IReadOnlyList<long[]?[,]> RunGrid(IReadOnlyList<BoundModel> models, int maxHeight, int maxWidth)
    {
        Assert.True(IsAvailable, "PyTorch is required on CI: install python3-torch (see .ci/run).");
        var script = new StringBuilder(Prelude);
        script.Append("models = []\n");
        foreach (var model in models)
            script.Append("models.append((").Append(Program(model.Layers)).Append(", ").Append(L(model.InputShape[0])).Append("))\n");
        script.Append($"H, W = {maxHeight}, {maxWidth}\n");
        script.Append("""
            results = []
            for net, channels in models:
                net = net.eval()
                grid = []
                for h in range(1, H + 1):
                    row = []
                    for w in range(1, W + 1):
                        try:
                            with torch.no_grad():
                                row.append(list(net(torch.rand(2, channels, h, w)).shape[1:]))
                        except RuntimeError:
                            row.append(None)
                    grid.append(row)
                results.append(grid)
            print(json.dumps(results))

            """);
        var json = RunJson(script.ToString());
        return json.EnumerateArray().Select(model =>
        {
            var grid = new long[]?[maxHeight, maxWidth];
            int h = 0;
            foreach (var row in model.EnumerateArray())
            {
                int w = 0;
                foreach (var cell in row.EnumerateArray())
                    grid[h, w++] = cell.ValueKind == JsonValueKind.Null ? null : cell.EnumerateArray().Select(d => d.GetInt64()).ToArray();
                h++;
            }
            return grid;
        }).ToList();
    }

    public sealed record SizeRun(long Parameters, long State, List<long[]?> Outputs);

    /// <summary>
    /// Runs each model in eval mode (batch of 2) at each of its input sizes (spatial sizes; the channels are the model's),
    /// reporting its counts and, per size, the output shape or null where PyTorch raises.
    /// </summary>
    public static IReadOnlyList<SizeRun> RunSizes(IReadOnlyList<BoundModel> models, IReadOnlyList<List<long[]>> sizes)
    {
        var script = new StringBuilder(Prelude);
        script.Append("models = []\n");
        for (int i = 0; i < models.Count; i++)
            script.Append("models.append((").Append(Program(models[i].Layers)).Append(", ").Append(L(models[i].InputShape[0])).Append(", [")
                .Append(string.Join(", ", sizes[i].Select(Tuple))).Append("]))\n");
        script.Append("""
            results = []
            for net, channels, sizes in models:
                net = net.eval()
                outputs = []
                for size in sizes:
                    try:
                        with torch.no_grad():
                            outputs.append(list(net(torch.rand((2, channels) + size)).shape[1:]))
                    except RuntimeError:
                        outputs.append(None)
                results.append({"params": sum(p.numel() for p in net.parameters()), "state": sum(b.numel() for b in net.buffers()), "outputs": outputs})
            print(json.dumps(results))

            """);
        var json = RunJson(script.ToString());
        return json.EnumerateArray().Select(m => new SizeRun(m.GetProperty("params").GetInt64(), m.GetProperty("state").GetInt64(),
            m.GetProperty("outputs").EnumerateArray().Select(o => o.ValueKind == JsonValueKind.Null ? null : o.EnumerateArray().Select(d => d.GetInt64()).ToArray()).ToList())).ToList();
    }

    /// <summary>
    /// For each listed model, reads <c>n{index}.safetensors</c> from <paramref name="folder"/> (its state_dict in order as
    /// w0000, w0001..., an "input" and the "output" computed here), loads the tensors into the PyTorch network in
    /// state_dict order (shapes must match), runs it in eval mode and returns the largest absolute difference.
    /// </summary>
    public static IReadOnlyDictionary<int, double> RunWithWeights(IReadOnlyList<BoundModel> models, IReadOnlyList<int> indices, string folder)
    {
        var script = new StringBuilder(Prelude);
        script.Append(SafetensorsReader);
        script.Append("models = {}\n");
        foreach (var i in indices)
            script.Append("models[").Append(i).Append("] = ").Append(Program(models[i].Layers)).Append("\n");
        script.Append("folder = ").Append(JsonSerializer.Serialize(folder)).Append("\n");
        script.Append("""
            results = {}
            for index, net in models.items():
                tensors = read_safetensors(f"{folder}/n{index}.safetensors")
                weights = [tensors[k] for k in sorted(k for k in tensors if k.startswith("w"))]
                state = net.state_dict()
                assert len(state) == len(weights), (index, len(state), len(weights))
                for (key, value), weight in zip(state.items(), weights):
                    assert tuple(value.shape) == tuple(weight.shape), (index, key, value.shape, weight.shape)
                    value.copy_(weight)
                net = net.eval()
                with torch.no_grad():
                    y = net(tensors["input"])
                results[index] = float((y - tensors["output"]).abs().max()) if y.shape == tensors["output"].shape else float("inf")
            print(json.dumps(results))

            """);
        var json = RunJson(script.ToString());
        return json.EnumerateObject().ToDictionary(p => int.Parse(p.Name, CultureInfo.InvariantCulture), p => p.Value.GetDouble());
    }

    internal const string SafetensorsReader = """
        import struct

        def read_safetensors(path):
            types = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64}
            with open(path, "rb") as f:
                length = struct.unpack("<Q", f.read(8))[0]
                header = json.loads(f.read(length))
                data = f.read()
            tensors = {}
            for name, entry in header.items():
                if name == "__metadata__":
                    continue
                begin, end = entry["data_offsets"]
                dtype = types[entry["dtype"]]
                tensors[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype).reshape(entry["shape"]).clone() if end > begin else torch.zeros(entry["shape"], dtype=dtype)
            return tensors

        """;

    const string Prelude = """
        import json, torch
        from torch import nn
        torch.set_num_threads(1)

        class SamePad(nn.Module):
            # Keras' same padding for the size the tensor has: ceil(n / s) outputs, the odd pixel after.
            def __init__(self, kernel, stride, dilation, value):
                super().__init__()
                self.k, self.s, self.d, self.v = kernel, stride, dilation, value

            def forward(self, x):
                pads = []
                for i in reversed(range(len(self.k))):
                    n = x.shape[2 + i]
                    out = -(-n // self.s[i])
                    total = max((out - 1) * self.s[i] + self.d[i] * (self.k[i] - 1) + 1 - n, 0)
                    pads += [total // 2, total - total // 2]
                return nn.functional.pad(x, pads, value=self.v)

        class Rescale(nn.Module):
            def __init__(self, scale, offset):
                super().__init__()
                self.scale, self.offset = scale, offset

            def forward(self, x):
                shape = (1, -1) + (1,) * (x.dim() - 2)
                s = torch.tensor(self.scale, dtype=x.dtype).reshape(shape) if len(self.scale) > 1 else self.scale[0]
                o = torch.tensor(self.offset, dtype=x.dtype).reshape(shape) if len(self.offset) > 1 else self.offset[0]
                return x * s + o

        class ChannelNorm(nn.Module):
            # Each position's channels (dimension 1) to mean 0 and variance 1, then a scale and shift per channel.
            def __init__(self, channels, eps, affine):
                super().__init__()
                self.eps = eps
                if affine:
                    self.weight = nn.Parameter(torch.ones(channels))
                    self.bias = nn.Parameter(torch.zeros(channels))
                else:
                    self.weight = self.bias = None

            def forward(self, x):
                mean = x.mean(1, keepdim=True)
                variance = ((x - mean) ** 2).mean(1, keepdim=True)
                y = (x - mean) / torch.sqrt(variance + self.eps)
                if self.weight is None:
                    return y
                shape = (1, -1) + (1,) * (x.dim() - 2)
                return y * self.weight.reshape(shape) + self.bias.reshape(shape)

        class Program(nn.Module):
            def __init__(self, steps):
                super().__init__()
                self.steps = [(name, kind, inputs) for name, _, kind, inputs in steps]
                self.layers = nn.ModuleDict({name.replace('.', '_'): module for name, module, kind, inputs in steps if module is not None})
                self.shapes = []

            def forward(self, x):
                tensors = {'input': x}
                self.shapes = []
                for name, kind, inputs in self.steps:
                    if kind == 'add':
                        y = sum(tensors[i] for i in inputs)
                    elif kind == 'concat':
                        y = torch.cat([tensors[i] for i in inputs], 1)
                    elif kind == 'multiply':
                        y = tensors[inputs[0]]
                        for i in inputs[1:]:
                            y = y * tensors[i]
                    else:
                        y = self.layers[name.replace('.', '_')](tensors[inputs[0]])
                    tensors[name] = y
                    self.shapes.append(list(y.shape[1:]))
                return y

        """;

    const string Epilogue = """
        facts = []
        for net, shape in models:
            net = net.eval()
            with torch.no_grad():
                net(torch.rand((2,) + shape))
            shapes = net.shapes
            facts.append({"params": sum(p.numel() for p in net.parameters()),
                          "state": sum(b.numel() for b in net.buffers()),
                          "shapes": shapes})
        print(json.dumps(facts))

        """;

    /// <summary>Runs a script file of <paramref name="folder"/> with arguments there and parses the JSON of its last line.</summary>
    public static JsonElement RunScript(string folder, string script, params string[] arguments)
    {
        Assert.True(IsAvailable, "PyTorch is required on CI: install python3-torch (see .ci/run).");
        var (code, output) = RunPython(folder, new[] { script }.Concat(arguments));
        Assert.True(code == 0, "PyTorch failed:\n" + output);
        return JsonSerializer.Deserialize<JsonElement>(output.Trim().Split('\n').Last());
    }

    static (int Code, string Output) Run(string script)
    {
        var path = Path.Combine(Path.GetTempPath(), "cnndsl-oracle-" + Guid.NewGuid().ToString("N") + ".py");
        File.WriteAllText(path, script);
        try
        {
            return RunPython(null, new[] { path });
        }
        finally
        {
            File.Delete(path);
        }
    }

    // Python's standard output, and the end of its standard error when it fails.
    static (int Code, string Output) RunPython(string? folder, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (folder != null)
            start.WorkingDirectory = folder;
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var error = stderr.Result;
        return (process.ExitCode, stdout.Result + (process.ExitCode == 0 ? "" : error[Math.Max(0, error.Length - 3000)..]));
    }
}
