using System.Collections.Generic;
using System.Linq;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Export.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace CnnDsl.Export.Tests;

/// <summary>Every zoo model exports, and ONNX Runtime computes what the generated module computes, at small inputs to keep the test quick.</summary>
public class ZooExportTests(ITestOutputHelper output)
{
    /// <summary>The smallest convenient input per zoo model; a zoo model not listed is tried at 3x64x64.</summary>
    static readonly Dictionary<string, string> Inputs = new()
    {
        ["alexnet"] = "3x63x63",
        ["lenet5"] = "1x28x28",
    };

    /// <summary>Zoo models also exported with size variables and run at two sizes.</summary>
    static readonly string[] VariableSizeModels = { "resnet18", "mobilenet_v2" };

    public static string ZooText() =>
        string.Concat(Zoo.Models.Select(m => $"model Zoo_{m} = {m} classes=10\n  input {(Inputs.TryGetValue(m, out var input) ? input : m.StartsWith("vgg") || m.StartsWith("resnet") || m.StartsWith("mobilenet") ? "3x32x32" : "3x64x64")}\n"))
        + string.Concat(VariableSizeModels.Select(m => $"model Variable_{m} = {m} classes=10\n  input 3xHxW\n"));

    [Fact]
    public void Every_zoo_model_gives_onnx_runtime_the_outputs_of_the_generated_module()
    {
        var text = ZooText();
        var compiled = CnnCompilation.Compile(text, "zoo.cnn");
        Assert.True(compiled.Diagnostics.Count == 0, string.Join("\n", compiled.Diagnostics.Take(5)));
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(text));
        TorchSharp.torch.manual_seed(3);
        foreach (var model in compiled.Models)
        {
            using var module = LoadedModels.Create(assembly, "Models." + model.Name);
            var shapes = model.SizeVariables.Count == 0
                ? new List<long[]> { model.InputShape.Sizes }
                : new List<long[]> { new long[] { 3, 32, 32 }, new long[] { 3, 45, 38 } };
            var comparisons = TorchVsOnnx.Compare(module, model, shapes, seed: 5, model.Name);
            TorchVsOnnx.AssertEqual(comparisons, shapes, model.Name);
            output.WriteLine($"{model.Name}: {model.ParameterCount:N0} parameters, largest difference {comparisons.Max(c => c.MaxDifference):G3} (largest output {comparisons.Max(c => c.MaxMagnitude):G3})");
        }
        Assert.Equal(Zoo.Models.Count() + VariableSizeModels.Length, compiled.Models.Count);
    }
}
