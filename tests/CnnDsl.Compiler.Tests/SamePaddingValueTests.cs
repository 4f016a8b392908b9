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

/// <summary>Pooled values of <c>same</c> and ceil-mode pools in 1, 2 and 3 dimensions, against PyTorch on the same input.</summary>
public class PoolValueOracleTests
{
    public static TheoryData<string, string, string> Pools => new()
    {
        // layer, input shape, what PyTorch computes for it (x is the input batch)
        { "maxpool1d 3, stride=2, padding=same", "2x10", "F.max_pool1d(F.pad(x, (0, 1), value=float('-inf')), 3, 2)" },
        { "avgpool1d 2, padding=same", "2x9", "keras_avg(x, (0, 1), 2, 2)" },
        { "maxpool1d 3, stride=2, padding=1, ceil_mode=true", "2x10", "F.max_pool1d(x, 3, 2, 1, ceil_mode=True)" },
        { "avgpool1d 3, stride=2, padding=1, ceil_mode=true", "2x10", "F.avg_pool1d(x, 3, 2, 1, ceil_mode=True)" },
        { "maxpool2d 3, stride=2, padding=same", "2x7x6", "F.max_pool2d(F.pad(x, (0, 1, 1, 1), value=float('-inf')), 3, 2)" },
        { "avgpool2d 2, padding=same", "2x5x7", "keras_avg(x, (0, 1, 0, 1), 2, 2)" },
        { "maxpool2d 2, stride=2, padding=1, ceil_mode=true", "2x5x5", "F.max_pool2d(x, 2, 2, 1, ceil_mode=True)" },
        { "avgpool2d 3, stride=2, padding=1, ceil_mode=true", "2x6x7", "F.avg_pool2d(x, 3, 2, 1, ceil_mode=True)" },
        { "maxpool3d 2, padding=same", "2x3x5x4", "F.max_pool3d(F.pad(x, (0, 0, 0, 1, 0, 1), value=float('-inf')), 2, 2)" },
        { "avgpool3d 3, stride=2, padding=same", "2x4x5x6", "keras_avg(x, (0, 1, 1, 1, 0, 1), 3, 2)" },
        { "maxpool3d 3, stride=2, padding=1, ceil_mode=true", "1x6x5x6", "F.max_pool3d(x, 3, 2, 1, ceil_mode=True)" },
        { "avgpool3d 2, stride=2, padding=1, ceil_mode=true", "1x5x5x4", "F.avg_pool3d(x, 2, 2, 1, ceil_mode=True)" },
    };

    [PyTorchFact]
    public void Pooled_values_equal_pytorch()
    {
        var cases = Pools.Select(row => ((string)row[0], (string)row[1], (string)row[2])).ToList();
        var text = string.Concat(cases.Select((c, i) => $"model P{i}\n  input {c.Item2}\n  {c.Item1}\n"));
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(text));

        var script = new System.Text.StringBuilder("""
            import torch.nn.functional as F
            def keras_avg(x, pad, k, s):
                pool = {3: F.avg_pool1d, 4: F.avg_pool2d, 5: F.avg_pool3d}[x.dim()]
                ones = torch.ones_like(x[:1, :1])
                return pool(F.pad(x, pad), k, s) / pool(F.pad(ones, pad), k, s)
            def sample(shape):
                n = 1
                for d in shape: n *= d
                return (torch.sin(torch.arange(n, dtype=torch.float32) * 0.37) * 3 - 0.5).reshape(shape)
            results = []

            """);
        foreach (var (_, shape, expression) in cases)
            script.Append($"x = sample((3, {shape.Replace("x", ", ")}))\nresults.append({expression}.flatten().tolist())\n");
        script.Append("print(json.dumps(results))\n");
        var expected = PyTorchOracle.RunJson(script.ToString());

        for (int i = 0; i < cases.Count; i++)
        {
            using var module = LoadedModels.Create(assembly, "Models.P" + i);
            var shape = new[] { 3L }.Concat(cases[i].Item2.Split('x').Select(long.Parse)).ToArray();
            long n = shape.Aggregate(1L, (a, b) => a * b);
            using var x = (sin(arange(n, dtype: float32) * 0.37f) * 3 - 0.5f).reshape(shape);
            using var y = module.call(x);
            var actual = y.data<float>().ToArray();
            var wanted = expected[i].EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
            Assert.True(wanted.Length == actual.Length, $"{cases[i].Item1}: {actual.Length} values, PyTorch {wanted.Length}");
            for (int j = 0; j < actual.Length; j++)
                Assert.True(Math.Abs(actual[j] - wanted[j]) < 1e-5, $"{cases[i].Item1} on {cases[i].Item2}, value {j}: {actual[j]} vs PyTorch {wanted[j]}");
        }
    }
}
