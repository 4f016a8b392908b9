using System.Collections.Generic;
using System.Linq;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Export.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace CnnDsl.Export.Tests;

/// <summary>
/// Every zoo model, at small inputs to keep the test quick: the module built at run time equals the generated one, and
/// ONNX Runtime computes what the generated module computes. One test, so that each large module is created once.
/// </summary>
public class ZooExportTests(ITestOutputHelper output)
{
    /// <summary>The smallest convenient input per zoo model; a zoo model not listed is tried at 3x64x64.</summary>
    static readonly Dictionary<string, string> Inputs = new()
    {
        ["alexnet"] = "3x63x63",
        ["lenet5"] = "1x28x28",
        // The smallest sizes these architectures accept: Inception V3 needs 75x75, Keras' Xception 71x71.
        ["inception_v3"] = "3x75x75",
        ["xception"] = "3x71x71",
        ["googlenet"] = "3x32x32",
        ["efficientnet_b0"] = "3x32x32",
        ["densenet121"] = "3x32x32",
        // One channel, sides a multiple of 16 (four 2x2 poolings undone by four transposed convolutions).
        ["unet_small"] = "1x16x16",
    };

    /// <summary>Zoo models also exported with size variables and run at two sizes.</summary>
    static readonly string[] VariableSizeModels = { "resnet18", "mobilenet_v2" };

    public static string ZooText() =>
        string.Concat(Zoo.Models.Select(m => $"model Zoo_{m} = {m} classes=10\n  input {(Inputs.TryGetValue(m, out var input) ? input : m.StartsWith("vgg") || m.StartsWith("resnet") || m.StartsWith("mobilenet") ? "3x32x32" : "3x64x64")}\n"))
        + string.Concat(VariableSizeModels.Select(m => $"model Variable_{m} = {m} classes=10\n  input 3xHxW\n"));

    [Fact]
    public void Every_zoo_model_is_built_at_run_time_as_generated_and_gives_onnx_runtime_the_generated_modules_outputs()
    {
        var (compiled, assembly) = CompiledModels.Get(ZooText(), "zoo.cnn");
        TorchSharp.torch.manual_seed(3);
        foreach (var model in compiled)
        {
            using var module = LoadedModels.Create(assembly, "Models." + model.Name);
            var shapes = model.SizeVariables.Count == 0
                ? new List<long[]> { model.InputShape.Sizes }
                : new List<long[]> { new long[] { 3, 32, 32 }, new long[] { 3, 45, 38 } };
            ModuleEquality.AssertEqual(module, model, shapes, model.Name);
            var comparisons = TorchVsOnnx.Compare(module, model, shapes, seed: 5, model.Name);
            TorchVsOnnx.AssertEqual(comparisons, shapes, model.Name);
            output.WriteLine($"{model.Name}: {model.ParameterCount:N0} parameters, largest difference {comparisons.Max(c => c.MaxDifference):G3} (largest output {comparisons.Max(c => c.MaxMagnitude):G3})");
        }
        Assert.Equal(Zoo.Models.Count() + VariableSizeModels.Length, compiled.Count);
    }
}
