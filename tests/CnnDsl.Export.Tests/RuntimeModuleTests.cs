using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Compiler.Tests;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Export.Tests.Infrastructure;
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
    [Fact]
    public void Built_modules_equal_the_generated_ones_for_random_models_of_every_layer_kind()
    {
        var models = OnnxRuntimeEqualityTests.PropertyModels();
        var text = OnnxRuntimeEqualityTests.PropertyModelText(models);
        var (compiled, assembly) = CompiledModels.Get(text, "random.cnn");
        manual_seed(9);
        for (int i = 0; i < models.Count; i++)
        {
            using var generated = LoadedModels.Create(assembly, "Models.M" + i);
            ModuleEquality.AssertEqual(generated, compiled[i], new[] { compiled[i].InputShape.Sizes }, $"M{i}:\n{models[i].Text}");
        }
        output.WriteLine($"{models.Count} models");
    }

    [Fact]
    public void Built_modules_equal_the_generated_ones_for_models_with_size_variables_at_two_sizes()
    {
        var models = SymbolicPropertyTests.Models(40);
        var text = SymbolicPropertyTests.Blocks + string.Concat(models.Select(m => m.Text));
        var (compiled, assembly) = CompiledModels.Get(text, "symbolic.cnn");
        manual_seed(10);
        for (int i = 0; i < models.Count; i++)
        {
            var accepted = OnnxRuntimeEqualityTests.AcceptedSizes(compiled[i]).Take(2).ToList();
            Assert.Equal(2, accepted.Count);
            using var generated = LoadedModels.Create(assembly, "Models.S" + i);
            ModuleEquality.AssertEqual(generated, compiled[i], accepted.Select(s => new[] { compiled[i].InputShape[0].Constant!.Value, s.H, s.W }), $"S{i}:\n{models[i].Text}");
        }
    }
}
