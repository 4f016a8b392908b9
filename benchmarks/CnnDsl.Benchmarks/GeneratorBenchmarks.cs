using System;
using System.Linq;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.CodeAnalysis;

namespace CnnDsl.Benchmarks;

/// <summary>
/// A short job for a 2-core machine shared with other builds: one launch, 6 warm-up and 15 measured iterations
/// (more warm-up than the minimum: all cases share one process, and on a busy machine the first case otherwise still
/// runs partly on unoptimised JIT code).
/// It runs in the benchmark process, so BenchmarkDotNet does not rebuild the generator projects it references.
/// </summary>
public sealed class ShortInProcessConfig : ManualConfig
{
    public ShortInProcessConfig()
    {
        AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max);
        AddJob(Job.Default
            .WithStrategy(RunStrategy.Throughput)
            .WithLaunchCount(1)
            .WithWarmupCount(6)
            .WithIterationCount(15)
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithId("ShortInProcess"));
    }
}

/// <summary>The generator over a project of 100 course-sized models: a cold run and a no-op rerun.</summary>
[Config(typeof(ShortInProcessConfig))]
[MemoryDiagnoser]
public class GeneratorRunBenchmarks
{
    ModelProject project = null!;
    GeneratorDriver warm = null!;
    string fashionText = null!;

    [GlobalSetup]
    public void Setup()
    {
        project = new ModelProject();
        fashionText = ModelProject.Text(0, edited: false);
        warm = project.CreateDriver(trackSteps: false).RunGenerators(project.Compilation);
        Checks.AssertAllEmitted(warm, ModelProject.ModelCount);
    }

    /// <summary>A fresh driver (as in a command-line build) checks and emits all 100 models.</summary>
    [Benchmark]
    public GeneratorDriver Cold() => project.CreateDriver(trackSteps: false).RunGenerators(project.Compilation);

    /// <summary>Nothing changed since the last run: every step is cached.</summary>
    [Benchmark]
    public GeneratorDriver NoOpRerun() => warm.RunGenerators(project.Compilation);

    /// <summary>For scale: the Dsl front end alone (lex, parse, bind, check) on one Fashion-MNIST course model, no Roslyn.</summary>
    [Benchmark]
    public CnnDsl.Dsl.CnnCompilation DslCompileOneModel() => CnnDsl.Dsl.CnnCompilation.Compile(fashionText, ModelProject.PathOf(0), ModelProject.RootNamespace);
}

/// <summary>
/// The incremental run after editing .cnn files in a warm driver (as in an IDE): each invocation swaps
/// <see cref="ChangedModels"/> files to their other version (revision A and B alternate) and reruns the generator,
/// keeping the returned driver for the next invocation.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
[MemoryDiagnoser]
public class GeneratorEditBenchmarks
{
    ModelProject project = null!;
    GeneratorDriver driver = null!;
    AdditionalText[] current = null!;
    bool edited;

    /// <summary>How many files (each one model) an invocation edits; spread across the project.</summary>
    [Params(1, 10)]
    public int ChangedModels { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        project = new ModelProject();
        current = project.Files.ToArray();
        driver = project.CreateDriver(trackSteps: false).RunGenerators(project.Compilation);
        Checks.AssertAllEmitted(driver, ModelProject.ModelCount);
    }

    /// <summary>The edit: the files alternate between revision A and B, so each run re-checks and re-emits their models.</summary>
    [Benchmark(Baseline = true)]
    public GeneratorDriver EditAndRerun()
    {
        edited = !edited;
        return Replace(i => edited ? project.Edited[i] : project.Original[i]);
    }

    /// <summary>
    /// For comparison: the files are replaced by new instances with the same text (as a save without changes). The file
    /// step re-reads them and finds equal text, so nothing downstream runs: this is the driver's own cost of a changed input.
    /// </summary>
    [Benchmark]
    public GeneratorDriver ReplaceWithSameText() => Replace(i => project.Original[i]);

    GeneratorDriver Replace(Func<int, Microsoft.CodeAnalysis.Text.SourceText> textOf)
    {
        for (var k = 0; k < ChangedModels; k++)
        {
            var i = k * (ModelProject.ModelCount / ChangedModels);
            var replacement = new InMemoryAdditionalText(ModelProject.PathOf(i), textOf(i));
            driver = driver.ReplaceAdditionalText(current[i], replacement);
            current[i] = replacement;
        }
        return driver = driver.RunGenerators(project.Compilation);
    }

    [GlobalCleanup]
    public void Cleanup() => Checks.AssertAllEmitted(driver, ModelProject.ModelCount);
}
