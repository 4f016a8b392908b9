using CnnDsl.Compiler.Tests.Infrastructure;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>The new layer kinds written as attributes generate the same module as in a .cnn file.</summary>
public class NewLayerAttributeTests
{
    [Fact]
    public void Attribute_and_cnn_forms_of_the_new_layers_generate_the_same_module()
    {
        var fromAttributes = GeneratorHarness.RunCSharp("""
            using CnnDsl;
            namespace Models;
            [CnnModel(Input = "3x16x16")]
            [Rescaling(Scale = new[] { 0.5, 0.25, 2.0 }, Offset = 0.1)]
            [SeparableConv2d(8, 3, Padding = Padding.Same, DepthMultiplier = 2, Bias = false)]
            [DepthwiseConv2d(3, Stride = 2, Padding = Padding.Same, Activation = Activation.Hardswish)]
            [PReLU(PerChannel = true)]
            [ConvTranspose2d(4, 3, Stride = 2, Padding = 1, OutputPadding = 1)]
            [Upsample(2, Mode = Interpolation.Bilinear, AlignCorners = true)]
            [Mish]
            [StochasticDepth(0.2, Mode = "batch")]
            [Hardsigmoid]
            public partial class Twin;
            """);
        var fromCnn = GeneratorHarness.RunCnn("""
            model Twin
              input 3x16x16
              rescaling scale=(0.5, 0.25, 2.0), offset=0.1
              separable_conv2d 8, 3, padding=same, depth_multiplier=2, bias=false
              depthwise_conv2d 3, stride=2, padding=same, activation=hardswish
              prelu per_channel=true
              conv_transpose2d 4, 3, stride=2, padding=1, output_padding=1
              upsample 2, mode=bilinear, align_corners=true
              mish
              stochastic_depth 0.2, mode=batch
              hardsigmoid
            """, "/project/Source0.cnn");
        Assert.Empty(fromAttributes.CnnDiagnostics);
        Assert.Empty(fromCnn.CnnDiagnostics);
        Assert.Equal(
            GeneratorHarness.WithoutCnnSource(fromCnn.GeneratedSource("Models.Twin.g.cs")).Replace("public sealed partial class Twin", "partial class Twin"),
            GeneratorHarness.WithoutCnnSource(fromAttributes.GeneratedSource("Models.Twin.g.cs")).Replace("Source0.cs", "Source0.cnn"));
        // And it compiles and runs: 16 -> 16 -> 8 -> 16 -> 32.
        var assembly = LoadedModels.Load(fromCnn);
        using var module = LoadedModels.Create(assembly, "Models.Twin");
        var facts = LoadedModels.Measure(module, new long[] { 3, 16, 16 });
        Assert.Equal(new long[] { 4, 32, 32 }, facts.OutputShape);
    }
}
