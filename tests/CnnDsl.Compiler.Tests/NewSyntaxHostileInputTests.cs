using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl.Summary;
using Microsoft.CodeAnalysis;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// The failure classes a second fuzzing campaign found with the new syntax (blocks at several ranks, <c>if</c>,
/// <c>repeat</c>, size variables, expressions): each minimal input must give a CNN diagnostic at the right place, or
/// generated code that compiles and means what the model says.
/// </summary>
public class NewSyntaxHostileInputTests
{
    static GeneratorResult AssertRejected(string cnn, string id)
    {
        var result = GeneratorHarness.RunCnn(cnn);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id is "CS8785" or "CS8784" || d.Id.StartsWith("CNN9"));
        Assert.Contains(result.CnnDiagnostics, d => d.Severity == DiagnosticSeverity.Error && d.Id == id);
        Assert.DoesNotContain(result.HintNames, h => h.StartsWith("Models.M."));
        return result;
    }

    static (int Line, int Column) Start(Diagnostic diagnostic)
    {
        var position = diagnostic.Location.GetLineSpan().StartLinePosition;
        return (position.Line + 1, position.Character + 1);
    }

    // Class 1: block B on a 1-D input got the class name B1d, which block B1d also had; one class was emitted and the
    // model N silently ran B1d's sigmoid where it asked for B's relu.
    [Fact]
    public void A_block_used_at_another_rank_never_shares_a_class_with_a_block_named_like_that_class()
    {
        var result = GeneratorHarness.RunCnn("block B()\n  relu\nblock B1d()\n  sigmoid\nmodel M\n  input 3x8x8\n  B\n  B1d\nmodel N\n  input 3x8\n  B\n");
        Assert.Empty(result.CnnDiagnostics);
        var blockFiles = result.HintNames.Where(h => h.EndsWith(".block.g.cs")).ToList();
        Assert.Equal(3, blockFiles.Count);
        Assert.Equal(blockFiles.Count, blockFiles.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        var assembly = LoadedModels.Load(result);
        var n = LoadedModels.Create(assembly, "Models.N");
        using var input = full(new long[] { 1, 3, 8 }, -1f);
        using var output = n.call(input);
        // relu(-1) is 0; sigmoid(-1) would be 0.27.
        Assert.Equal(0f, output.abs().max().item<float>());
        var m = LoadedModels.Create(assembly, "Models.M");
        using var square = full(new long[] { 1, 3, 8, 8 }, -1f);
        using var both = m.call(square);
        Assert.Equal(0.5f, both.mean().item<float>(), 5);
    }

    [Fact]
    public void A_model_named_like_a_blocks_class_for_another_rank_is_reported()
    {
        var result = GeneratorHarness.RunCnn("block B()\n  relu\nmodel B1d\n  input 3x8\n  B\n");
        var diagnostic = Assert.Single(result.CnnDiagnostics);
        Assert.Equal("CNN2054", diagnostic.Id);
        Assert.Equal((3, 7), Start(diagnostic));
    }

    // Class 2: a branch on in_channels after flatten of a 3xHxW input stayed undecided, its layers were missing from
    // the model, and the constructor passed in_channels: H * 3 * W (no H in scope).
    [Fact]
    public void A_block_condition_that_depends_on_the_input_size_is_reported_at_the_condition()
    {
        var result = AssertRejected("block B()\n  if in_channels > 4\n    relu\n  else\n    sigmoid\n  end\nmodel M\n  input 3xHxW\n  flatten\n  B\n", "CNN2055");
        var diagnostic = Assert.Single(result.CnnDiagnostics);
        Assert.Contains("in_channels = 3 * H * W", diagnostic.GetMessage());
        Assert.Equal((10, 3), Start(diagnostic));
        Assert.Equal(2, diagnostic.AdditionalLocations[0].GetLineSpan().StartLinePosition.Line + 1);
    }

    [Fact]
    public void The_same_block_condition_on_a_fixed_input_is_decided()
    {
        var result = GeneratorHarness.RunCnn("block B()\n  if in_channels > 4\n    relu\n  else\n    sigmoid\n  end\nmodel M\n  input 3xHxW\n  B\n");
        Assert.Empty(result.CnnDiagnostics);
        LoadedModels.Load(result);
    }

    [Fact]
    public void A_parameter_without_a_default_after_one_with_a_default_is_reported_at_the_parameter()
    {
        var result = GeneratorHarness.RunCnn("block B(p=5, q)\n  dense q\nmodel M\n  input 8\n  B q=3\n");
        var diagnostic = result.CnnDiagnostics.Single(d => d.Id == "CNN2028");
        Assert.Equal((1, 14), Start(diagnostic));
        Assert.Contains("'q' has no default but follows 'p'", diagnostic.GetMessage());
        Assert.DoesNotContain(result.HintNames, h => h.StartsWith("Models.M."));
    }

    [Fact]
    public void A_layer_labelled_like_its_blocks_class_is_reported_at_the_label()
    {
        var result = AssertRejected("block my_block()\n  MyBlock: relu\nmodel M\n  input 8\n  my_block\n", "CNN2020");
        var diagnostic = Assert.Single(result.CnnDiagnostics);
        Assert.Contains("the class it is in", diagnostic.GetMessage());
        Assert.Equal(2, diagnostic.AdditionalLocations[0].GetLineSpan().StartLinePosition.Line + 1);
    }

    [Fact]
    public void A_model_named_like_its_default_layer_name_numbers_the_layer_and_compiles()
    {
        var result = GeneratorHarness.RunCnn("model dense\n  input 8\n  dense 4\n");
        Assert.Empty(result.CnnDiagnostics);
        var model = LoadedModels.Create(LoadedModels.Load(result), "Models.dense");
        Assert.Equal(new[] { "dense_1.weight", "dense_1.bias" }, model.state_dict().Keys);
    }

    [Fact]
    public void A_label_named_like_its_model_is_still_reported()
    {
        var result = AssertRejected("model M\n  input 8\n  M: dense 4\n", "CNN2020");
        Assert.Equal((3, 3), Start(Assert.Single(result.CnnDiagnostics)));
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("relu")]
    [InlineData("true")]
    [InlineData("(1, 2)")]
    public void A_block_parameter_no_layer_reads_takes_any_value(string value)
    {
        var result = GeneratorHarness.RunCnn("block B(p)\n  relu\nmodel M\n  input 8\n  B " + value + "\n");
        Assert.Empty(result.CnnDiagnostics);
        var model = LoadedModels.Create(LoadedModels.Load(result), "Models.M");
        using var input = full(new long[] { 1, 8 }, -2f);
        using var output = model.call(input);
        Assert.Equal(0f, output.abs().max().item<float>());
    }

    // Class 3: the count fit in 64 bits but its size in bytes wrapped: "8,070,450,532,247,928,832 (-4611686018427387904 B)".
    [Fact]
    public void Parameters_whose_size_in_bytes_does_not_fit_64_bits_are_a_diagnostic()
    {
        var result = AssertRejected("model M\n  input 6\n  dense 1152921504606846976\n", "CNN2043");
        Assert.Contains("bytes", Assert.Single(result.CnnDiagnostics).GetMessage());
    }

    [Fact]
    public void The_largest_model_whose_bytes_fit_is_accepted_and_its_summary_has_no_negative_size()
    {
        // 6 * 384307168202282325 + 384307168202282325 = 2,690,150,177,415,976,275 parameters: 10,760,600,709,663,905,100 bytes do not fit.
        AssertRejected("model M\n  input 6\n  dense 384307168202282325\n", "CNN2043");
        // 6 * 329406144173384850 + 329406144173384850 = 2,305,843,009,213,693,950 parameters: 9,223,372,036,854,775,800 bytes fit.
        var result = GeneratorHarness.RunCnn("model M\n  input 6\n  dense 329406144173384850\n");
        Assert.Empty(result.CnnDiagnostics);
        var source = result.GeneratedSource("Models.M.g.cs");
        Assert.Contains("Total params: 2,305,843,009,213,693,950 (8.00 EB)", source);
        Assert.DoesNotContain("(-", source);
    }

    [Fact]
    public void The_summary_never_prints_a_wrapped_size()
    {
        var text = ModelSummaryFormatter.Format("M", Array.Empty<SummaryRow>(), long.MaxValue, long.MaxValue, long.MaxValue);
        Assert.DoesNotContain("(-", text);
        Assert.Contains("Total params: 9,223,372,036,854,775,807 (32.00 EB)", text);
    }

    // Class 4: one unknown layer inside repeat 10000 was reported 10,000 times at the same place.
    [Fact]
    public void One_mistake_inside_a_repeat_is_one_diagnostic_saying_which_iteration()
    {
        var result = AssertRejected("model M\n  input 8\n  repeat 10000 as i\n    frobnicate 3\n  end\n", "CNN2001");
        var diagnostic = Assert.Single(result.CnnDiagnostics);
        Assert.Contains("in iteration i = 0 of 10,000", diagnostic.GetMessage());
    }

    [Fact]
    public void A_mistake_in_a_later_iteration_names_that_iteration()
    {
        // 8 -> 6 -> 4 -> 2 -> 0: the fourth convolution leaves nothing.
        var result = AssertRejected("model M\n  input 1x8\n  repeat 10 as i\n    conv1d 4, 3\n  end\n", "CNN2011");
        var diagnostic = Assert.Single(result.CnnDiagnostics);
        Assert.Contains("in iteration i = 3 of 10;", diagnostic.GetMessage());
    }

    [Fact]
    public void Names_a_stopped_repeat_would_have_defined_are_not_reported_again()
    {
        var result = AssertRejected("model M\n  input 8\n  repeat 100 as i\n    l{i}: relu from=zz\n  end\n  add l0, l99\n", "CNN2025");
        Assert.Single(result.CnnDiagnostics);
    }

    // Class 5: each iteration searched every earlier tensor name for a "did you mean"; four unknown references per
    // iteration of repeat 10000 took 54 s.
    [Fact]
    public void Unknown_references_in_a_long_repeat_are_one_diagnostic_a_line()
    {
        var result = AssertRejected("model M\n  input 8\n  repeat 10000 as i\n    a{i}: relu from=zz\n    b{i}: relu from=zz\n    c{i}: relu from=zz\n    d{i}: relu from=zz\n  end\n", "CNN2025");
        Assert.Equal(new[] { 4, 5, 6, 7 }, result.CnnDiagnostics.Select(d => Start(d).Line));
    }

    // Found on the way: whole numbers past 2^53 were kept as doubles, so dense 329406144173384850 built 329406144173384832 units.
    [Fact]
    public void Whole_numbers_past_2_to_the_53_are_read_exactly()
    {
        var result = GeneratorHarness.RunCnn("model M\n  input 6\n  dense 329406144173384850\n");
        Assert.Contains("OutputShape { get; } = new long[] { 329406144173384850 }", result.GeneratedSource("Models.M.g.cs"));
    }

    // Hints measured on real shape bugs: seven of 28 were a channel count written in the middle of the input.
    [Theory]
    [InlineData("128x1x128", "1x128x128")]
    [InlineData("160x3x160", "3x160x160")]
    public void Channels_in_the_middle_get_a_hint_that_names_the_right_order_with_its_fix_as_data(string written, string meant)
    {
        var text = "model M\n  input " + written + "\n  conv2d 16, 3, padding=1\n  maxpool2d 2\n  conv2d 32, 3\n  flatten\n  dense 10\n";
        var result = GeneratorHarness.RunCnn(text);
        var error = result.CnnDiagnostics.First(d => d.Severity == DiagnosticSeverity.Error);
        Assert.Contains("the sizes look like channels in the wrong place: did you mean 'input " + meant + "'?", error.GetMessage());
        Assert.Equal(meant, error.Properties[CnnDsl.Dsl.Diagnostics.DiagnosticFix.ReplacementKey]);
        Assert.Equal(text.IndexOf(written, StringComparison.Ordinal).ToString(), error.Properties[CnnDsl.Dsl.Diagnostics.DiagnosticFix.StartKey]);
        var warning = Assert.Single(result.CnnDiagnostics, d => d.Id == "CNN2056");
        Assert.Equal(meant, warning.Properties[CnnDsl.Dsl.Diagnostics.DiagnosticFix.ReplacementKey]);
        // The order the hint offers is one the model accepts.
        var fixedResult = GeneratorHarness.RunCnn(text.Replace(written, meant));
        Assert.Empty(fixedResult.CnnDiagnostics);
    }

    [Fact]
    public void A_model_that_fails_whatever_the_order_gets_no_channel_hint()
    {
        var result = GeneratorHarness.RunCnn("model M\n  input 2x5x6\n  conv2d 16, 7\n");
        Assert.DoesNotContain(result.CnnDiagnostics, d => d.GetMessage().Contains("channels in the wrong place"));
    }

    [Fact]
    public void Channels_in_the_middle_are_warned_about_even_when_the_model_binds_and_the_warning_can_be_silenced()
    {
        const string text = "model M\n  input 128x1x128\n  flatten\n  dense 10\n";
        var result = GeneratorHarness.RunCnn(text);
        var warning = Assert.Single(result.CnnDiagnostics);
        Assert.Equal(("CNN2056", DiagnosticSeverity.Warning), (warning.Id, warning.Severity));
        Assert.Contains("Models.M.g.cs", result.HintNames);
        // <NoWarn>CNN2056</NoWarn> (or .editorconfig's severity = none) reaches the generator's diagnostics through the compilation options.
        var compilation = GeneratorHarness.CreateCompilation(Array.Empty<string>());
        compilation = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(
            compilation.Options.SpecificDiagnosticOptions.SetItem("CNN2056", ReportDiagnostic.Suppress)));
        GeneratorHarness.CreateDriver(new[] { new InMemoryAdditionalText("/project/Models/model.cnn", text) })
            .RunGeneratorsAndUpdateCompilation(compilation, out _, out var silenced);
        Assert.DoesNotContain(silenced, d => d.Id == "CNN2056");
    }

    [Theory]
    [InlineData("28x28x28")]
    [InlineData("3x224x224")]
    [InlineData("64x3x8")]
    public void Inputs_outside_the_rule_get_no_channel_warning(string input)
    {
        var result = GeneratorHarness.RunCnn("model M\n  input " + input + "\n  flatten\n");
        Assert.DoesNotContain(result.CnnDiagnostics, d => d.Id == "CNN2056");
    }

    // The eighth: VGG's classifier (in_features=25088, written for 224x224) on 32x32 images, where flatten gives 512.
    [Fact]
    public void A_declared_size_written_for_another_input_says_where_it_comes_from_and_offers_the_fixes()
    {
        var text = "model Net\n  input 3x32x32\n  repeat 5 as i\n    conv2d 512, 3, padding=1\n    maxpool2d 2\n  end\n  flatten\n  dense 4096, in_features=25088\n";
        var result = GeneratorHarness.RunCnn(text);
        var diagnostic = Assert.Single(result.CnnDiagnostics);
        Assert.Equal("CNN2013", diagnostic.Id);
        Assert.Contains("; 25088 is 512x7x7, what a 224x224 input gives, and this input is 32x32: set in_features to 512, resize the input to 224x224, "
            + "or add 'adaptive_avgpool2d (7, 7)' before 'flatten', as torchvision does", diagnostic.GetMessage());
        // Each fix it offers makes the model valid.
        Assert.Empty(GeneratorHarness.RunCnn(text.Replace("in_features=25088", "in_features=512")).CnnDiagnostics);
        Assert.Empty(GeneratorHarness.RunCnn(text.Replace("3x32x32", "3x224x224")).CnnDiagnostics);
        Assert.Empty(GeneratorHarness.RunCnn(text.Replace("  flatten\n", "  adaptive_avgpool2d (7, 7)\n  flatten\n")).CnnDiagnostics);
    }
}
