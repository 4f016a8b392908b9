using System;
using System.Linq;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl.Catalog;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// Keras' <c>same</c> on pools, checked on values: max pools ignore the padding (minus infinity), average pools divide
/// by the real pixels of each window. The expected values come from a direct loop over the windows.
/// </summary>
public class SamePaddingValueTests
{
    const string Models = """
        model MaxSame
          input 2x5x7
          maxpool2d 2, padding=same
        model MaxSameStrided
          input 2x6x5
          maxpool2d 3, stride=2, padding=same
        model AvgSame
          input 2x5x7
          avgpool2d 2, padding=same
        model AvgSameSymmetric
          input 2x5x5
          avgpool2d 3, stride=2, padding=same
        model AvgSameStrided
          input 2x6x5
          avgpool2d 3, stride=2, padding=same
        """;

    [Theory]
    [InlineData("MaxSame", true, 2, 2)]
    [InlineData("MaxSameStrided", true, 3, 2)]
    [InlineData("AvgSame", false, 2, 2)]
    [InlineData("AvgSameSymmetric", false, 3, 2)]
    [InlineData("AvgSameStrided", false, 3, 2)]
    public void Pooled_values_follow_keras(string model, bool isMax, int kernel, int stride)
    {
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(Models));
        using var module = LoadedModels.Create(assembly, "Models." + model);
        var info = ((ICnnModel)module).Info;
        long channels = info.InputShape[0], height = info.InputShape[1], width = info.InputShape[2];
        manual_seed(7);
        // Negative values make a zero-padded max pool visibly wrong.
        using var input = randn(3, channels, height, width) - 2;
        using var output = module.call(input);

        var (top, _) = Geometry.SamePadding(height, kernel, stride, 1);
        var (left, _) = Geometry.SamePadding(width, kernel, stride, 1);
        long outHeight = (height + stride - 1) / stride, outWidth = (width + stride - 1) / stride;
        Assert.Equal(new[] { 3L, channels, outHeight, outWidth }, output.shape);
        var x = input.data<float>().ToArray();
        var y = output.data<float>().ToArray();
        for (int n = 0; n < 3; n++)
        for (int c = 0; c < channels; c++)
        for (int i = 0; i < outHeight; i++)
        for (int j = 0; j < outWidth; j++)
        {
            double best = double.NegativeInfinity, sum = 0;
            int count = 0;
            for (long r = i * stride - top; r < i * stride - top + kernel; r++)
            for (long q = j * stride - left; q < j * stride - left + kernel; q++)
            {
                if (r < 0 || q < 0 || r >= height || q >= width)
                    continue;
                double v = x[((n * channels + c) * height + r) * width + q];
                best = Math.Max(best, v);
                sum += v;
                count++;
            }
            double expected = isMax ? best : sum / count;
            double actual = y[((n * channels + c) * outHeight + i) * outWidth + j];
            Assert.True(Math.Abs(expected - actual) < 1e-5, $"{model} at ({n},{c},{i},{j}): expected {expected}, got {actual}");
        }
    }

    [Fact]
    public void Strided_same_convolution_pads_like_keras()
    {
        // With all-ones weights and no bias, each output is the sum of its window's real pixels: the padding shows.
        var result = GeneratorHarness.RunCnn("model ConvSame\n  input 1x5x5\n  conv2d 1, kernel=2, stride=2, padding=same, bias=false\n");
        using var module = LoadedModels.Create(LoadedModels.Load(result), "Models.ConvSame");
        using (no_grad())
            foreach (var p in module.parameters())
                p.fill_(1);
        using var input = arange(25, dtype: float32).reshape(1, 1, 5, 5);
        using var output = module.call(input);
        // Keras: total pad 1, all of it after (right and bottom), so windows start at 0, 2, 4.
        var expected = new float[] { 0 + 1 + 5 + 6, 2 + 3 + 7 + 8, 4 + 9, 10 + 11 + 15 + 16, 12 + 13 + 17 + 18, 14 + 19, 20 + 21, 22 + 23, 24 };
        Assert.Equal(expected, output.data<float>().ToArray());
    }
}
