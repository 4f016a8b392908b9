using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Catalog;
using CsCheck;
using Xunit;
using Xunit.Abstractions;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// Random valid layer stacks: compile-time shapes and counts equal what the generated module does at run time.
/// All models of a run are generated, compiled and loaded together, then checked one by one.
/// </summary>
public class PropertyTests(ITestOutputHelper output)
{
    public sealed record RandomModel(string Text, HashSet<string> Cases);

    /// <summary>A valid stack of 1-D, 2-D or 3-D layers, built while tracking the shape so every size stays positive.</summary>
    public static readonly Gen<RandomModel> ValidModel =
        Gen.Select(Gen.Int[1, 4], Gen.Int[1, 6], Gen.Bool, Gen.Int[0, int.MaxValue])
            .Select(t => Build(t.Item1 switch { 1 => 1, 4 => 3, _ => 2 }, t.Item2, t.Item3, new Random(t.Item4)));

    static readonly string[] Activations = CnnDsl.Dsl.Catalog.Activation.All.Select(a => a.Name).ToArray();

    /// <summary>A residual block per dimension, used by the random models with the current channel count.</summary>
    public const string Blocks = """
        block Res1d(c)
          a: conv1d c, 3, padding=same, bias=false
          b: batchnorm1d
          add b, input
          relu
        block Res2d(c)
          a: conv2d c, 3, padding=same, bias=false
          b: batchnorm2d
          add b, input
          relu
        block Res3d(c)
          a: conv3d c, 3, padding=same, bias=false
          b: batchnorm3d
          add b, input
          relu

        """;

