using System.Collections.Generic;
using System.Linq;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Symbolic;
using CnnDsl.Dsl.Syntax;
using CnnDsl.Dsl.Text;
using CnnDsl.Generator;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>Expressions, blocks as functions, one block scope per project, size variables and the hints built on them.</summary>
public class SymbolicCoreTests
{
    static BoundModel Single(string text)
    {
        var compiled = CnnCompilation.Compile(text, "model.cnn");
        Assert.True(compiled.Diagnostics.Count(d => d.IsError) == 0, string.Join("\n", compiled.Diagnostics));
        return Assert.Single(compiled.Models);
    }

    static IReadOnlyList<CnnDsl.Dsl.Diagnostics.Diagnostic> Errors(string text) => CnnCompilation.Compile(text, "model.cnn").Diagnostics.Where(d => d.IsError).ToList();

    [Theory]
    [InlineData("2 + 3 * 4", 14)]
    [InlineData("(2 + 3) * 4", 20)]
    [InlineData("20 + (-7 // 2)", 16)]
    [InlineData("10 + 7 % -3", 8)]
    [InlineData("min(8, 3, 5) + max(1, 2)", 5)]
    [InlineData("10 - 2 - 3", 5)]
    [InlineData("64 // 2 // 2", 16)]
    public void Expressions_evaluate_with_pythons_rules(string expression, long expected)
    {
        var model = Single($"model Net\n  input 1x4\n  flatten\n  dense {expression}\n");
        Assert.Equal(new[] { expected }, model.OutputShape.Sizes);
    }

    [Fact]
    public void Double_slash_divides_between_operands_and_comments_elsewhere()
    {
        var model = Single("model Net  // a comment after the name\n  input 1x28x28\n  flatten // flattening comment\n  dense 64 // 2\n  dense 10 // the classes\n");
        Assert.Equal(new long[] { 10 }, model.OutputShape.Sizes);
        Assert.Equal(32L, ((CnnDsl.Dsl.Catalog.DenseConfig)model.Layers[1].Config).Units.Constant);
    }

    [Fact]
    public void Arithmetic_overflow_is_a_diagnostic_at_the_expression_not_a_wrapped_value()
    {
        var errors = Errors("model Net\n  input 1x4\n  flatten\n  dense 9223372036854775807 * 2\n");
        Assert.Equal("CNN2042", Assert.Single(errors).Id);
        Assert.Contains("larger than 9,223,372,036,854,775,807", errors[0].Message);
    }

    [Fact]
    public void Sizes_and_counts_that_overflow_are_diagnostics_at_their_layer()
    {
        // Each of these wrapped to a plausible or negative number before sizes were checked.
        var cases = new[]
        {
            "model A\n  input 4611686018427387904x2\n  batchnorm1d\n",
            "model B\n  input 2x3037000500x3037000500\n  flatten\n  dense 10\n",
            "model C\n  input 3x16x16\n  conv2d 8, 2147483647, padding=same\n",
            "model D\n  input 1x28x28\n  zeropad2d 9223372036854775807\n",
            "model E\n  input 4611686018427387904x1\n  a: relu\n  concat a, a, a\n",
        };
        foreach (var text in cases)
        {
            var errors = Errors(text);
            Assert.True(errors.Count == 1 && errors[0].Id == "CNN2043", text + ": " + string.Join("; ", errors));
        }
    }

