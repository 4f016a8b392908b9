using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Generator;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>The generator's incremental pipeline: every step is tracked, cached between runs, and holds no compiler objects.</summary>
public class CachingTests
{
    static readonly string AttributeSource = """
        using CnnDsl;
        namespace Models;
        [CnnModel(Input = "1x28x28")]
        [Conv2d(8, Kernel = 3, Activation = Activation.ReLU)]
        [Flatten]
        [Dense(10)]
        public partial class FromAttributes;
        """;

    // Every model uses the project's block `pair`, defined in a file of its own.
    static InMemoryAdditionalText File(int index, int units = 10) =>
        new($"/project/Models/m{index}.cnn", $"model M{index}\n  input 1x28x28\n  pair 8\n  flatten\n  dense {units}\n");

    static InMemoryAdditionalText Blocks(int kernel = 3) =>
        new("/project/Models/blocks.cnn", $"block pair(c)\n  conv2d c, {kernel}, padding=same\n  relu\n");

    static (GeneratorDriver Driver, Compilation Compilation) FirstRun(params InMemoryAdditionalText[] files)
    {
        var compilation = GeneratorHarness.CreateCompilation(new[] { AttributeSource });
        var driver = GeneratorHarness.CreateDriver(files.Append(Blocks())).RunGenerators(compilation);
        return (driver, compilation);
    }

    [Fact]
    public void Every_tracking_name_appears_in_a_run()
    {
        var (driver, _) = FirstRun(File(0), File(1));
        var steps = driver.GetRunResult().Results.Single().TrackedSteps;
        Assert.Equal(new string[0], TrackingNames.All.Where(name => !steps.ContainsKey(name)).ToArray());
    }

    [Fact]
    public void A_second_run_with_the_same_inputs_is_entirely_cached()
    {
        var (driver, compilation) = FirstRun(File(0), File(1));
        driver = driver.RunGenerators(compilation.Clone());
        var result = driver.GetRunResult().Results.Single();
        foreach (var name in TrackingNames.All)
            foreach (var step in result.TrackedSteps[name])
                foreach (var (_, reason) in step.Outputs)
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name}: {reason}");
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    [Fact]
    public void Editing_one_cnn_file_leaves_the_other_models_cached()
    {
        var files = Enumerable.Range(0, 5).Select(i => File(i)).ToArray();
        var (driver, compilation) = FirstRun(files);
        driver = driver.ReplaceAdditionalText(files[2], File(2, units: 12)).RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();

        var fileSteps = result.TrackedSteps[TrackingNames.CnnModels].SelectMany(s => s.Outputs).ToList();
        Assert.Single(fileSteps, o => o.Reason == IncrementalStepRunReason.Modified);
        // The other four model files and the blocks file.
        Assert.Equal(5, fileSteps.Count(o => o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));

        var emitted = result.TrackedSteps[TrackingNames.ModelsToEmit].SelectMany(s => s.Outputs).ToList();
        var changed = emitted.Where(o => o.Reason is IncrementalStepRunReason.New or IncrementalStepRunReason.Modified).ToList();
        Assert.Single(changed);
        Assert.Equal("M2", ((ModelResult)changed[0].Value).Model!.Name);
        Assert.Equal(IncrementalStepRunReason.Cached,
            Assert.Single(result.TrackedSteps[TrackingNames.BoundAttributeModels].SelectMany(s => s.Outputs)).Reason);
    }

    [Fact]
    public void The_block_class_is_emitted_once_for_all_models_and_again_only_when_the_block_changes()
    {
        var files = Enumerable.Range(0, 3).Select(i => File(i)).ToArray();
        var blocks = Blocks();
        var compilation = GeneratorHarness.CreateCompilation(new[] { AttributeSource });
        var driver = GeneratorHarness.CreateDriver(files.Append(blocks)).RunGenerators(compilation);
        var first = driver.GetRunResult().Results.Single();
        Assert.Single(first.GeneratedSources, s => s.HintName.EndsWith(".block.g.cs"));
        Assert.Equal("Models.Pair.block.g.cs", Assert.Single(first.GeneratedSources, s => s.HintName.EndsWith(".block.g.cs")).HintName);

        // A model's edit leaves the block's class as it was.
        driver = driver.ReplaceAdditionalText(files[1], File(1, units: 12)).RunGenerators(compilation);
        var spec = Assert.Single(driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.BlockEmissionSpecs].SelectMany(s => s.Outputs));
        Assert.True(spec.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, spec.Reason.ToString());

        // The block's edit re-emits it, with the new kernel.
        driver = driver.ReplaceAdditionalText(blocks, Blocks(kernel: 5)).RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();
        spec = Assert.Single(result.TrackedSteps[TrackingNames.BlockEmissionSpecs].SelectMany(s => s.Outputs));
        Assert.Equal(IncrementalStepRunReason.Modified, spec.Reason);
        Assert.Contains("kernel_size: 5", Assert.Single(result.GeneratedSources, s => s.HintName == "Models.Pair.block.g.cs").SourceText.ToString());
    }

    [Fact]
    public void Pipeline_outputs_hold_no_symbols_syntax_compilations_or_locations()
    {
        var (driver, _) = FirstRun(File(0), new InMemoryAdditionalText("/project/bad.cnn", "model Bad\n  input 1x2x2\n  conv2d 4, kernel=5\n"));
        var result = driver.GetRunResult().Results.Single();
        var forbidden = new[] { typeof(ISymbol), typeof(SyntaxNode), typeof(Compilation), typeof(Location), typeof(SemanticModel), typeof(SyntaxTree) };
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        int checkedObjects = 0;
        foreach (var name in TrackingNames.All)
            foreach (var step in result.TrackedSteps[name])
                foreach (var (value, _) in step.Outputs)
                    Walk(value, name, forbidden, visited, ref checkedObjects);
        Assert.True(checkedObjects > 50, "The walk should have visited the model graphs.");
    }

    static void Walk(object? value, string path, Type[] forbidden, HashSet<object> visited, ref int count)
    {
        if (value == null || value is string || value.GetType().IsPrimitive || value is Enum || value is Type)
            return;
        var type = value.GetType();
        Assert.False(forbidden.Any(f => f.IsAssignableFrom(type)), $"{path} holds a {type.FullName}");
        if (!type.IsValueType && !visited.Add(value))
            return;
        count++;
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (var item in items)
                Walk(item, $"{path}[{i++}]", forbidden, visited, ref count);
            return;
        }
        for (var t = type; t != null && t != typeof(object); t = t.BaseType)
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                Walk(field.GetValue(value), $"{path}.{field.Name}", forbidden, visited, ref count);
    }
}
