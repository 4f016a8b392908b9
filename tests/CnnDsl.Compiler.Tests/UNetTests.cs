using System.Collections.Generic;
using System.Linq;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// What size variables buy on a U-Net: the compiler states that H and W must be multiples of 16 and names the
/// concatenations that need it; PyTorch runs the same network exactly at those sizes; the generated forward refuses
/// the others before any libtorch call, with the rule.
/// </summary>
public class UNetTests
{
    const string Source = "model Segmenter = unet_small classes=2\n  input 1xHxW\n";

    [Fact]
    public void The_rule_says_multiples_of_16_and_names_the_concatenations()
    {
        var model = Assert.Single(CnnCompilation.Compile(Source, "unet.cnn").Models);
        Assert.Equal("H >= 16 and H % 16 == 0 and W >= 16 and W % 16 == 0 (for cat4, cat3, cat2, cat1)", model.AcceptedSizeRule);
        Assert.Equal(new long[] { 16, 16 }, model.MinimumSizes.ToArray());
        // Four 2x2 poolings then four 2x2, stride-2 transposed convolutions: the output is H where the rule holds.
        Assert.Equal("2x(16 * (H // 16))x(16 * (W // 16))", model.OutputShape.ToString());
    }

    [PyTorchFact]
    public void Pytorch_runs_the_same_network_exactly_at_multiples_of_16_with_the_same_output_shape_and_counts()
    {
        var model = Assert.Single(CnnCompilation.Compile(Source, "unet.cnn").Models);
        var sizes = (from h in Enumerable.Range(1, 70) from w in new[] { 16, 40 } select new long[] { h, w }).ToList();
        var pytorch = PyTorchOracle.RunSizes(new[] { model }, new List<List<long[]>> { sizes })[0];
        Assert.Equal(pytorch.Parameters, model.ParameterCount);
        for (int i = 0; i < sizes.Count; i++)
        {
            bool multiple = sizes[i].All(s => s % 16 == 0);
            Assert.True(multiple == (pytorch.Outputs[i] != null), $"{sizes[i][0]}x{sizes[i][1]}: PyTorch {(pytorch.Outputs[i] == null ? "fails" : "runs")}");
            var bindings = new Dictionary<string, long> { ["H"] = sizes[i][0], ["W"] = sizes[i][1] };
            Assert.Equal(multiple, model.AcceptedSizes.All(c => c.Condition.Evaluate(bindings) != 0));
            if (multiple)
                Assert.Equal(pytorch.Outputs[i], model.OutputShape.Dimensions.Select(d => d.Evaluate(bindings)).ToArray());
        }
    }

    [Fact]
    public void Forward_segments_multiples_of_16_and_refuses_other_sizes_with_the_rule()
    {
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(Source));
        using var module = LoadedModels.Create(assembly, "Models.Segmenter");
        module.eval();
        using (no_grad())
        {
            using var output = module.call(rand(1, 1, 32, 48));
            Assert.Equal(new long[] { 1, 2, 32, 48 }, output.shape);
            var error = Assert.Throws<InputShapeException>(() => module.call(rand(1, 1, 40, 48)));
            Assert.Contains("H % 16 == 0", error.Message);
            Assert.Contains("cat4", error.Message);
        }
    }
}