    [Fact]
    public void A_block_is_one_class_whose_constructor_takes_its_declared_parameters()
    {
        // Used with values that happen to coincide, which once made the kernel a parameter named after the channels.
        var result = GeneratorHarness.RunCnn("block B(c, k=3)\n  conv2d c, k\nmodel Net\n  input 3x16x16\n  B 3\n  B 3, k=3\n  B 5, k=5\n");
        Assert.Empty(result.CnnDiagnostics);
        var model = result.GeneratedSource("Models.Net.g.cs");
        var block = result.GeneratedSource("Models.B.block.g.cs");
        Snapshot.Verify("BlockFunction", result.AllSources);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(result.AllSources, "class B\\b"));
        Assert.Contains("public sealed class B : ", block);
        Assert.Contains("public B(long in_channels, long c, long k = 3)", block);
        Assert.Contains("kernel_size: k", block);
        Assert.Contains("new global::Models.B(in_channels: 3, c: 5, k: 5)", model);
        LoadedModels.Load(result);
    }

    [Fact]
    public void Blocks_of_one_file_are_usable_from_another_and_from_attribute_models()
    {
        var result = GeneratorHarness.Run(
            new[]
            {
                ("/project/Models/blocks.cnn", "block Stem(width)\n  conv2d width, 3, padding=1\n  relu\n"),
                ("/project/Models/net.cnn", "model Net\n  input 3x8x8\n  Stem 8\n  flatten\n  dense 2\n"),
            },
            new[] { "using CnnDsl;\nnamespace Models;\n[CnnModel(Input = \"3x8x8\", Base = \"Stem 4\")]\n[Flatten]\n[Dense(2)]\npublic partial class FromAttributes;\n" });
        Assert.Empty(result.CnnDiagnostics);
        Assert.Contains("Models.Net.g.cs", result.HintNames);
        Assert.Contains("Models.FromAttributes.g.cs", result.HintNames);
        LoadedModels.Load(result);
    }

    [Fact]
    public void Two_blocks_of_one_name_in_a_project_are_reported_at_both_and_so_is_a_zoo_name()
    {
        var result = GeneratorHarness.Run(new[]
        {
            ("/project/Models/a.cnn", "block Twice(c)\n  conv2d c, 1\nblock resnet18(c)\n  relu\n"),
            ("/project/Models/b.cnn", "block Twice(c)\n  conv2d c, 3\n"),
        });
        var blocks = result.CnnDiagnostics.Where(d => d.Id == "CNN2028").Select(d => (System.IO.Path.GetFileName(d.Location.GetLineSpan().Path), d.GetMessage())).ToList();
        Assert.Contains(("a.cnn", "Block 'Twice' cannot be defined: another block of that name is defined at b.cnn(1); rename one of them"), blocks);
        Assert.Contains(("b.cnn", "Block 'Twice' cannot be defined: another block of that name is defined at a.cnn(1); rename one of them"), blocks);
        Assert.Contains(("a.cnn", "Block 'resnet18' cannot be defined: 'resnet18' is a zoo model; choose another name"), blocks);
    }

    [Fact]
    public void Adding_a_comment_above_a_model_leaves_its_source_output_cached()
    {
        var before = new InMemoryAdditionalText("/project/Models/m.cnn", "model M\n  input 1x28x28\n  conv2d 8, kernel=3\n  flatten\n  dense 10\n");
        var after = new InMemoryAdditionalText("/project/Models/m.cnn", "# a comment\nmodel M\n  input 1x28x28\n  conv2d 8, kernel=3\n  flatten\n  dense 10\n");
        var compilation = GeneratorHarness.CreateCompilation(new string[0]);
        var driver = GeneratorHarness.CreateDriver(new[] { before }).RunGenerators(compilation);
        driver = driver.ReplaceAdditionalText(before, after).RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();
        Assert.Contains(result.TrackedSteps[TrackingNames.CnnFiles].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        var specs = result.TrackedSteps[TrackingNames.EmissionSpecs].SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(specs);
        Assert.All(specs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }

    [Theory]
    [InlineData("maxpool2d 2, stride=2, ceil_mode=true", "1x13x1", "1x7x1")]
    [InlineData("maxpool2d 2, stride=2, ceil_mode=true", "1x1x5", "1x1x3")]
    [InlineData("avgpool2d 3, stride=2, ceil_mode=true", "1x2x2", "1x1x1")]
    [InlineData("maxpool2d 3, stride=3, ceil_mode=true", "1x2x2", "1x1x1")]
    public void Ceil_mode_pools_accept_a_window_larger_than_a_small_input_as_pytorch_does(string pool, string input, string output)
    {
        var text = $"model Net\n  input {input}\n  {pool}\n";
        var model = Single(text);
        Assert.Equal(output, model.OutputShape.ToString());
        using var module = LoadedModels.Create(LoadedModels.Load(GeneratorHarness.RunCnn(text)), "Models.Net");
        Assert.Equal(model.OutputShape.Sizes, LoadedModels.Measure(module, model.InputShape.Sizes).OutputShape);
        if (PyTorchOracle.IsAvailable || PyTorchOracle.OnCi)
            Assert.Equal(model.Layers.Select(l => l.OutputShape.Sizes), PyTorchOracle.Measure(new[] { model })[0].LayerShapes);
    }

    [Fact]
    public void A_ceil_mode_window_that_starts_past_the_input_is_still_an_error()
    {
        var errors = Errors("model Net\n  input 1x2x2\n  maxpool2d 3, stride=1, ceil_mode=true\n");
        Assert.Equal("CNN2011", Assert.Single(errors).Id);
    }

    [Fact]
    public void The_summary_shows_sizes_in_the_languages_notation_and_the_class_states_the_rule()
    {
        var text = "model Net\n  input 3xHxW\n  conv2d 8, 3, padding=1\n  maxpool2d 2\n  conv2d 16, 3\n  global_avgpool2d\n  dense 10\n";
        var model = Single(text);
        var summary = model.FormatSummary();
        Assert.Contains("(None, 8, H // 2, W // 2)", summary);
        Assert.Contains("(None, 16, (H - 4) // 2, (W - 4) // 2)", summary);
        Assert.Equal("H >= 6 and W >= 6", model.AcceptedSizeRule);
        Assert.Equal(new long[] { 6, 6 }, model.MinimumSizes.ToArray());
        var result = GeneratorHarness.RunCnn(text);
        var source = result.GeneratedSource("Models.Net.g.cs");
        Assert.Contains("public static bool Accepts(long H, long W)", source);
        Assert.Contains("public const string AcceptedSizeRule = \"H >= 6 and W >= 6\";", source);
        using var module = LoadedModels.Create(LoadedModels.Load(result), "Models.Net");
        using var small = TorchSharp.torch.rand(1, 3, 5, 9);
        var error = Assert.Throws<InputShapeException>(() => module.call(small));
        Assert.StartsWith("Net does not accept input of shape (1, 3, 5, 9): it needs H >= 6 and W >= 6 (at least 6x6); resize the input to an accepted size.", error.Message);
        using var large = TorchSharp.torch.rand(1, 3, 256, 200);
        using var output = module.call(large);
        Assert.Equal(new long[] { 1, 10 }, output.shape);
    }

    [Fact]
    public void Flatten_then_dense_on_a_variable_size_says_to_add_a_global_pool()
    {
        var errors = Errors("model Net\n  input 3xHxW\n  conv2d 8, 3\n  flatten\n  dense 10\n");
        Assert.Equal("CNN2044", Assert.Single(errors).Id);
        Assert.Contains("8 * (H - 2) * (W - 2) features", errors[0].Message);
        Assert.Contains("global_avgpool2d", errors[0].Message);
    }

    [Fact]
    public void Hints_point_the_right_way()
    {
        // A grey image written without its channel: suggest 1xHxW before conv1d.
        var grey = Errors("model Net\n  input 28x28\n  conv2d 8, 3\n");
        Assert.Contains("write the input as 1x28x28", Assert.Single(grey).Message);
        Assert.True(grey[0].Message.IndexOf("1x28x28") < grey[0].Message.IndexOf("conv1d"));

        // A kernel too large with stride 1: the dilated window is named, and no smaller stride is advised.
        var dilated = Assert.Single(Errors("model Net\n  input 1x8x8\n  conv2d 4, 3, dilation=4\n"));
        Assert.Contains("the dilated kernel spans 9 pixels", dilated.Message);
        Assert.DoesNotContain("smaller kernel or stride", dilated.Message);

        // A channels-last input: a warning, and the layer that fails on its 1-pixel width says to check the order.
        var channelsLast = CnnCompilation.Compile("model Net\n  input 28x28x1\n  conv2d 8, 3\n", "model.cnn").Diagnostics;
        Assert.Contains(channelsLast, d => d.Id == "CNN2046" && !d.IsError);
        Assert.Contains("check the channel order", Assert.Single(channelsLast, d => d.IsError).Message);

        // in_channels=3 against a 512-channel input: the data may be channels-last.
        var declared = Assert.Single(Errors("model Net\n  input 512x7x3\n  conv2d 8, 1, in_channels=3\n"));
        Assert.Contains("channels-last", declared.Message);

        // Value names get a suggestion too, and 'Layer 'dense' (dense)' is not written twice.
        Assert.Contains("did you mean 'same'?", Assert.Single(Errors("model Net\n  input 1x8x8\n  conv2d 4, 3, padding=smae\n")).Message);
        var rank = Assert.Single(Errors("model Net\n  input 1x8x8\n  dense 10\n"));
        Assert.StartsWith("Layer 'dense' expects", rank.Message);
    }

    [Fact]
    public void Keras_and_pytorch_argument_names_and_call_syntax_are_accepted()
    {
        var model = Single("model Net\n  input 3x32x32\n  conv2d(out_channels=16, kernel_size=5, strides=1)\n  maxpool2d pool_size=2, strides=2\n  flatten\n  dense(out_features=10)\n");
        Assert.Equal(new long[] { 10 }, model.OutputShape.Sizes);
        Assert.Equal("16x14x14", model.Layers[1].OutputShape.ToString());
    }

    [Fact]
    public void Repeat_builds_numbered_layers_and_if_decides_by_the_arguments()
    {
        var model = Single("""
            block Dense(growth, bottleneck=true)
              if bottleneck
                conv1: conv2d growth * 4, 1
              end
              conv2: conv2d growth, 3, padding=1
            model Net
              input 8x16x16
              repeat 3 as i
                denselayer{i + 1}: Dense 4, bottleneck=i != 1
              end
            """);
        Assert.Equal(new[] { "denselayer1", "denselayer2", "denselayer3" }, model.Layers.Select(l => l.Name));
        var layers = model.Layers.Select(l => ((CnnDsl.Dsl.Catalog.BlockConfig)l.Config).Layers.Select(b => b.Name).ToArray()).ToList();
        Assert.Equal(new[] { "conv1", "conv2" }, layers[0]);
        Assert.Equal(new[] { "conv2" }, layers[1]);
    }

    [Fact]
    public void Blocks_that_use_blocks_twice_cost_their_distinct_uses_and_report_a_mistake_once()
    {
        // B0 uses B1 twice, B1 uses B2 twice, ...: 2^n paths but n + 1 distinct uses.
        static string Chain(int n, string last) =>
            string.Concat(System.Linq.Enumerable.Range(0, n).Select(i => $"block B{i}(c)\n  B{i + 1} c\n  B{i + 1} c\n"))
            + $"block B{n}(c)\n  {last}\nmodel Net\n  input 3x8x8\n  B0 4\n";
        var model = Single(Chain(14, "conv2d c, 1"));
        Assert.Equal("4x8x8", model.OutputShape.ToString());
        // B14 is one layer and each B_k twice (1 + B_k+1): 3 * 2^14 - 2 below B0, and B0 itself.
        Assert.Equal(49_151L, model.Layers.Sum(l => 1 + ((CnnDsl.Dsl.Catalog.BlockConfig)l.Config).ExpandedLayers));
        // One mistake deep inside is one diagnostic, not one per path (65,536 for a chain of 16 before).
        Assert.Single(Errors(Chain(16, "conv2d c, 9")));
        // Past the limit of what one model may stand for, a diagnostic instead of minutes of work.
        var tooLarge = Assert.Single(Errors(Chain(20, "conv2d c, 1")));
        Assert.Equal("CNN2051", tooLarge.Id);
    }

    [Fact]
    public void Deep_nesting_and_long_names_are_diagnostics_not_crashes()
    {
        Assert.Equal("CNN1007", Assert.Single(Errors("model Net\n  input 1x4\n  flatten\n  dense " + new string('(', 50_000) + "1" + new string(')', 50_000) + "\n")).Id);
        var label = string.Join(".", Enumerable.Range(0, 30_000).Select(i => "a" + i));
        Assert.Equal("CNN1007", Assert.Single(Errors("model Net\n  input 1x4\n  " + label + ": relu\n")).Id);
    }

    [Fact]
    public void Layer_handles_reach_layers_inside_blocks_and_carry_their_shapes()
    {
        var result = GeneratorHarness.RunCnn("model Net = resnet18 classes=10\n  input 3xHxW\nmodel Small\n  input 1x8x8\n  conv2d 4, 3, activation=relu\n  flatten\n  dense 2\n");
        Assert.Empty(result.CnnDiagnostics);
        var assembly = LoadedModels.Load(result);
        LayerHandle Handle(string model, string property) =>
            (LayerHandle)assembly.GetType("Models." + model + "+Layers", throwOnError: true)!.GetProperty(property)!.GetValue(null)!;

        var conv = Handle("Net", "layer4_1_conv2");
        Assert.Equal("layer4.1.conv2", conv.Name);
        Assert.Equal(new long[] { 512, -1, -1 }, conv.OutputShape);
        Assert.Equal(new long[] { 4, 6, 6 }, Handle("Small", "conv2d").OutputShape);
        Assert.Equal("relu", Handle("Small", "conv2d").Activation);

        using var module = LoadedModels.Create(assembly, "Models.Net");
        using var input = TorchSharp.torch.rand(1, 3, 64, 64);
        var outputs = CnnDsl.Vision.LayerOutputs.Activations(module, input, conv);
        Assert.Equal(new long[] { 1, 512, 2, 2 }, outputs[0].shape);
        foreach (var output in outputs)
            output.Dispose();
    }

    [Fact]
    public void Generator_runs_on_several_threads_share_no_state()
    {
        var source = "using CnnDsl;\nnamespace Models;\n[CnnModel(Input = \"3x64x64\", Base = \"resnet18 classes=10\")]\npublic partial class Net;\n";
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        System.Threading.Tasks.Parallel.For(0, 16, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            var result = GeneratorHarness.RunCSharp(source);
            foreach (var diagnostic in result.CnnDiagnostics)
                failures.Add(diagnostic.ToString());
        });
        Assert.Empty(failures);
    }
}
