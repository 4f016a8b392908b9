using System.Collections.Generic;
using System.Linq;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Export.Tests.Infrastructure;
using CnnDsl.Onnx;
using CnnDsl.PyTorchExport;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CnnDsl.Export.Tests;

/// <summary>
/// Every kind of the catalogue and every activation, each in a small model, through every back-end: the generated
/// TorchSharp module, the run-time builder (same state_dict, same outputs), the ONNX exporter (ONNX Runtime's outputs
/// within 1e-4) and the PyTorch module writer. A kind added to the catalogue without a model here fails the test, so
/// no back-end can be left without it unnoticed.
/// </summary>
public class CatalogBackEndTests(ITestOutputHelper output)
{
    /// <summary>Small models, several for kinds whose options change what the back-ends write.</summary>
    public static readonly string[] Bodies =
    {
        "input 3x16\n  conv1d 4, 3, stride=2, padding=same, activation=relu",
        "input 3x10x10\n  conv2d 4, (3, 2), padding=1, dilation=2, activation=relu6",
        "input 2x6x6x6\n  conv3d 4, 3, bias=false, activation=leaky_relu",
        "input 3x16\n  maxpool1d 3, stride=2",
        "input 3x10x10\n  maxpool2d 2",
        "input 2x6x6x6\n  maxpool3d 2",
        "input 3x16\n  avgpool1d 2",
        "input 3x10x10\n  avgpool2d 3, stride=2, padding=1",
        "input 2x6x6x6\n  avgpool3d 2",
        "input 3x16\n  global_avgpool1d",
        "input 3x10x10\n  global_avgpool2d",
        "input 2x6x6x6\n  global_avgpool3d",
        "input 3x16\n  global_maxpool1d",
        "input 3x10x10\n  global_maxpool2d",
        "input 2x6x6x6\n  global_maxpool3d",
        "input 3x16\n  adaptive_avgpool1d 5",
        "input 3x10x10\n  adaptive_avgpool2d (3, 4)",
        "input 2x6x6x6\n  adaptive_avgpool3d 1",
        "input 3x16\n  zeropad1d 2",
        "input 3x10x10\n  zeropad2d ((0, 1), (2, 0))",
        "input 2x6x6x6\n  zeropad3d 1",
        "input 3x10x10\n  flatten\n  dense 5, activation=elu",
        "input 3x10x10\n  flatten\n  dense 6, bias=false, activation=gelu\n  dropout 0.5",
        "input 3x10x10\n  dropout2d 0.3\n  conv2d 2, 1, activation=silu",
        "input 3x16\n  batchnorm1d\n  conv1d 2, 1, activation=sigmoid",
        "input 3x10x10\n  batchnorm2d\n  conv2d 2, 1, activation=tanh",
        "input 2x6x6x6\n  batchnorm3d\n  conv3d 2, 1, activation=softmax",
        "input 8x6x6\n  groupnorm 4\n  conv2d 2, 1",
        "input 6x10\n  groupnorm 3, eps=1e-3, affine=false",
        "input 6x5x5\n  conv2d 8, 1\n  layernorm\n  conv2d 2, 1",
        "input 6x10\n  layernorm eps=1e-3, affine=false",
        "input 2x4x4x4\n  layernorm",
        "input 3x10x10\n  flatten\n  dense 6\n  layernorm",
        "input 3x16\n  instancenorm1d",
        "input 3x10x10\n  conv2d 4, 1\n  instancenorm2d affine=true",
        "input 2x6x6x6\n  instancenorm3d eps=1e-3",
        "input 3x10x10\n  a: conv2d 3, 3, padding=1, activation=log_softmax\n  add a, input",
        "input 3x10x10\n  a: conv2d 2, 1, activation=hardswish\n  b: conv2d 5, 1, from=input, activation=hardsigmoid\n  concat a, b",
        // A (C, 1, 1) gate times the (C, H, W) map, as squeeze-and-excitation does; and two maps of one shape.
        "input 4x6x6\n  g: adaptive_avgpool2d 1\n  s: conv2d 4, 1, activation=mish\n  multiply s, input",
        "input 4x6x6\n  a: conv2d 4, 3, padding=1\n  b: conv2d 4, 1, from=input\n  multiply a, b",
        "input 3x10x10\n  depthwise_conv2d 3, depth_multiplier=2, padding=same, activation=relu",
        "input 3x10x10\n  depthwise_conv2d 3, stride=2, padding=same, bias=false",
        "input 3x16\n  separable_conv1d 5, 3, padding=same, activation=relu",
        // Same padding with stride 2 on an even size pads unevenly, in forward.
        "input 3x10x10\n  separable_conv2d 6, 3, stride=2, padding=same, depth_multiplier=2",
        "input 3x9x9\n  separable_conv2d 4, (3, 5), bias=false, dilation=2, activation=silu",
        "input 4x7\n  conv_transpose1d 3, 3, stride=2, padding=1, output_padding=1",
        "input 4x5x5\n  conv_transpose2d 6, 2, stride=2, activation=relu",
        "input 4x5x6\n  conv_transpose2d 6, 3, stride=(2, 3), padding=(1, 0), output_padding=1, dilation=2, groups=2, bias=false",
        // output_padding per dimension, which TorchSharp 0.107's modules would apply as the first value to all.
        "input 4x5x6\n  conv_transpose2d 6, 3, stride=(2, 3), padding=(1, 0), output_padding=(1, 2), dilation=(1, 2), groups=2",
        "input 2x3x4x5\n  conv_transpose3d 2, 2, stride=(2, 3, 2), output_padding=(0, 2, 1), bias=false",
        "input 2x3x3x3\n  conv_transpose3d 2, 2, stride=2",
        "input 3x5x6\n  upsample 2",
        "input 3x5x6\n  upsample (2, 3), mode=bilinear",
        "input 3x5x6\n  upsample 2, mode=bilinear, align_corners=true",
        "input 3x5x6\n  upsample size=(12, 9)",
        "input 3x5x6\n  upsample size=(11, 13), mode=bilinear",
        "input 3x7\n  upsample 3, mode=linear",
        "input 2x3x3x3\n  upsample 2, mode=trilinear, align_corners=true",
        "input 3x10x10\n  prelu",
        "input 3x10x10\n  slope: prelu per_channel=true, init=0.1",
        "input 3x10x10\n  flatten\n  dense 4\n  prelu per_channel=true",
        "input 3x16\n  prelu per_channel=true",
        "input 3x10x10\n  a: conv2d 3, 3, padding=1\n  stochastic_depth 0.2\n  add stochastic_depth, input",
        "input 3x10x10\n  rescaling 0.5, offset=-1",
        "input 3x10x10\n  rescaling scale=(0.458, 0.448, 0.45), offset=(-0.03, -0.088, -0.188)",
        "input 3x10x10\n  relu", "input 3x10x10\n  relu6", "input 3x10x10\n  leaky_relu slope=0.2", "input 3x10x10\n  elu alpha=0.5",
        "input 3x10x10\n  gelu", "input 3x10x10\n  silu", "input 3x10x10\n  sigmoid", "input 3x10x10\n  tanh",
        "input 3x10x10\n  softmax", "input 3x10x10\n  log_softmax", "input 3x10x10\n  hardswish", "input 3x10x10\n  hardsigmoid",
        "input 3x10x10\n  mish",
        // Size variables: what the ONNX graph must compute from the tensor's own size (Keras' same padding, Resize's sizes).
        "input 3xHxW\n  separable_conv2d 4, 3, stride=2, padding=same",
        "input 3xHxW\n  upsample size=(9, 7), mode=bilinear",
        "input 3xHxW\n  upsample 2\n  conv_transpose2d 2, 3, stride=2, output_padding=1",
        "input 3xHxW\n  prelu per_channel=true\n  rescaling 2, offset=1\n  stochastic_depth 0.1",
    };

