using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Symbolic;
using CnnDsl.Weights;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// Random models over inputs with size variables (CxL, CxHxW, CxDxHxW) built from the transposed, depthwise and
/// separable convolutions, upsample, prelu, hardswish, hardsigmoid, mish, squeeze-and-excitation's multiply and
/// stochastic depth: the accepted-size rule is exactly where PyTorch runs the same network, the output shape formula
/// gives PyTorch's shape there, the counts are PyTorch's, and the generated modules compute PyTorch's values on the
/// same weights.
/// </summary>
public class NewLayerPropertyTests(ITestOutputHelper output)
{
    public sealed record RandomModel(int Rank, string Text, HashSet<string> Kinds);

    static readonly string[][] Variables = { new[] { "L" }, new[] { "H", "W" }, new[] { "D", "H", "W" } };

    static RandomModel Build(Random random, int index, int rank)
    {
        long c = random.Next(1, 4);
        var names = Variables[rank - 1];
        var text = new StringBuilder($"model N{index}\n  input {c}x{string.Join("x", names)}\n");
        var kinds = new HashSet<string>();
        string Sizes(Func<int> draw) => rank == 1 || random.Next(2) == 0 ? draw().ToString() : "(" + string.Join(", ", Enumerable.Range(0, rank).Select(_ => draw())) + ")";
        string linear = rank == 1 ? "linear" : rank == 2 ? "bilinear" : "trilinear";
        int layers = random.Next(3, 7);
        for (int i = 0; i < layers; i++)
        {
            switch (random.Next(rank == 2 ? 9 : 8))
            {
                case 0:
                case 1:
                {
                    // Transposed convolution: output_padding below the stride or the dilation, as PyTorch requires.
                    int s = random.Next(1, 4), d = random.Next(1, 3), k = random.Next(1, 5), p = random.Next(0, 3);
                    // One output_padding, or one per dimension (TorchSharp's modules would apply the first to all), drawn
                    // from a generator of its own so that the other layers of the models stay as they were.
                    var own = new Random(index * 8 + i);
                    int first = random.Next(0, Math.Max(s, d));
                    string op = rank == 1 || own.Next(2) == 0 ? first.ToString()
                        : "(" + string.Join(", ", Enumerable.Range(0, rank).Select(j => j == 0 ? first : own.Next(0, Math.Max(s, d)))) + ")";
                    long f = random.Next(1, 5);
                    long g = c % 2 == 0 && f % 2 == 0 && random.Next(3) == 0 ? 2 : 1;
                    var act = random.Next(4) == 0 ? ", activation=" + new[] { "hardswish", "mish", "relu" }[random.Next(3)] : "";
                    text.Append($"  conv_transpose{rank}d {f}, {k}, stride={s}, padding={p}, output_padding={op}, dilation={d}, groups={g}, bias={(random.Next(3) == 0 ? "false" : "true")}{act}\n");
                    kinds.Add($"conv_transpose{rank}d");
                    c = f;
                    break;
                }
                case 2 when rank < 3:
                {
                    int s = random.Next(1, 3), m = random.Next(1, 3);
                    long f = random.Next(1, 5);
                    var padding = random.Next(3) switch { 0 => "same", 1 => "valid", _ => random.Next(0, 2).ToString() };
                    var act = random.Next(4) == 0 ? ", activation=" + new[] { "hardsigmoid", "relu" }[random.Next(2)] : "";
                    text.Append($"  separable_conv{rank}d {f}, {Sizes(() => random.Next(1, 4))}, stride={s}, padding={padding}, depth_multiplier={m}, dilation={random.Next(1, 3)}, bias={(random.Next(2) == 0 ? "false" : "true")}{act}\n");
                    kinds.Add($"separable_conv{rank}d");
                    c = f;
                    break;
                }
                case 8:
                {
                    int s = random.Next(1, 3), m = random.Next(1, 3);
                    var padding = random.Next(3) switch { 0 => "same", 1 => "valid", _ => "1" };
                    text.Append($"  depthwise_conv2d {Sizes(() => random.Next(1, 4))}, stride={s}, padding={padding}, depth_multiplier={m}, bias={(random.Next(2) == 0 ? "false" : "true")}\n");
                    kinds.Add("depthwise_conv2d");
                    c *= m;
                    break;
                }
                case 3:
                {
                    var mode = random.Next(2) == 0 ? "nearest" : linear;
                    var align = mode != "nearest" && random.Next(2) == 0 ? ", align_corners=true" : "";
                    var size = random.Next(3) == 0 ? $"size={Sizes(() => random.Next(1, 7))}" : $"scale={Sizes(() => random.Next(1, 4))}";
                    text.Append($"  upsample {size}, mode={mode}{align}\n");
                    kinds.Add("upsample");
                    break;
                }
                case 4 when random.Next(4) == 0:
                {
                    var scales = Enumerable.Range(0, (int)c).Select(_ => $"{random.Next(-20, 21) / 10.0:0.0}").ToList();
                    text.Append(random.Next(2) == 0
                        ? $"  rescaling scale=({string.Join(", ", scales)}{(c == 1 ? "," : "")}), offset={random.Next(-5, 6) / 10.0:0.0}\n"
                        : $"  rescaling {random.Next(1, 5) / 4.0:0.00}\n");
                    kinds.Add("rescaling");
                    break;
                }
                case 4:
                {
                    var activation = new[] { "hardswish", "hardsigmoid", "mish" }[random.Next(3)];
                    text.Append($"  {activation}\n");
                    kinds.Add(activation);
                    break;
                }
                case 5:
                    text.Append(random.Next(2) == 0 ? "  prelu\n" : $"  prelu per_channel=true, init={random.Next(1, 5) / 10.0:0.0}\n");
                    kinds.Add("prelu");
                    break;
                case 6:
                {
                    // Squeeze-and-excitation: a (C, 1, ...) gate multiplied into (C, spatial...), in either order.
                    long squeeze = random.Next(1, 4);
                    text.Append($"  s{i}: relu\n  p{i}: adaptive_avgpool{rank}d 1\n  q{i}: conv{rank}d {squeeze}, 1, activation=relu\n  r{i}: conv{rank}d {c}, 1, activation={(random.Next(2) == 0 ? "sigmoid" : "hardsigmoid")}\n");
                    text.Append(random.Next(2) == 0 ? $"  multiply s{i}, r{i}\n" : $"  multiply r{i}, s{i}\n");
                    kinds.Add("multiply");
                    break;
                }
                default:
                    text.Append($"  stochastic_depth {random.Next(0, 10) / 10.0:0.0}{(random.Next(2) == 0 ? ", mode=batch" : "")}\n");
                    kinds.Add("stochastic_depth");
                    break;
            }
        }
        if (random.Next(3) == 0)
            text.Append($"  global_avgpool{rank}d\n  dense 3\n");
        return new RandomModel(rank, text.ToString(), kinds);
    }

