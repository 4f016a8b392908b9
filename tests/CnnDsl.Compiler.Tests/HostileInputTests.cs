using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using CnnDsl.Compiler.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// The reproducers of the compiler's hostile-input report: each must end in a CNN diagnostic (never a wrong number, a
/// crash, an internal error or an endless run). The skipped ones need the symbolic core rewrite of the parser, binder,
/// blocks and catalogue; they are written so that they pass once it lands.
/// </summary>
public class HostileInputTests
{
    const string Rewrite = "fixed by the core rewrite: ";

    // An error at a CNN diagnostic, no internal error, and no generated code for the model.
    static GeneratorResult AssertRejected(string cnn)
    {
        var result = GeneratorHarness.RunCnn(cnn);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id is "CS8785" or "CS8784" || d.Id.StartsWith("CNN9"));
        Assert.Contains(result.CnnDiagnostics, d => d.Severity == DiagnosticSeverity.Error && d.Id.StartsWith("CNN"));
        Assert.Empty(result.HintNames);
        return result;
    }

    [Fact]
    public void Batchnorm_parameters_of_a_size_near_2_to_the_62_do_not_wrap() =>
        AssertRejected("model M\n  input 4611686018427387904x2\n  batchnorm1d\n");

    [Fact]
    public void A_flattened_size_over_2_to_the_63_does_not_wrap_to_a_plausible_number() =>
        AssertRejected("model M\n  input 2x3037000500x3037000500\n  flatten\n  dense 10\n");

    [Fact]
    public void A_kernel_of_int_max_is_rejected_rather_than_counted_negative() =>
        AssertRejected("model M\n  input 3x16x16\n  conv2d 8, 2147483647, padding=same\n");

    [Fact]
    public void An_attribute_kernel_of_int_max_is_rejected_rather_than_counted_negative()
    {
        var result = GeneratorHarness.RunCSharp("using CnnDsl;\nnamespace Models;\n[CnnModel(Input = \"3x16x16\")]\n[Conv2d(8, int.MaxValue, Padding = Padding.Same)]\npartial class Net;\n");
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id.StartsWith("CNN9"));
        Assert.Contains(result.CnnDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Empty(result.HintNames);
    }

    [Fact]
    public void Zero_padding_of_long_max_does_not_shrink_the_input() =>
        AssertRejected("model M\n  input 1x28x28\n  zeropad2d 9223372036854775807\n");

    [Fact]
    public void Concatenating_sizes_near_2_to_the_62_is_a_diagnostic_not_an_internal_error() =>
        AssertRejected("model M\n  input 4611686018427387904x1\n  a: relu\n  concat a, a, a\n");

    [Fact]
    public void A_whole_number_of_2_to_the_63_is_not_read_as_a_long() =>
        AssertRejected("model M\n  input 4\n  dense 9223372036854775808\n");

    [Fact]
    public void Fifty_thousand_nested_parentheses_are_a_diagnostic_not_a_stack_overflow()
    {
        const int depth = 50_000;
        var text = "model M\n  input 1x8x8\n  conv2d 4, kernel=" + new string('(', depth) + "3" + new string(')', depth) + "\n";
        GeneratorResult? result = null;
        // A small stack, as a compiler server thread may have: the depth the parser reaches must not depend on it.
        var thread = new Thread(() => result = GeneratorHarness.RunCnn(text), 1024 * 1024);
        thread.Start();
        thread.Join();
        Assert.NotNull(result);
        Assert.Contains(result!.CnnDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id.StartsWith("CNN9"));
    }

    [Fact]
    public void A_deeply_dotted_label_compiles_quickly()
    {
        var label = string.Join(".", Enumerable.Range(0, 25).Select(i => "p" + i));
        var result = GeneratorHarness.RunCnn("model M\n  input 1x8x8\n  " + label + ": conv2d 2, 1\n");
        var stopwatch = Stopwatch.StartNew();
        var errors = result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        stopwatch.Stop();
        Assert.True(result.CnnDiagnostics.Count > 0 || errors.Count == 0, string.Join("\n", errors));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"compiling took {stopwatch.Elapsed}");
    }

    [Fact]
    public void Groups_nested_25_deep_compile_quickly()
    {
        var text = new StringBuilder("model M\n  input 1x8x8\n");
        for (int i = 0; i < 25; i++)
            text.Append(' ', 2 + 2 * i).Append("group g").Append(i).Append('\n');
        text.Append(' ', 52).Append("conv2d 2, 1\n");
        for (int i = 24; i >= 0; i--)
            text.Append(' ', 2 + 2 * i).Append("end\n");
        var result = GeneratorHarness.RunCnn(text.ToString());
        var stopwatch = Stopwatch.StartNew();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var errors = result.Output.GetDiagnostics(cancellation.Token).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        stopwatch.Stop();
        Assert.True(result.CnnDiagnostics.Count > 0 || errors.Count == 0, string.Join("\n", errors));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"compiling took {stopwatch.Elapsed}");
    }

    // Each block uses the next twice, the second time on its own input, so both uses are bound.
    static string Chain(int blocks, string last)
    {
        var text = new StringBuilder();
        for (int i = 0; i < blocks; i++)
            text.Append($"block B{i}(c)\n").Append(i + 1 < blocks ? $"  B{i + 1} c\n  B{i + 1} c, from=input\n" : last);
        return text.Append("model M\n  input 1x4x4\n  B0 2\n").ToString();
    }

    [Fact]
    public void Blocks_each_using_the_next_twice_do_not_take_exponential_time()
    {
        var stopwatch = Stopwatch.StartNew();
        var result = GeneratorHarness.RunCnn(Chain(21, "  conv2d c, 1\n"));
        stopwatch.Stop();
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id.StartsWith("CNN9"));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"the generator took {stopwatch.Elapsed}");
    }

    [Fact]
    public void One_mistake_deep_in_a_chain_of_blocks_gives_one_diagnostic()
    {
        var result = GeneratorHarness.RunCnn(Chain(16, "  conv2d c, kernal=1\n"));
        Assert.Single(result.CnnDiagnostics);
    }

    [Fact]
    public void A_label_of_30000_parts_is_a_diagnostic_not_out_of_memory()
    {
        var label = string.Join(".", Enumerable.Range(0, 30_000).Select(i => "p" + i));
        var stopwatch = Stopwatch.StartNew();
        AssertRejected("model M\n  input 1x8x8\n  " + label + ": relu\n");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed}");
    }

    // Found by the full campaign: a parameter called nameof captured the class's nameof in its base call.
    [Fact]
    public void A_block_parameter_called_nameof_compiles()
    {
        var result = GeneratorHarness.RunCnn("block Blk(nameof, c)\n  conv2d c, 1\nmodel M\n  input 1x4x4\n  Blk 2, 3\n");
        Assert.Empty(result.CnnDiagnostics);
        LoadedModels.Load(result);
    }

    // Found by the full campaign: layers whose counts fit one by one, but not in total.
    [Fact]
    public void Counts_that_fit_per_layer_but_not_in_total_are_a_diagnostic_not_an_internal_error()
    {
        var result = AssertRejected("model M\n  input 159\n  dense 4294967295\n  dense 2147483647\n  dense 4294967295\n  dense 2147483647\n  dense 4294967295\n");
        Assert.Equal("CNN2043", Assert.Single(result.CnnDiagnostics).Id);
    }

    [Fact]
    public void Attribute_models_based_on_a_zoo_model_bind_correctly_on_four_threads_at_once()
    {
        const string source = "using CnnDsl;\nnamespace Models;\n[CnnModel(Input = \"3x32x32\", Base = \"resnet18 classes=10\")]\npartial class Net;\n";
        var failures = new ConcurrentBag<string>();
        using var start = new Barrier(4);
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < 8; i++)
            {
                var compilation = GeneratorHarness.CreateCompilation(new[] { source });
                var driver = GeneratorHarness.CreateDriver(Array.Empty<AdditionalText>(), trackSteps: false);
                driver = driver.RunGenerators(compilation);
                var run = driver.GetRunResult().Results[0];
                if (run.Exception != null)
                    failures.Add(run.Exception.ToString());
                foreach (var diagnostic in run.Diagnostics.Where(d => d.Id is "CNN2027" or "CNN9001" || d.Severity == DiagnosticSeverity.Error))
                    failures.Add(diagnostic.ToString());
                var files = string.Join(", ", run.GeneratedSources.Select(s => s.HintName).OrderBy(n => n, StringComparer.Ordinal));
                if (files != "CnnDsl.Zoo.ResnetBasicBlock.block.g.cs, Models.Net.g.cs")
                    failures.Add($"generated {files}");
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.True(failures.IsEmpty, string.Join("\n", failures.Distinct()));
    }
}