    public static string Text() => string.Concat(Bodies.Select((b, i) => $"model K{i}\n  {b}\n"));

    [Fact]
    public void Every_kind_and_activation_is_written_by_every_back_end_with_the_generated_modules_outputs()
    {
        var (compiled, assembly) = CompiledModels.Get(Text(), "catalog.cnn");
        Assert.Equal(Bodies.Length, compiled.Count);
        manual_seed(13);
        double worst = 0;
        for (int i = 0; i < compiled.Count; i++)
        {
            var model = compiled[i];
            var context = $"model K{i}:\n  {Bodies[i]}";
            var shapes = model.SizeVariables.Count == 0
                ? new List<long[]> { model.InputShape.Sizes }
                : OnnxRuntimeEqualityTests.AcceptedSizes(model).Take(2).Select(s => new[] { model.InputShape[0].Constant!.Value, s.H, s.W }).ToList();
            Assert.NotEmpty(shapes);
            using var generated = LoadedModels.Create(assembly, "Models.K" + i);
            ModuleEquality.AssertEqual(generated, model, shapes, context);
            // The exporter's list of weights (what cnn export checks given weights against) is the module's.
            var weights = TorchVsOnnx.Weights(generated);
            var expected = ModelWeights.Expected(model);
            Assert.True(weights.Keys.OrderBy(k => k).SequenceEqual(expected.Select(w => w.Key).OrderBy(k => k)),
                $"the exporter expects {string.Join(", ", expected.Select(w => w.Key))}, the module has {string.Join(", ", weights.Keys)} in {context}");
            foreach (var weight in expected)
                Assert.True(weight.Shape.SequenceEqual(weights[weight.Key].Shape), $"{weight.Key}: the exporter expects [{string.Join(", ", weight.Shape)}], the module has {weights[weight.Key].ShapeText} in {context}");
            var comparisons = TorchVsOnnx.Compare(generated, model, shapes, seed: i, context);
            TorchVsOnnx.AssertEqual(comparisons, shapes, context);
            worst = System.Math.Max(worst, comparisons.Max(c => c.MaxDifference));
            var python = PyTorchModuleWriter.Write(model);
            Assert.Contains("class K" + i + "(nn.Module)", python);
        }
        output.WriteLine($"{compiled.Count} models, largest ONNX difference {worst:G3}");

        var kinds = compiled.SelectMany(m => Layers(m.Layers)).Select(l => l.Kind).ToHashSet();
        var missing = LayerCatalog.All.Select(k => k.Name).Where(k => !kinds.Contains(k)).ToList();
        Assert.True(missing.Count == 0, "No model here uses the kinds " + string.Join(", ", missing));
        var applied = compiled.SelectMany(m => Layers(m.Layers)).Select(l => l.Config.Activation).Where(a => a != null).Select(a => a!.Name).ToHashSet();
        var unapplied = CnnDsl.Dsl.Catalog.Activation.All.Select(a => a.Name).Where(a => !applied.Contains(a)).ToList();
        Assert.True(unapplied.Count == 0, "No model here applies activation= " + string.Join(", ", unapplied));
    }

