using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Symbolic;
using Xunit;
using Xunit.Abstractions;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// Random models over an input of 3xHxW with expressions, blocks with an <c>if</c> on their parameters, repeats, ceil-mode
/// pools and branches that must agree in size: the accepted-size rule the compiler derives is exact (true where PyTorch
/// runs, over a whole grid of sizes), and the output shape formula gives PyTorch's shape wherever it runs.
/// </summary>
public class SymbolicPropertyTests(ITestOutputHelper output)
{
    const int Grid = 16;

    public const string Blocks = """
        # A residual block with torchvision's conditional downsample.
        block Rb(c, s=1)
          a: conv2d c, 3, stride=s, padding=1
          if s != 1 or in_channels != c
            d: conv2d c, 1, stride=s, from=input
            add a, d
          else
            add a, input
          end
          relu
        # An expansion by an expression of the channels it is given.
        block Expand(t=2)
          conv2d in_channels * t, 1
          conv2d in_channels * t, 3, padding=same, groups=in_channels * t

        """;

    public sealed record SymbolicModel(string Text, HashSet<string> Cases);

    static SymbolicModel Build(Random random, int index)
    {
        long c = random.Next(1, 4);
        var text = new StringBuilder($"model S{index}\n  input {c}xHxW\n");
        var cases = new HashSet<string>();
        int layers = random.Next(3, 7);
        for (int i = 0; i < layers; i++)
        {
            switch (random.Next(8))
            {
                case 0:
                {
                    int k = random.Next(1, 5), s = random.Next(1, 3);
                    var padding = random.Next(3) switch { 0 => "same", 1 => "valid", _ => random.Next(2).ToString() };
                    long f = random.Next(1, 5);
                    text.Append($"  conv2d {f}, {k}, stride={s}, padding={padding}, dilation={(random.Next(4) == 0 ? 2 : 1)}\n");
                    c = f;
                    break;
                }
                case 1:
                case 7:
                {
                    int k = random.Next(1, 4), s = random.Next(1, 4);
                    bool ceil = random.Next(3) > 0;
                    text.Append($"  {(random.Next(2) == 0 ? "maxpool2d" : "avgpool2d")} {k}, stride={s}, padding={random.Next(k / 2 + 1)}, ceil_mode={(ceil ? "true" : "false")}\n");
                    if (ceil)
                        cases.Add("ceil mode");
                    break;
                }
                case 2:
                case 6:
                {
                    long f = random.Next(1, 5);
                    text.Append($"  Rb {f}, s={random.Next(1, 3)}\n");
                    c = f;
                    cases.Add("conditional block");
                    break;
                }
                case 3:
                {
                    int n = random.Next(1, 4);
                    text.Append($"  repeat {n} as i\n    rep{i}.{{i}}: conv2d {c} + i, 3, padding=same\n  end\n");
                    c += n - 1;
                    cases.Add("repeat");
                    cases.Add("expression");
                    break;
                }
                case 4:
                    text.Append("  Expand t=2\n");
                    c *= 2;
                    cases.Add("expression");
                    break;
                default:
                {
                    // Branches that agree only for some sizes: H // 2 against (H + 1) // 2 needs an even size there.
                    text.Append($"  s{i}: relu\n  a{i}: maxpool2d 2, from=s{i}\n  b{i}: conv2d 2, 3, stride=2, padding=1, from=s{i}\n  concat a{i}, b{i}\n");
                    c += 2;
                    cases.Add("divisibility");
                    break;
                }
            }
        }
        if (random.Next(2) == 0)
        {
            text.Append("  global_avgpool2d\n  dense 3\n");
            cases.Add("head");
        }
        return new SymbolicModel(text.ToString(), cases);
    }

    public static List<SymbolicModel> Models(int count)
    {
        var random = new Random(20261127);
        return Enumerable.Range(0, count).Select(i => Build(random, i)).ToList();
    }

    static long[] Evaluate(TensorShape shape, long h, long w) =>
        shape.Dimensions.Select(d => d.Evaluate(new Dictionary<string, long> { ["H"] = h, ["W"] = w })).ToArray();

    internal static bool Accepts(BoundModel model, long h, long w)
    {
        try
        {
            return model.AcceptedSizes.All(c => c.Condition.Evaluate(new Dictionary<string, long> { ["H"] = h, ["W"] = w }) != 0);
        }
        catch (SizeOverflowException)
        {
            return false;
        }
    }

    [Fact]
    public void The_rule_for_variable_sizes_agrees_with_binding_each_fixed_size()
    {
        var models = Models(40);
        var compiled = CnnCompilation.Compile(Blocks + string.Concat(models.Select(m => m.Text)), "symbolic.cnn");
        Assert.True(compiled.Diagnostics.Count == 0, string.Join("\n", compiled.Diagnostics.Take(5)));
        int cases = 0;
        for (int i = 0; i < models.Count; i++)
        {
            var model = compiled.Models[i];
            for (int h = 1; h <= 12; h++)
            {
                for (int w = 1; w <= 12; w += 5)
                {
                    var fixedText = Blocks + models[i].Text.Replace("xHxW", $"x{h}x{w}");
                    var fixedModel = CnnCompilation.Compile(fixedText, "fixed.cnn");
                    bool accepted = Accepts(model, h, w);
                    Assert.True(accepted == (fixedModel.Diagnostics.Count == 0),
                        $"S{i} at {h}x{w}: rule {model.AcceptedSizeRule} says {accepted}, the fixed binding says {string.Join("; ", fixedModel.Diagnostics)}\n{models[i].Text}");
                    if (accepted)
                        Assert.Equal(fixedModel.Models[0].OutputShape.Sizes, Evaluate(model.OutputShape, h, w));
                    cases++;
                }
            }
        }
        output.WriteLine($"{cases} cases");
    }