    internal static RandomModel Build(int rank, int layerCount, bool withHead, Random random)
    {
        long c = random.Next(1, 5);
        var spatial = Enumerable.Range(0, rank).Select(_ => (long)(rank == 1 ? random.Next(8, 64) : rank == 2 ? random.Next(6, 40) : random.Next(4, 12))).ToArray();
        var text = new StringBuilder($"  input {c}x{string.Join("x", spatial)}\n");
        var cases = new HashSet<string> { rank + "-D" };
        for (int i = 0; i < layerCount; i++)
        {
            switch (random.Next(12))
            {
                case 9:
                    text.Append($"  s{i}: relu\n  r{i}: conv{rank}d {c}, kernel=3, padding=same\n  add r{i}, s{i}\n");
                    cases.Add("add");
                    continue;
                case 10:
                {
                    long f1 = random.Next(1, 5), f2 = random.Next(1, 5);
                    text.Append($"  s{i}: relu\n  a{i}: conv{rank}d {f1}, kernel=1, from=s{i}\n  b{i}: conv{rank}d {f2}, kernel=3, padding=same, from=s{i}\n  concat a{i}, b{i}\n");
                    c = f1 + f2;
                    cases.Add("concat");
                    continue;
                }
                case 11:
                    text.Append($"  Res{rank}d {c}\n");
                    cases.Add("block");
                    continue;
                case 0:
                case 1:
                case 2:
                {
                    var kernel = Enumerable.Range(0, rank).Select(_ => (long)random.Next(1, 6)).ToArray();
                    if (random.Next(2) == 0)
                        kernel = Enumerable.Repeat(kernel[0], rank).ToArray();
                    var stride = Enumerable.Repeat((long)random.Next(1, 4), rank).ToArray();
                    var dilation = Enumerable.Repeat(random.Next(4) == 0 ? 2L : 1L, rank).ToArray();
                    long filters = random.Next(1, 9);
                    long groups = random.Next(5) == 0 && c % 2 == 0 && filters % 2 == 0 ? 2 : random.Next(6) == 0 ? c : 1;
                    if (groups == c)
                        filters = c * random.Next(1, 3);
                    string padding = random.Next(4) switch
                    {
                        0 => "same",
                        1 => "valid",
                        2 => random.Next(3).ToString(),
                        _ => "(" + string.Join(", ", Enumerable.Range(0, rank).Select(_ => $"({random.Next(3)}, {random.Next(3)})")) + (rank == 1 ? ",)" : ")"),
                    };
                    var sides = Sides(padding, spatial, kernel, stride, dilation);
                    var output = spatial.Select((n, d) => Geometry.OutputSize(n, sides[2 * d], sides[2 * d + 1], kernel[d], stride[d], dilation[d], false)).ToArray();
                    if (output.Any(o => o < 1))
                        continue;
                    var activation = random.Next(3) == 0 ? ", activation=" + Activations[random.Next(Activations.Length)] : "";
                    text.Append($"  conv{rank}d {filters}, kernel={Tuple(kernel)}, stride={stride[0]}, padding={padding}, dilation={dilation[0]}, groups={groups}, bias={(random.Next(4) == 0 ? "false" : "true")}{activation}\n");
                    if (padding == "same" && stride[0] > 1) cases.Add("strided same");
                    if (kernel.Any(k => k % 2 == 0)) cases.Add("even kernel");
                    if (dilation[0] > 1) cases.Add("dilation");
                    if (groups == c && c > 1) cases.Add("depthwise");
                    (c, spatial) = (filters, output);
                    break;
                }
                case 3:
                {
                    int k = random.Next(1, 5), stride = random.Next(1, 4);
                    bool ceil = random.Next(2) == 0;
                    string padding = random.Next(3) switch { 0 => "same", 1 => "valid", _ => random.Next(k / 2 + 1).ToString() };
                    // Aim at the ceil-mode edge half of the time: sizes where the last window would start in the padding.
                    if (ceil && random.Next(2) == 0)
                    {
                        for (int tries = 0; tries < 20 && !IsCeilEdge(spatial[0], k, stride, padding); tries++)
                        {
                            k = random.Next(2, 5); stride = random.Next(2, 4); padding = random.Next(k / 2 + 1).ToString();
                        }
                    }
                    var kernel = Enumerable.Repeat((long)k, rank).ToArray();
                    var strides = Enumerable.Repeat((long)stride, rank).ToArray();
                    var sides = Sides(padding, spatial, kernel, strides, Enumerable.Repeat(1L, rank).ToArray());
                    bool forward = Enumerable.Range(0, rank).Any(d => sides[2 * d] != sides[2 * d + 1]);
                    var output = spatial.Select((n, d) => forward
                        ? Geometry.OutputSize(n + sides[2 * d] + sides[2 * d + 1], 0, 0, k, stride, 1, ceil)
                        : Geometry.OutputSize(n, sides[2 * d], sides[2 * d + 1], k, stride, 1, ceil)).ToArray();
                    if (output.Any(o => o < 1))
                        continue;
                    var pooledInput = spatial.Select((n, d) => forward ? n + sides[2 * d] + sides[2 * d + 1] : n).ToArray();
                    bool isMax = random.Next(2) == 0;
                    if (!isMax && rank == 3 && pooledInput.Any(n => n < k))
                        continue;
                    if (ceil && padding != "same" && IsCeilEdge(spatial[0], k, stride, padding)) cases.Add("ceil-mode edge");
                    text.Append($"  {(isMax ? "maxpool" : "avgpool")}{rank}d {k}, stride={stride}, padding={padding}, ceil_mode={(ceil ? "true" : "false")}\n");
                    spatial = output;
                    break;
                }
                case 4:
                    text.Append($"  batchnorm{rank}d\n");
                    break;
                case 5:
                {
                    var activation = Activations[random.Next(Activations.Length)];
                    text.Append("  " + activation + (activation is "leaky_relu" or "elu" && random.Next(2) == 0 ? " 0.2" : "") + "\n");
                    break;
                }
                case 6:
                {
                    var pad = Enumerable.Range(0, rank).Select(_ => (long)random.Next(0, 3)).ToArray();
                    text.Append($"  zeropad{rank}d {Tuple(pad)}\n");
                    spatial = spatial.Select((n, d) => n + 2 * pad[d]).ToArray();
                    cases.Add("zero padding");
                    break;
                }
                case 7:
                    text.Append(rank == 2 && random.Next(2) == 0 ? "  dropout2d 0.2\n" : "  dropout 0.3\n");
                    break;
                default:
                {
                    var size = spatial.Select(n => (long)random.Next(1, (int)Math.Min(n, 4) + 1)).ToArray();
                    text.Append($"  adaptive_avgpool{rank}d {Tuple(size)}\n");
                    spatial = size;
                    cases.Add("adaptive pool");
                    break;
                }
            }
        }
        if (!text.ToString().Contains('\n' + "  "))
            text.Append("  relu\n");
        if (withHead)
        {
            switch (random.Next(3))
            {
                case 0:
                    text.Append($"  global_{(random.Next(2) == 0 ? "avg" : "max")}pool{rank}d\n");
                    cases.Add("global pool");
                    break;
                case 1 when rank == 1:
                    text.Append("  batchnorm1d\n  flatten\n");
                    break;
                default:
                    text.Append("  flatten\n");
                    break;
            }
            if (random.Next(2) == 0)
                text.Append("  batchnorm1d\n");
            text.Append($"  dense {random.Next(1, 12)}, activation={Activations[random.Next(Activations.Length)]}\n  dense {random.Next(1, 12)}\n");
        }
        return new RandomModel(text.ToString(), cases);
    }

    static string Tuple(long[] values) => values.Length == 1 || values.Distinct().Count() == 1 ? values[0].ToString() : "(" + string.Join(", ", values) + ")";

    static bool IsCeilEdge(long n, int k, int s, string padding)
    {
        if (!int.TryParse(padding, out int p))
            return false;
        long span = n + 2 * p - k;
        if (span < 0)
            return false;
        long ceilSize = (span + s - 1) / s + 1;
        return (ceilSize - 1) * s >= n + p && span % s != 0;
    }