    [Fact]
    public void An_untrained_group_norm_starts_at_unit_scale_and_zero_shift_as_in_pytorch()
    {
        // TorchSharp's own GroupNorm leaves both uninitialised; the plan says ones and zeros, and every back end starts there.
        var model = CnnDsl.Dsl.CnnCompilation.Compile("model G\n  input 8x4x4\n  groupnorm 4\n", "g.cnn").Models.Single();
        for (int attempt = 0; attempt < 3; attempt++)
        {
            using var module = new RuntimeModule(model);
            var state = module.state_dict();
            Assert.True(state["group_normalization.weight"].eq(1).all().item<bool>());
            Assert.True(state["group_normalization.bias"].eq(0).all().item<bool>());
        }
        var untrained = ModelWeights.Initialize(model, seed: 1);
        Assert.All(untrained["group_normalization.weight"].Values, v => Assert.Equal(1f, v));
        Assert.All(untrained["group_normalization.bias"].Values, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Exported_weights_of_an_untrained_prelu_start_at_its_initial_slope()
    {
        var (compiled, _) = CompiledModels.Get(Text(), "catalog.cnn");
        var model = compiled[System.Array.FindIndex(Bodies, b => b.Contains("slope: prelu"))];
        var slope = ModelWeights.Initialize(model, seed: 1)["slope.weight"];
        Assert.Equal(new long[] { 3 }, slope.Shape);
        Assert.All(slope.Values, v => Assert.Equal(0.1f, v));
    }

    [Fact]
    public void The_built_stochastic_depth_drops_whole_rows_while_training_and_scales_the_rest()
    {
        var (compiled, _) = CompiledModels.Get(Text(), "catalog.cnn");
        var model = compiled.First(m => m.SizeVariables.Count == 0 && Layers(m.Layers).Any(l => l.Config is StochasticDepthConfig));
        var drop = Layers(model.Layers).Single(l => l.Config is StochasticDepthConfig);
        using var built = new RuntimeModule(model);
        built.train();
        manual_seed(21);
        // The layer's own module, fed ones: what it keeps of each row shows directly.
        var stochastic = built.named_modules().Single(m => m.name == drop.Name).module as nn.Module<Tensor, Tensor>;
        Assert.NotNull(stochastic);
        using var filled = ones(new long[] { 200 }.Concat(drop.InputShape.Sizes).ToArray());
        using var result = stochastic!.call(filled);
        var rows = result.reshape(200, -1);
        int dropped = 0, kept = 0;
        for (int r = 0; r < 200; r++)
        {
            var values = rows[r].data<float>().ToArray();
            // Rate 0.2: a row is either all zeros or all 1 / (1 - 0.2) = 1.25.
            if (values.All(v => v == 0))
                dropped++;
            else if (values.All(v => System.Math.Abs(v - 1.25f) < 1e-6))
                kept++;
        }
        Assert.Equal(200, dropped + kept);
        Assert.InRange(dropped, 20, 70);
        built.eval();
        using var evaluated = stochastic.call(filled);
        Assert.Equal(1f, evaluated.min().item<float>());
        Assert.Equal(1f, evaluated.max().item<float>());
    }

    static IEnumerable<BoundLayer> Layers(IEnumerable<BoundLayer> layers) =>
        layers.SelectMany(l => l.Config is BlockConfig block ? new[] { l }.Concat(Layers(block.Layers)) : new[] { l });
}