    [PyTorchFact]
    public void Accepted_sizes_are_exactly_where_pytorch_runs_and_shapes_equal_pytorchs()
    {
        var models = Models(60);
        var text = Blocks + string.Concat(models.Select(m => m.Text));
        var compiled = CnnCompilation.Compile(text, "symbolic.cnn");
        Assert.True(compiled.Diagnostics.Count == 0, string.Join("\n", compiled.Diagnostics.Take(5)));
        var counts = models.SelectMany(m => m.Cases).GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine(string.Join(", ", counts.Select(kv => $"{kv.Key}: {kv.Value}")));
        foreach (var required in new[] { "conditional block", "repeat", "expression", "divisibility", "ceil mode" })
            Assert.True(counts.GetValueOrDefault(required) >= 20, $"Only {counts.GetValueOrDefault(required)} models with {required}");

        // The generated Accepts(H, W) is what forward checks; PyTorch says where the same network runs.
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(text));
        var grids = PyTorchOracle.RunGrid(compiled.Models, Grid, Grid);
        int cases = 0, accepted = 0;
        for (int i = 0; i < models.Count; i++)
        {
            var model = compiled.Models[i];
            var accepts = assembly.GetType("Models.S" + i, throwOnError: true)!.GetMethod("Accepts", BindingFlags.Public | BindingFlags.Static)!;
            for (int h = 1; h <= Grid; h++)
            {
                for (int w = 1; w <= Grid; w++)
                {
                    var pytorch = grids[i][h - 1, w - 1];
                    bool generated = (bool)accepts.Invoke(null, new object[] { (long)h, (long)w })!;
                    Assert.True(generated == (pytorch != null),
                        $"S{i} at {h}x{w}: Accepts says {generated}, PyTorch {(pytorch == null ? "fails" : "runs")}; rule: {model.AcceptedSizeRule}\n{models[i].Text}");
                    if (pytorch != null)
                    {
                        Assert.True(Evaluate(model.OutputShape, h, w).SequenceEqual(pytorch),
                            $"S{i} at {h}x{w}: output {model.OutputShape} is {string.Join("x", Evaluate(model.OutputShape, h, w))}, PyTorch {string.Join("x", pytorch)}\n{models[i].Text}");
                        accepted++;
                    }
                    cases++;
                }
            }
        }
        output.WriteLine($"{cases} sizes checked, {accepted} accepted");
        Assert.True(accepted > 500 && cases - accepted > 500, $"{accepted} accepted and {cases - accepted} refused sizes: the grid should exercise both");
    }

    [Fact]
    public void Generated_forward_runs_the_sizes_the_rule_accepts_and_refuses_the_others_with_the_rule()
    {
        var models = Models(12);
        var text = Blocks + string.Concat(models.Select(m => m.Text));
        var compiled = CnnCompilation.Compile(text, "symbolic.cnn");
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(text));
        TorchSharp.torch.manual_seed(1);
        for (int i = 0; i < models.Count; i++)
        {
            var model = compiled.Models[i];
            using var module = LoadedModels.Create(assembly, "Models.S" + i);
            module.eval();
            var sizes = Enumerable.Range(1, 14).SelectMany(h => new[] { (h, 7), (h, 10) }).ToList();
            foreach (var (h, w) in sizes)
            {
                using var input = TorchSharp.torch.rand(2, model.InputShape[0].Constant!.Value, h, w);
                if (Accepts(model, h, w))
                {
                    using var result = module.call(input);
                    Assert.Equal(Evaluate(model.OutputShape, h, w), result.shape.Skip(1).ToArray());
                }
                else
                {
                    var error = Assert.Throws<InputShapeException>(() => module.call(input));
                    Assert.Contains(model.AcceptedSizeRule, error.Message);
                }
            }
        }
    }

    [PyTorchFact]
    public void ResNet18_with_variable_sizes_runs_from_1x1_as_pytorch_does()
    {
        var compiled = CnnCompilation.Compile("model R = resnet18 classes=10\n  input 3xHxW\n", "r.cnn");
        var model = Assert.Single(compiled.Models);
        Assert.Equal(new long[] { 1, 1 }, model.MinimumSizes.ToArray());
        // torchvision's last feature map is ceil(H / 32), which the compiler writes as a reader would.
        Assert.Contains("(None, 512, (H + 31) // 32, (W + 31) // 32)", model.FormatSummary());
        var grid = PyTorchOracle.RunGrid(compiled.Models, 40, 3)[0];
        for (int h = 1; h <= 40; h++)
            for (int w = 1; w <= 3; w++)
                Assert.True((grid[h - 1, w - 1] != null) == Accepts(model, h, w), $"{h}x{w}");
    }
}
