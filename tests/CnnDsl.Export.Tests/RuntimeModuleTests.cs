using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Compiler.Tests;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CnnDsl.Export.Tests;

/// <summary>
/// A module built at run time from the checked model equals the generated one: the same state_dict keys in the same
/// order with the same shapes, and, with the generated module's weights loaded, the same outputs.
/// </summary>
public class RuntimeModuleTests(ITestOutputHelper output)
{
    static void AssertEqualModules(nn.Module<Tensor, Tensor> generated, BoundModel model, IEnumerable<long[]> sampleShapes, string context)
    {
        using var built = new RuntimeModule(model);
        var expected = generated.state_dict();
        var actual = built.state_dict();
        Assert.True(expected.Keys.SequenceEqual(actual.Keys),
            $"state_dict keys differ:\ngenerated {string.Join(", ", expected.Keys)}\nbuilt     {string.Join(", ", actual.Keys)}\nin {context}");
        foreach (var key in expected.Keys)
            Assert.True(expected[key].shape.SequenceEqual(actual[key].shape), $"{key}: generated {string.Join("x", expected[key].shape)}, built {string.Join("x", actual[key].shape)} in {context}");
        built.load_state_dict(expected);
        generated.eval();
        built.eval();
        int seed = 0;
        foreach (var sample in sampleShapes)
        {
            using var _ = no_grad();
            using var input = rand(new[] { 2L }.Concat(sample).ToArray(), generator: new TorchSharp.torch.Generator((ulong)++seed)) * 2 - 1;
            using var want = generated.call(input);
            using var got = built.call(input);
            Assert.True(want.shape.SequenceEqual(got.shape), $"output {string.Join("x", got.shape)} instead of {string.Join("x", want.shape)} on {string.Join("x", sample)} in {context}");
            double difference = (want - got).abs().max().item<float>();
            Assert.True(difference <= 1e-6, $"outputs differ by {difference:G3} on {string.Join("x", sample)} in {context}");
        }
    }

    [Fact]
    public void Built_modules_equal_the_generated_ones_for_random_models_of_every_layer_kind()
    {
        var models = OnnxRuntimeEqualityTests.PropertyModels();
        var text = OnnxRuntimeEqualityTests.PropertyModelText(models);
        var compiled = CnnCompilation.Compile(text, "random.cnn").Models;
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(text));
        manual_seed(9);
        for (int i = 0; i < models.Count; i++)
        {
            using var generated = LoadedModels.Create(assembly, "Models.M" + i);
            AssertEqualModules(generated, compiled[i], new[] { compiled[i].InputShape.Sizes }, $"M{i}:\n{models[i].Text}");
        }
        output.WriteLine($"{models.Count} models");
    }

    [Fact]
    public void Built_modules_equal_the_generated_ones_for_models_with_size_variables_at_two_sizes()
    {
        var models = SymbolicPropertyTests.Models(40);
        var text = SymbolicPropertyTests.Blocks + string.Concat(models.Select(m => m.Text));
        var compiled = CnnCompilation.Compile(text, "symbolic.cnn").Models;
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(text));
        manual_seed(10);
        for (int i = 0; i < models.Count; i++)
        {
            var accepted = new (long H, long W)[] { (16, 16), (13, 19), (24, 20), (17, 17), (32, 32), (40, 36) }
                .Where(s => compiled[i].AcceptedSizes.All(a => a.Condition.Evaluate(new Dictionary<string, long> { ["H"] = s.H, ["W"] = s.W }) != 0)).Take(2).ToList();
            Assert.Equal(2, accepted.Count);
            using var generated = LoadedModels.Create(assembly, "Models.S" + i);
            AssertEqualModules(generated, compiled[i], accepted.Select(s => new[] { compiled[i].InputShape[0].Constant!.Value, s.H, s.W }), $"S{i}:\n{models[i].Text}");
        }
    }

    [Fact]
    public void Built_modules_equal_the_generated_ones_for_every_zoo_model()
    {
        var text = ZooExportTests.ZooText();
        var compiled = CnnCompilation.Compile(text, "zoo.cnn").Models;
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(text));
        manual_seed(12);
        foreach (var model in compiled)
        {
            using var generated = LoadedModels.Create(assembly, "Models." + model.Name);
            var shapes = model.SizeVariables.Count == 0 ? new[] { model.InputShape.Sizes } : new[] { new long[] { 3, 32, 32 }, new long[] { 3, 45, 38 } };
            AssertEqualModules(generated, model, shapes, model.Name);
        }
        output.WriteLine($"{compiled.Count} zoo models");
    }
}
