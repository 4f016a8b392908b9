using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using CnnDsl.Compiler.Tests;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Export.Tests.Infrastructure;
using CnnDsl.Onnx;
using CnnDsl.PyTorchExport;
using CnnDsl.Weights;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CnnDsl.Export.Tests;

/// <summary>
/// <c>kernel_init=</c> and <c>bias_init=</c> on every layer with a kernel start the tensors as <c>torch.nn.init</c>'s
/// functions start tensors of the same shapes, on every back end that starts weights: the generated module, the
/// run-time builder, the ONNX exporter's untrained weights, and the exported PyTorch module's constructor.
/// </summary>
public class LayerInitTests(ITestOutputHelper output)
{
    const string Model = """
        model Inits
          input 4x12x12
          a: conv2d 64, 3, kernel_init=kaiming_normal, init_mode=fan_out, bias_init=zeros
          b: conv2d 32, 3, kernel_init=kaiming_uniform, bias_init=ones
          c: separable_conv2d 48, 3, kernel_init=xavier_normal
          d: conv_transpose2d 16, 3, kernel_init=xavier_uniform, bias_init=zeros
          e: depthwise_conv2d 3, depth_multiplier=4, kernel_init=normal, init_std=0.05
          flatten
          f: dense 300, kernel_init=trunc_normal, init_std=0.02
          g: dense 200, kernel_init=uniform, init_mode=fan_out
        """;

    // What torch.nn.init does to each tensor the layers name, written from the model's text, not from the plan.
    static readonly Dictionary<string, string> Expected = new()
    {
        ["a.weight"] = "nn.init.kaiming_normal_(t, mode='fan_out', nonlinearity='relu')",
        ["a.bias"] = "nn.init.zeros_(t)",
        ["b.weight"] = "nn.init.kaiming_uniform_(t, nonlinearity='relu')",
        ["b.bias"] = "nn.init.ones_(t)",
        ["c.depthwise.weight"] = "nn.init.xavier_normal_(t)",
        ["c.pointwise.weight"] = "nn.init.xavier_normal_(t)",
        ["d.weight"] = "nn.init.xavier_uniform_(t)",
        ["d.bias"] = "nn.init.zeros_(t)",
        ["e.weight"] = "nn.init.normal_(t, std=0.05)",
        ["f.weight"] = "nn.init.trunc_normal_(t, std=0.02)",
        ["g.weight"] = "nn.init.uniform_(t, -1 / math.sqrt(200), 1 / math.sqrt(200))",
    };

    const string Script = $$"""
        import json, math, sys, torch
        from torch import nn
        jobs = json.load(open(sys.argv[1]))
        torch.manual_seed(4)  # not the C# side's seed: libtorch's generator is the same in both

        {{ZooInitializationTests.StatsFunction}}


        reference = {}
        for key, shape, call in jobs["expected"]:
            t = torch.empty(shape)
            eval(call)
            reference[key] = stats(t)
        spec = __import__("importlib.util").util.spec_from_file_location("inits", jobs["module"])
        exported = __import__("importlib.util").util.module_from_spec(spec)
        spec.loader.exec_module(exported)
        state = exported.Inits().state_dict()
        exported = {k: stats(v) for k, v in state.items()}
        print(json.dumps({"reference": reference, "exported": exported}))
        """;

    [PyTorchFact]
    public void Every_back_end_starts_the_tensors_as_torch_nn_init_does()
    {
        var (compiled, assembly) = CompiledModels.Get(Model, "inits.cnn");
        var model = compiled.Single();
        manual_seed(3);
        using var generated = LoadedModels.Create(assembly, "Models.Inits");
        using var built = new RuntimeModule(model);
        var untrained = ModelWeights.Initialize(model, seed: 3);
        var sources = new Dictionary<string, Dictionary<string, double[]>>
        {
            ["generated module"] = StateDict.Ordered(generated).ToDictionary(e => e.Key, e => ZooInitializationTests.Stats(e.Tensor)),
            ["run-time builder"] = StateDict.Ordered(built).ToDictionary(e => e.Key, e => ZooInitializationTests.Stats(e.Tensor)),
            ["ONNX exporter"] = untrained.ToDictionary(e => e.Key, e => ZooInitializationTests.Stats(tensor(e.Value.Values).reshape(e.Value.Shape))),
        };
        var folder = Directory.CreateTempSubdirectory("cnndsl-inits-").FullName;
        JsonElement python;
        try
        {
            var module = PyTorchExporter.Export(model, folder)[0];
            var shapes = sources["generated module"].Keys.ToDictionary(k => k, k => generated.state_dict()[k].shape);
            var jobs = new { expected = Expected.Select(e => new object[] { e.Key, shapes[e.Key], e.Value }).ToList(), module };
            File.WriteAllText(Path.Combine(folder, "jobs.json"), JsonSerializer.Serialize(jobs));
            File.WriteAllText(Path.Combine(folder, "check_inits.py"), Script);
            python = PyTorchOracle.RunScript(folder, "check_inits.py", "jobs.json");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        sources["PyTorch export"] = python.GetProperty("exported").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetDouble()).ToArray());
        var reference = python.GetProperty("reference");
        var failures = new List<string>();
        foreach (var (key, _) in Expected)
        {
            var expected = reference.GetProperty(key).EnumerateArray().Select(v => v.GetDouble()).ToArray();
            foreach (var (source, stats) in sources)
                if (ZooInitializationTests.Differs(stats[key], expected) is { } why)
                    failures.Add($"{source} {key}: {why}");
        }
        output.WriteLine($"{Expected.Count} tensors x {sources.Count} back ends");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
