using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Compiler.Tests;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Export.Tests.Infrastructure;
using CsCheck;
using Xunit;
using Xunit.Abstractions;

namespace CnnDsl.Export.Tests;

/// <summary>
/// The exported ONNX graph computes what the generated TorchSharp module computes: for random models of every layer
/// kind, ONNX Runtime's outputs equal the module's within 1e-4 on random inputs, with the module's own weights.
/// </summary>
public class OnnxRuntimeEqualityTests(ITestOutputHelper output)
{
    public const int PropertyModelCount = 240;

    /// <summary>The compiler tests' random layer stacks (1-D, 2-D, 3-D; every layer kind), same seed.</summary>
    public static List<PropertyTests.RandomModel> PropertyModels()
    {
        var models = new List<PropertyTests.RandomModel>();
        PropertyTests.ValidModel.Sample(m => models.Add(m), iter: PropertyModelCount, threads: 1, seed: "0N0XIzNsQ0O2");
        return models;
    }

    public static string PropertyModelText(IEnumerable<PropertyTests.RandomModel> models) =>
        PropertyTests.Blocks + string.Concat(models.Select((m, i) => $"model M{i}\n{m.Text}"));

    [Fact]
    public void Random_models_of_every_layer_kind_give_onnx_runtime_the_outputs_of_the_generated_module()
    {
        var models = PropertyModels();
        var text = PropertyModelText(models);
        var (compiled, assembly) = CompiledModels.Get(text, "random.cnn");
        TorchSharp.torch.manual_seed(7);
        double worst = 0;
        for (int i = 0; i < models.Count; i++)
        {
            var model = compiled[i];
            using var module = LoadedModels.Create(assembly, "Models.M" + i);
            var shapes = new[] { model.InputShape.Sizes };
            var context = $"model M{i}:\n{models[i].Text}";
            var comparisons = TorchVsOnnx.Compare(module, model, shapes, seed: i, context);
            TorchVsOnnx.AssertEqual(comparisons, shapes, context);
            worst = Math.Max(worst, comparisons.Max(c => c.MaxDifference));
        }
        output.WriteLine($"{models.Count} models, largest difference {worst:G3}");
    }

    [Fact]
    public void Models_with_size_variables_export_named_dynamic_sizes_that_onnx_runtime_runs_at_two_sizes()
    {
        var models = SymbolicPropertyTests.Models(40);
        var text = SymbolicPropertyTests.Blocks + string.Concat(models.Select(m => m.Text));
        var (compiled, assembly) = CompiledModels.Get(text, "symbolic.cnn");
        TorchSharp.torch.manual_seed(11);
        int checkedModels = 0;
        for (int i = 0; i < models.Count; i++)
        {
            var model = compiled[i];
            var sizes = AcceptedSizes(model).Take(2).ToList();
            Assert.True(sizes.Count == 2, $"S{i} accepts fewer than two sizes up to 40x40 ({model.AcceptedSizeRule})");
            using var module = LoadedModels.Create(assembly, "Models.S" + i);
            var shapes = sizes.Select(s => new[] { model.InputShape[0].Constant!.Value, s.H, s.W }).ToList();
            var context = $"model S{i}:\n{models[i].Text}";
            TorchVsOnnx.AssertEqual(TorchVsOnnx.Compare(module, model, shapes, seed: i, context), shapes, context);
            checkedModels++;
        }
        output.WriteLine($"{checkedModels} models at two sizes each");
    }

    /// <summary>Sizes the model accepts, an even and an odd one first where both exist, so that padding and pooling see both.</summary>
    public static IEnumerable<(long H, long W)> AcceptedSizes(BoundModel model)
    {
        var candidates = new (long, long)[] { (16, 16), (13, 19), (24, 20), (17, 17), (32, 32), (40, 36), (33, 40) };
        return candidates.Where(c => model.AcceptedSizes.All(a => a.Condition.Evaluate(new Dictionary<string, long> { ["H"] = c.Item1, ["W"] = c.Item2 }) != 0));
    }
}