    static List<RandomModel> Models()
    {
        // Models whose fixed sizes (upsample size=) leave no input size that works are errors, as they should be: redraw.
        var random = new Random(20261127);
        var models = new List<RandomModel>();
        while (models.Count < 180)
        {
            var candidate = Build(random, models.Count, models.Count % 3 + 1);
            if (CnnCompilation.Compile(candidate.Text, "candidate.cnn").Diagnostics.Count == 0)
                models.Add(candidate);
        }
        return models;
    }

    static string Source(List<RandomModel> models) => string.Concat(models.Select(m => m.Text));

    /// <summary>The input sizes each model is tried at: small enough that many are refused, large enough that many run.</summary>
    static List<long[]> Grid(int rank) => rank switch
    {
        1 => Enumerable.Range(1, 24).Select(l => new long[] { l }).ToList(),
        2 => (from h in Enumerable.Range(1, 10) from w in new[] { 1, 4, 7, 10 } select new long[] { h, w }).ToList(),
        _ => (from d in new[] { 1, 2, 5 } from h in new[] { 1, 3, 6 } from w in new[] { 1, 4 } select new long[] { d, h, w }).ToList(),
    };

    static Dictionary<string, long> Bindings(int rank, long[] sizes) => Variables[rank - 1].Select((n, i) => (n, sizes[i])).ToDictionary(p => p.n, p => p.Item2);

    static bool Accepts(BoundModel model, int rank, long[] sizes)
    {
        try
        {
            return model.AcceptedSizes.All(c => c.Condition.Evaluate(Bindings(rank, sizes)) != 0);
        }
        catch (SizeOverflowException)
        {
            return false;
        }
    }

    static long[] Evaluate(TensorShape shape, int rank, long[] sizes) => shape.Dimensions.Select(d => d.Evaluate(Bindings(rank, sizes))).ToArray();

