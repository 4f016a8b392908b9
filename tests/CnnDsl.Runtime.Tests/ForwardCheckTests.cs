using System;
using CnnDsl.Runtime.Tests.Models;
using CnnDsl.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Runtime.Tests;

/// <summary>What a generated model's forward and the run-time summary say about input they cannot take.</summary>
public class ForwardCheckTests
{
    [Theory]
    [InlineData(ScalarType.Byte, "uint8")]
    [InlineData(ScalarType.Int64, "int64")]
    [InlineData(ScalarType.Int32, "int32")]
    [InlineData(ScalarType.Bool, "bool")]
    public void Integer_input_to_a_generated_forward_names_the_expected_and_actual_type_and_the_fix(ScalarType type, string name)
    {
        using var model = new TinyCnn();
        using var input = zeros(new long[] { 2, 1, 28, 28 }, type);
        var error = Assert.Throws<InputShapeException>(() => model.call(input));
        // Generated forward passes the module, so the expected type is that of its parameters.
        Assert.StartsWith($"TinyCnn expects float32 input (the type of its parameters), but got {name}. "
            + "Convert it with input.to_type(ScalarType.Float32) or input.@float()", error.Message);
        if (type == ScalarType.Byte)
            Assert.Contains("uint8 pixels are usually also scaled to [0, 1]: input.to_type(ScalarType.Float32).div(255).", error.Message);
    }

    [Theory]
    [InlineData(ScalarType.Float64, "float64")]
    [InlineData(ScalarType.Float16, "float16")]
    [InlineData(ScalarType.BFloat16, "bfloat16")]
    [InlineData(ScalarType.Int64, "int64")]
    public void The_check_with_the_module_compares_with_its_parameter_type(ScalarType type, string name)
    {
        using var model = new TinyCnn();
        using var input = zeros(new long[] { 2, 1, 28, 28 }, type);
        var error = Assert.Throws<InputShapeException>(() => InputShapeException.ThrowIfMismatch(TinyCnn.ModelInfo, input, model));
        Assert.StartsWith($"TinyCnn expects float32 input (the type of its parameters), but got {name}. Convert it with input.to_type(ScalarType.Float32) or input.@float().", error.Message);
        using var right = zeros(2, 1, 28, 28);
        InputShapeException.ThrowIfMismatch(TinyCnn.ModelInfo, right, model);

        // A converted model expects its new type.
        model.to(ScalarType.Float64);
        InputShapeException.ThrowIfMismatch(TinyCnn.ModelInfo, input.to_type(ScalarType.Float64), model);
        Assert.StartsWith("TinyCnn expects float64 input (the type of its parameters), but got float32. Convert it with input.to_type(ScalarType.Float64) or input.@double().",
            Assert.Throws<InputShapeException>(() => InputShapeException.ThrowIfMismatch(TinyCnn.ModelInfo, right, model)).Message);
        // The shape is still checked first.
        using var wrongShape = zeros(new long[] { 2, 3, 28, 28 }, ScalarType.Float64);
        Assert.StartsWith("TinyCnn expects input of shape (N, 1, 28, 28)", Assert.Throws<InputShapeException>(() => InputShapeException.ThrowIfMismatch(TinyCnn.ModelInfo, wrongShape, model)).Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(int.MinValue)]
    public void A_summary_batch_size_below_one_is_refused(int batchSize)
    {
        using var model = new FashionCnn();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.Summary(batchSize));
        Assert.Equal("batchSize", error.ParamName);
        Assert.StartsWith($"The batch size for the summary's extras must be at least 1, not {batchSize}.", error.Message);
    }

    [Fact]
    public void A_summary_for_a_billion_samples_prints_the_true_sizes()
    {
        using var model = new FashionCnn();
        var summary = ModelSummary.Summarize(model, new long[] { 1, 28, 28 }, "FashionCnn", batchSize: 1_000_000_000);
        long multAdds = 28L * 28 * 32 * 25 + 14L * 14 * 64 * 32 * 25 + 3136L * 1000 + 1000L * 10;
        Assert.Equal(multAdds, summary.MultAddsPerSample);
        Assert.Equal(1_000_000_000L * 28 * 28 * 4, summary.InputBytes);
        var text = summary.ToString();
        Assert.Contains($"Total mult-adds (M): {multAdds * 1000}.00\n", text);
        Assert.Contains("Input size (MB): 3136000.00\n", text);
        Assert.DoesNotContain(": -", text);

        // Products beyond a long are printed as they are, not wrapped around.
        var huge = summary with { MultAddsPerSample = 20_000_000_000, BatchSize = int.MaxValue, InputBytes = long.MaxValue, ForwardBackwardBytes = long.MaxValue };
        Assert.Contains("Total mult-adds (M): 42949672940000.00\n", huge.ToString());
        Assert.Contains("Estimated total size (MB): 184467440737", huge.ToString());
    }
}