    static long[] Sides(string padding, long[] spatial, long[] kernel, long[] stride, long[] dilation)
    {
        if (padding == "same")
            return spatial.SelectMany((n, d) => { var (b, a) = Geometry.SamePadding(n, kernel[d], stride[d], dilation[d]); return new[] { b, a }; }).ToArray();
        if (padding == "valid")
            return new long[2 * spatial.Length];
        if (padding.StartsWith("(("))
            return padding.Replace("(", "").Replace(")", "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray();
        long p = long.Parse(padding);
        return Enumerable.Repeat(p, 2 * spatial.Length).ToArray();
    }

    [Fact]
    public void Random_valid_stacks_have_equal_compile_time_and_run_time_shapes_and_counts()
    {
        var models = new List<RandomModel>();
        ValidModel.Sample(m => models.Add(m), iter: 500, threads: 1, seed: "0N0XIzNsQ0O2");
        var text = Blocks + string.Concat(models.Select((m, i) => $"model M{i}\n{m.Text}"));
        var compileTime = CnnCompilation.Compile(text, "random.cnn");
        Assert.True(compileTime.Diagnostics.Count == 0, string.Join("\n", compileTime.Diagnostics.Take(5)));

        var counts = models.SelectMany(m => m.Cases).GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine(string.Join(", ", counts.Select(kv => $"{kv.Key}: {kv.Value}")));
        foreach (var required in new[] { "strided same", "even kernel", "dilation", "ceil-mode edge", "1-D", "2-D", "3-D", "depthwise", "global pool", "zero padding", "adaptive pool", "add", "concat", "block" })
            Assert.True(counts.GetValueOrDefault(required) >= 20, $"Only {counts.GetValueOrDefault(required)} cases of {required}");

        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(text));
        TorchSharp.torch.manual_seed(1);
        for (int i = 0; i < models.Count; i++)
        {
            var expected = compileTime.Models[i];
            using var module = LoadedModels.Create(assembly, "Models.M" + i);
            var actual = LoadedModels.Measure(module, expected.InputShape.Sizes);
            var context = $"model M{i}:\n{models[i].Text}";
            Assert.True(expected.OutputShape.Sizes.SequenceEqual(actual.OutputShape), $"output {expected.OutputShape} vs {string.Join("x", actual.OutputShape)} in {context}");
            Assert.True(expected.ParameterCount == actual.Parameters, $"parameters {expected.ParameterCount} vs {actual.Parameters} in {context}");
            Assert.True(expected.StateCount == actual.State, $"state {expected.StateCount} vs {actual.State} in {context}");
            Assert.True(expected.Layers.Where(l => l.Config.HasModule).Select(l => string.Join("x", l.OutputShape.Dimensions)).SequenceEqual(actual.Layers.Select(l => string.Join("x", l.Shape))),
                $"layer shapes differ in {context}");
        }
    }

    [PyTorchFact]
    public void Random_valid_stacks_have_the_shapes_and_counts_pytorch_gives()
    {
        var models = new List<RandomModel>();
        ValidModel.Sample(m => models.Add(m), iter: 500, threads: 1, seed: "0N0XIzNsQ0O2");
        var compileTime = CnnCompilation.Compile(Blocks + string.Concat(models.Select((m, i) => $"model M{i}\n{m.Text}")), "random.cnn").Models;
        var oracle = PyTorchOracle.Measure(compileTime);
        for (int i = 0; i < compileTime.Count; i++)
        {
            var context = $"model M{i}:\n{models[i].Text}";
            Assert.True(compileTime[i].ParameterCount == oracle[i].Parameters, $"parameters {compileTime[i].ParameterCount} vs PyTorch {oracle[i].Parameters} in {context}");
            Assert.True(compileTime[i].StateCount == oracle[i].State, $"state {compileTime[i].StateCount} vs PyTorch {oracle[i].State} in {context}");
            Assert.True(compileTime[i].Layers.Select(l => string.Join("x", l.OutputShape.Dimensions)).SequenceEqual(oracle[i].LayerShapes.Select(s => string.Join("x", s))),
                $"layer shapes differ from PyTorch's in {context}");
        }
    }

    [Fact]
    public void Random_invalid_stacks_give_the_expected_diagnostic_and_no_code()
    {
        var gen = Gen.Select(ValidModel, Gen.Int[0, 2]);
        gen.Sample(t =>
        {
            var (model, mistake) = t;
            int rank = model.Text.Split('\n')[0].Count(ch => ch == 'x');
            var (suffix, id) = mistake switch
            {
                0 => ("  dense 10\n  conv2d 4, kernel=3\n", "CNN2012"),      // a convolution after dense
                1 => ($"  conv{rank}d 4, kernel=1000\n", "CNN2011"),        // a kernel larger than any input
                _ => ("  flatten\n  dense 0\n", "CNN2007"),                  // no units
            };
            bool flat = model.Text.Contains("dense");
            if (mistake == 0 && !flat)
                suffix = "  flatten\n" + suffix;
            if (mistake == 1 && flat)
                (suffix, id) = ("  conv2d 4, kernel=3\n", "CNN2012");
            var source = Blocks + "model Broken\n" + model.Text + suffix;
            var result = GeneratorHarness.RunCnn(source);
            var diagnostic = Assert.Single(result.CnnDiagnostics);
            Assert.Equal(id, diagnostic.Id);
            Assert.Empty(result.HintNames);
        }, iter: 200, threads: 1, seed: "0N0XIzNsQ0O2");
    }
}