    [Fact]
    public void Every_new_layer_kind_is_drawn_at_least_twenty_times_with_size_variables()
    {
        var models = Models();
        var counts = models.SelectMany(m => m.Kinds).GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine(string.Join(", ", counts.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: {kv.Value}")));
        foreach (var kind in new[] { "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "separable_conv1d", "separable_conv2d", "depthwise_conv2d",
                     "upsample", "hardswish", "hardsigmoid", "mish", "prelu", "multiply", "stochastic_depth", "rescaling" })
            Assert.True(counts.GetValueOrDefault(kind) >= 20, $"Only {counts.GetValueOrDefault(kind)} models with {kind}");
        var compiled = CnnCompilation.Compile(Source(models), "new-layers.cnn");
        Assert.True(compiled.Diagnostics.Count == 0, string.Join("\n", compiled.Diagnostics.Take(5)));
    }

    [PyTorchFact]
    public void Accepted_sizes_shapes_and_counts_equal_pytorchs()
    {
        var models = Models();
        var compiled = CnnCompilation.Compile(Source(models), "new-layers.cnn");
        Assert.True(compiled.Diagnostics.Count == 0, string.Join("\n", compiled.Diagnostics.Take(5)));
        var pytorch = PyTorchOracle.RunSizes(compiled.Models, models.Select(m => Grid(m.Rank)).ToList());
        int accepted = 0, refused = 0;
        for (int i = 0; i < models.Count; i++)
        {
            var model = compiled.Models[i];
            var context = $"N{i}: rule {model.AcceptedSizeRule}\n{models[i].Text}";
            Assert.True(model.ParameterCount == pytorch[i].Parameters, $"parameters {model.ParameterCount} vs PyTorch {pytorch[i].Parameters} in {context}");
            Assert.True(model.StateCount == pytorch[i].State, $"state {model.StateCount} vs PyTorch {pytorch[i].State} in {context}");
            var grid = Grid(models[i].Rank);
            for (int j = 0; j < grid.Count; j++)
            {
                var sizes = grid[j];
                var shape = pytorch[i].Outputs[j];
                bool accepts = Accepts(model, models[i].Rank, sizes);
                Assert.True(accepts == (shape != null), $"at {string.Join("x", sizes)} the rule says {accepts}, PyTorch {(shape == null ? "fails" : "runs")}; {context}");
                if (shape == null)
                {
                    refused++;
                    continue;
                }
                accepted++;
                Assert.True(Evaluate(model.OutputShape, models[i].Rank, sizes).SequenceEqual(shape),
                    $"at {string.Join("x", sizes)} output {model.OutputShape} is {string.Join("x", Evaluate(model.OutputShape, models[i].Rank, sizes))}, PyTorch {string.Join("x", shape)}; {context}");
            }
        }
        output.WriteLine($"{accepted} sizes accepted, {refused} refused");
        Assert.True(accepted > 1000 && refused > 500, $"{accepted} accepted and {refused} refused sizes: the grid should exercise both");
    }

    [PyTorchFact]
    public void Generated_modules_compute_pytorchs_values_on_the_same_weights_in_eval_and_refuse_what_the_rule_refuses()
    {
        var models = Models().Take(90).ToList();
        var text = Source(models);
        var compiled = CnnCompilation.Compile(text, "new-layers.cnn");
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(text));
        var folder = Directory.CreateTempSubdirectory("cnndsl-new-layers-").FullName;
        try
        {
            manual_seed(3);
            var runs = new List<(int Index, long[] Sizes)>();
            for (int i = 0; i < models.Count; i++)
            {
                var model = compiled.Models[i];
                var grid = Grid(models[i].Rank);
                var sizes = grid.LastOrDefault(s => Accepts(model, models[i].Rank, s));
                var refusedSizes = grid.FirstOrDefault(s => !Accepts(model, models[i].Rank, s));
                using var module = LoadedModels.Create(assembly, "Models.N" + i);
                module.eval();
                if (refusedSizes != null)
                {
                    using var bad = rand(new[] { 2L, model.InputShape[0].Constant!.Value }.Concat(refusedSizes).ToArray());
                    Assert.Contains(model.AcceptedSizeRule, Assert.Throws<InputShapeException>(() => module.call(bad)).Message);
                }
                if (sizes == null)
                    continue;
                // Random slopes and gates away from their initial values, so that a wrong formula cannot match by chance.
                using (no_grad())
                    foreach (var parameter in module.parameters())
                        parameter.copy_(randn(parameter.shape) * 0.5);
                using var input = randn(new[] { 2L, model.InputShape[0].Constant!.Value }.Concat(sizes).ToArray());
                using var result = module.call(input);
                var tensors = new List<(string, Tensor)> { ("input", input), ("output", result) };
                tensors.AddRange(StateDict.Ordered(module).Select((e, k) => ($"w{k:D4}", e.Tensor)));
                SafeTensors.Write(Path.Combine(folder, $"n{i}.safetensors"), tensors);
                runs.Add((i, sizes));
            }
            var differences = PyTorchOracle.RunWithWeights(compiled.Models, runs.Select(r => r.Index).ToList(), folder);
            foreach (var (index, sizes) in runs)
                Assert.True(differences[index] < 1e-4, $"N{index} at {string.Join("x", sizes)}: PyTorch's output differs by {differences[index]}\n{models[index].Text}");
            output.WriteLine($"{runs.Count} models compared with PyTorch");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
