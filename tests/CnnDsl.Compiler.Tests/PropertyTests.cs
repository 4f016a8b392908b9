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

    /// <summary>A valid stack, built while tracking the shape so every size stays positive.</summary>
    static readonly Gen<RandomModel> ValidModel =
        Gen.Select(Gen.Int[1, 4], Gen.Int[6, 40], Gen.Int[6, 40], Gen.Int[1, 6], Gen.Bool, Gen.Int[0, int.MaxValue])
            .Select(t => Build(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, new Random(t.Item6)));

    static RandomModel Build(int channels, int height, int width, int layerCount, bool withHead, Random random)
    {
        var text = new StringBuilder($"  input {channels}x{height}x{width}\n");
        var cases = new HashSet<string>();
        long c = channels, h = height, w = width;
        for (int i = 0; i < layerCount; i++)
        {
            switch (random.Next(6))
            {
                case 0:
                case 1:
                {
                    int kh = random.Next(1, 6), kw = random.Next(2) == 0 ? kh : random.Next(1, 6);
                    int stride = random.Next(1, 4), dilation = random.Next(4) == 0 ? 2 : 1;
                    long filters = random.Next(1, 9);
                    int groups = random.Next(5) == 0 && c % 2 == 0 && filters % 2 == 0 ? 2 : 1;
                    string padding = random.Next(4) switch { 0 => "same", 1 => "valid", 2 => random.Next(3).ToString(), _ => $"(({random.Next(3)}, {random.Next(3)}), ({random.Next(3)}, {random.Next(3)}))" };
                    var sides = Sides(padding, h, w, kh, kw, stride, dilation);
                    long oh = Geometry.OutputSize(h, sides[0], sides[1], kh, stride, dilation, false);
                    long ow = Geometry.OutputSize(w, sides[2], sides[3], kw, stride, dilation, false);
                    if (oh < 1 || ow < 1)
                        continue;
                    var kernel = kh == kw ? kh.ToString() : $"({kh}, {kw})";
                    var activation = random.Next(3) == 0 ? ", activation=" + CnnDsl.Dsl.Catalog.Activation.All[random.Next(CnnDsl.Dsl.Catalog.Activation.All.Count)].Name : "";
                    text.Append($"  conv2d {filters}, kernel={kernel}, stride={stride}, padding={padding}, dilation={dilation}, groups={groups}, bias={(random.Next(4) == 0 ? "false" : "true")}{activation}\n");
                    if (padding == "same" && stride > 1) cases.Add("strided same");
                    if (kh % 2 == 0 || kw % 2 == 0) cases.Add("even kernel");
                    if (dilation > 1) cases.Add("dilation");
                    (c, h, w) = (filters, oh, ow);
                    break;
                }
                case 2:
                {
                    int k = random.Next(1, 5), stride = random.Next(1, 4);
                    bool ceil = random.Next(2) == 0;
                    string padding = random.Next(3) switch { 0 => "same", 1 => "valid", _ => random.Next(k / 2 + 1).ToString() };
                    // Aim at the ceil-mode edge half of the time: sizes where the last window would start in the padding.
                    if (ceil && random.Next(2) == 0)
                    {
                        for (int tries = 0; tries < 20 && !IsCeilEdge(h, k, stride, padding); tries++)
                        {
                            k = random.Next(2, 5); stride = random.Next(2, 4); padding = random.Next(k / 2 + 1).ToString();
                        }
                    }
                    var sides = Sides(padding, h, w, k, k, stride, 1);
                    bool forward = sides[0] != sides[1] || sides[2] != sides[3];
                    long oh = forward ? Geometry.OutputSize(h + sides[0] + sides[1], 0, 0, k, stride, 1, ceil) : Geometry.OutputSize(h, sides[0], sides[1], k, stride, 1, ceil);
                    long ow = forward ? Geometry.OutputSize(w + sides[2] + sides[3], 0, 0, k, stride, 1, ceil) : Geometry.OutputSize(w, sides[2], sides[3], k, stride, 1, ceil);
                    if (oh < 1 || ow < 1)
                        continue;
                    if (ceil && padding != "same" && IsCeilEdge(h, k, stride, padding)) cases.Add("ceil-mode edge");
                    text.Append($"  {(random.Next(2) == 0 ? "maxpool2d" : "avgpool2d")} {k}, stride={stride}, padding={padding}, ceil_mode={(ceil ? "true" : "false")}\n");
                    (h, w) = (oh, ow);
                    break;
                }
                case 3:
                    text.Append("  batchnorm2d\n");
                    break;
                case 4:
                    text.Append("  " + CnnDsl.Dsl.Catalog.Activation.All[random.Next(CnnDsl.Dsl.Catalog.Activation.All.Count)].Name + "\n");
                    break;
                default:
                    text.Append("  dropout 0.3\n");
                    break;
            }
        }
        if (withHead)
        {
            text.Append("  flatten\n");
            if (random.Next(2) == 0)
                text.Append("  batchnorm1d\n");
            text.Append($"  dense {random.Next(1, 12)}, activation=relu\n  dense {random.Next(1, 12)}\n");
        }
        return new RandomModel(text.ToString(), cases);
    }

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

    static long[] Sides(string padding, long h, long w, int kh, int kw, int stride, int dilation)
    {
        if (padding == "same")
        {
            var (t, b) = Geometry.SamePadding(h, kh, stride, dilation);
            var (l, r) = Geometry.SamePadding(w, kw, stride, dilation);
            return new[] { t, b, l, r };
        }
        if (padding == "valid")
            return new long[4];
        if (padding.StartsWith("(("))
            return padding.Replace("(", "").Replace(")", "").Split(',').Select(long.Parse).ToArray();
        long p = long.Parse(padding);
        return new[] { p, p, p, p };
    }

    [Fact]
    public void Random_valid_stacks_have_equal_compile_time_and_run_time_shapes_and_counts()
    {
        var models = new List<RandomModel>();
        ValidModel.Sample(m => models.Add(m), iter: 500, threads: 1, seed: "0N0XIzNsQ0O2");
        var text = string.Concat(models.Select((m, i) => $"model M{i}\n{m.Text}"));
        var compileTime = CnnCompilation.Compile(text, "random.cnn");
        Assert.True(compileTime.Diagnostics.Count == 0, string.Join("\n", compileTime.Diagnostics.Take(5)));

        var counts = models.SelectMany(m => m.Cases).GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine(string.Join(", ", counts.Select(kv => $"{kv.Key}: {kv.Value}")));
        foreach (var required in new[] { "strided same", "even kernel", "dilation", "ceil-mode edge" })
            Assert.True(counts.GetValueOrDefault(required) >= 20, $"Only {counts.GetValueOrDefault(required)} cases of {required}");

        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(text));
        TorchSharp.torch.manual_seed(1);
        for (int i = 0; i < models.Count; i++)
        {
            var expected = compileTime.Models[i];
            using var module = LoadedModels.Create(assembly, "Models.M" + i);
            var actual = LoadedModels.Measure(module, expected.InputShape.Dimensions.ToArray());
            var context = $"model M{i}:\n{models[i].Text}";
            Assert.True(expected.OutputShape.Dimensions.SequenceEqual(actual.OutputShape), $"output {expected.OutputShape} vs {string.Join("x", actual.OutputShape)} in {context}");
            Assert.True(expected.ParameterCount == actual.Parameters, $"parameters {expected.ParameterCount} vs {actual.Parameters} in {context}");
            Assert.True(expected.StateCount == actual.State, $"state {expected.StateCount} vs {actual.State} in {context}");
            Assert.True(expected.Layers.Select(l => string.Join("x", l.OutputShape.Dimensions)).SequenceEqual(actual.Layers.Select(l => string.Join("x", l.Shape))),
                $"layer shapes differ in {context}");
        }
    }

    [PyTorchFact]
    public void Random_valid_stacks_have_the_shapes_and_counts_pytorch_gives()
    {
        var models = new List<RandomModel>();
        ValidModel.Sample(m => models.Add(m), iter: 500, threads: 1, seed: "0N0XIzNsQ0O2");
        var compileTime = CnnCompilation.Compile(string.Concat(models.Select((m, i) => $"model M{i}\n{m.Text}")), "random.cnn").Models;
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
            var (suffix, id) = mistake switch
            {
                0 => ("  dense 10\n  conv2d 4, kernel=3\n", "CNN2012"),      // a convolution after dense
                1 => ("  conv2d 4, kernel=1000\n", "CNN2011"),              // a kernel larger than any input
                _ => ("  flatten\n  dense 0\n", "CNN2007"),                  // no units
            };
            if (mistake == 0 && !model.Text.Contains("flatten"))
                suffix = "  flatten\n" + suffix;
            if (mistake == 1 && model.Text.Contains("flatten"))
                (suffix, id) = ("  conv2d 4, kernel=3\n", "CNN2012");
            var source = "model Broken\n" + model.Text + suffix;
            var result = GeneratorHarness.RunCnn(source);
            var diagnostic = Assert.Single(result.CnnDiagnostics);
            Assert.Equal(id, diagnostic.Id);
            Assert.Empty(result.HintNames);
        }, iter: 200, threads: 1, seed: "0N0XIzNsQ0O2");
    }
}
