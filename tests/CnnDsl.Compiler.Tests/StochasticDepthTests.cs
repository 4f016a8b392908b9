using System;
using System.Linq;
using CnnDsl.Compiler.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// stochastic_depth as torchvision's StochasticDepth: the identity in evaluation, and in training each sample (row) or
/// the whole batch either dropped or scaled by 1/(1 - p), dropped with probability p. Evaluation parity cannot see the
/// training behaviour, so these tests train.
/// </summary>
public class StochasticDepthTests(ITestOutputHelper output)
{
    const string Source = """
        model RowDrop
          input 2x3x3
          stochastic_depth 0.3
        model BatchDrop
          input 2x3x3
          stochastic_depth 0.3, mode=batch
        model NeverDrop
          input 2x3x3
          stochastic_depth 0.0
        model AlwaysDrop
          input 2x3x3
          stochastic_depth 1.0
        """;

    static readonly Lazy<System.Reflection.Assembly> Models = new(() => LoadedModels.Load(GeneratorHarness.RunCnn(Source)));

    [Fact]
    public void In_evaluation_it_is_the_identity()
    {
        using var module = LoadedModels.Create(Models.Value, "Models.RowDrop");
        module.eval();
        using var input = randn(64, 2, 3, 3);
        using var result = module.call(input);
        Assert.True(result.equal(input).all().item<bool>());
    }

    [Fact]
    public void In_training_each_row_is_dropped_or_scaled_and_about_p_of_rows_are_dropped()
    {
        using var module = LoadedModels.Create(Models.Value, "Models.RowDrop");
        module.train();
        manual_seed(11);
        using var input = ones(20_000, 2, 3, 3);
        using var result = module.call(input);
        var perRow = result.reshape(20_000, 18);
        using var minimum = perRow.amin(1);
        using var maximum = perRow.amax(1);
        // Within a row every element is the same: 0, or 1 / (1 - 0.3).
        Assert.True(minimum.equal(maximum).all().item<bool>());
        var values = maximum.data<float>().ToArray();
        Assert.All(values, v => Assert.True(v == 0f || Math.Abs(v - 1 / 0.7f) < 1e-6, $"{v}"));
        double dropped = values.Count(v => v == 0f) / 20_000.0;
        output.WriteLine($"dropped {dropped:P2} of rows");
        // 20,000 draws: the standard error is 0.0032, so 0.3 +- 0.02 fails only by mistake.
        Assert.InRange(dropped, 0.28, 0.32);
        // The expectation is the input's.
        Assert.InRange(result.mean().item<float>(), 0.97, 1.03);
    }

    [Fact]
    public void In_batch_mode_the_whole_batch_is_dropped_or_kept_together()
    {
        using var module = LoadedModels.Create(Models.Value, "Models.BatchDrop");
        module.train();
        manual_seed(12);
        int dropped = 0;
        for (int i = 0; i < 2_000; i++)
        {
            using var input = ones(8, 2, 3, 3);
            using var result = module.call(input);
            float low = result.min().item<float>(), high = result.max().item<float>();
            Assert.Equal(low, high);
            if (high == 0f)
                dropped++;
        }
        Assert.InRange(dropped / 2_000.0, 0.26, 0.34);
    }

    [Fact]
    public void Rate_zero_keeps_everything_and_rate_one_drops_everything_as_torchvision_does()
    {
        using var never = LoadedModels.Create(Models.Value, "Models.NeverDrop");
        using var always = LoadedModels.Create(Models.Value, "Models.AlwaysDrop");
        never.train();
        always.train();
        using var input = randn(100, 2, 3, 3);
        using var kept = never.call(input);
        using var gone = always.call(input);
        Assert.True(kept.equal(input).all().item<bool>());
        // torchvision leaves the noise at zero rather than dividing by a survival rate of zero.
        Assert.Equal(0f, gone.abs().max().item<float>());
    }

    [Fact]
    public void Gradients_flow_through_the_kept_rows_only_scaled_as_the_values()
    {
        using var module = LoadedModels.Create(Models.Value, "Models.RowDrop");
        module.train();
        manual_seed(13);
        using var input = ones(500, 2, 3, 3).requires_grad_();
        using var result = module.call(input);
        result.sum().backward();
        Assert.True(input.grad!.equal(result.detach()).all().item<bool>());
    }
}
