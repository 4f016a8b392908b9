using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Text;

namespace CnnDsl.Fuzz;

/// <summary>One input of a campaign: a .cnn file or a C# file with <c>[CnnModel]</c> classes.</summary>
/// <param name="UserBlockClasses">For new-syntax inputs: how many classes the project's own blocks must become when the
/// input has no error (one per block and input rank it is used at).</param>
public sealed record FuzzInput(long Index, string Category, bool IsCnn, string Text, Expectation? Expected, string? ModelName, int? UserBlockClasses = null)
{
    public string Path => IsCnn ? "/fuzz/input" + Index + ".cnn" : "/fuzz/Input" + Index + ".cs";
}

/// <summary>
/// Makes random inputs from a seed: structured models with a known answer, mutations of real models (the zoo, the
/// examples), and hostile extremes (numbers near 2^31, 2^62, 2^63, deep nesting, long dotted labels, names that are C#
/// keywords or generated members, unicode, CRLF, a byte order mark, truncation). The same seed gives the same inputs.
/// </summary>
public sealed class InputGenerator
{
    readonly Random random;
    readonly string[] seeds;

    public InputGenerator(int seed, IEnumerable<string> seedTexts)
    {
        random = new Random(seed);
        seeds = seedTexts.ToArray();
    }

    static readonly BigInteger[] Extremes =
    {
        int.MaxValue, (BigInteger)int.MaxValue + 1, uint.MaxValue, 3037000500, (BigInteger)1 << 40, (BigInteger)1 << 53,
        (BigInteger)1 << 62, long.MaxValue, (BigInteger)long.MaxValue + 1, ulong.MaxValue, 0, -1,
    };

    static readonly string[] OddNames =
    {
        "var", "record", "class", "ModelInfo", "forward", "summary", "Summary", "__", "_", "nameof", "value", "dynamic", "async", "await",
        "@class", "input", "x", "scope", "Info", "ParameterCount", "@var", "Ω", "modèle", "ℌ", "a\u0301", "_1", "__x", "Net", "Blk", "true", "global",
        "System", "TorchSharp", "Module", "Tensor", "torch", "base", "this", "default", "object", "string", "int", "where", "yield", "partial", "file",
    };

    static readonly string[] Fragments =
    {
        "model", "input", "namespace", "block", "group", "end", "conv2d", "conv1d", "maxpool2d", "avgpool2d", "dense", "flatten", "dropout",
        "batchnorm1d", "batchnorm2d", "zeropad2d", "relu", "softmax", "add", "concat", "from=", "kernel=", "stride=", "padding=", "same",
        "valid", "(", ")", ",", "=", ":", ".", "-", "1x28x28", "0", "1e9", "99999999999999999999", "\n", "\r\n", "\r", " ", "\t", "#", "//",
        "x", "0.5", "true", "\u2028", "\0", "é", "\"", "features.0:", "((1, 2), (3, 4))", "9223372036854775807", "2147483647", "4611686018427387904",
        "3037000500", "resnet18 classes=10", "lenet5", "input", "1e-300", "1e308", "-0", "0x10", "\uFEFF", "\uD800",
    };

    public FuzzInput NextCnn(long index)
    {
        int roll = random.Next(100);
        if (roll < 20)
            return NewSyntax(index);
        if (roll < 45)
        {
            var spec = RandomSpec("Model" + index, extreme: random.Next(8) == 0);
            var ns = random.Next(4) == 0 ? null : "Fuzz" + index;
            return new FuzzInput(index, "structured", true, spec.ToCnn(ns), spec.Expect(), spec.Name);
        }
        if (roll < 78)
            return new FuzzInput(index, "mutated", true, Mutate(Seed(index)), null, null);
        if (roll < 90)
            return new FuzzInput(index, "extreme", true, Extreme(index), null, null);
        return new FuzzInput(index, "assembled", true, Assemble(), null, null);
    }

    public FuzzInput NextAttributes(long index)
    {
        int roll = random.Next(100);
        var ns = "Fuzz" + index;
        if (roll < 45)
        {
            var spec = RandomSpec("Model" + index, extreme: random.Next(6) == 0);
            var text = spec.ToAttributes(ns);
            if (text != null)
                return new FuzzInput(index, "structured", false, "#nullable enable\n" + text, spec.Expect(), spec.Name);
        }
        return new FuzzInput(index, roll < 80 ? "attribute-mutated" : "attribute-names", false, HostileAttributes(ns, index, roll >= 80), null, null);
    }

    string Seed(long index)
    {
        var seed = seeds[random.Next(seeds.Length)];
        return seed.Replace("\nmodel ", "\nmodel M" + index + "_");
    }

    ModelSpec RandomSpec(string name, bool extreme)
    {
        BigInteger Small(int max) => random.Next(1, max + 1);
        BigInteger Size(int max) => extreme && random.Next(3) == 0 ? Extremes[random.Next(Extremes.Length - 2)] : Small(max);
        var input = random.Next(10) switch
        {
            < 6 => new[] { Size(4), Size(40), Size(40) },
            < 8 => new[] { Size(4), Size(64) },
            _ => new[] { Size(300) },
        };
        var layers = new List<LayerSpec>();
        var rank = input.Length;
        var channels = input[0];
        for (int count = random.Next(0, 9); count > 0; count--)
        {
            int pick = random.Next(100);
            string suffix = rank == 3 ? "2d" : "1d";
            if (rank >= 2 && pick < 30)
            {
                var kernel = random.Next(4) == 0 ? Size(7) : Small(3);
                bool same = random.Next(3) == 0;
                var groups = random.Next(6) == 0 ? channels : BigInteger.One;
                var filters = groups == 1 ? Size(32) : groups * Small(2);
                layers.Add(new LayerSpec("conv" + suffix, new[] { filters, kernel, Small(random.Next(3) == 0 ? 3 : 1), same ? 0 : random.Next(3), Small(random.Next(5) == 0 ? 2 : 1) },
                    same, random.Next(4) != 0, Groups: groups));
                channels = filters;
            }
            else if (rank >= 2 && pick < 45)
            {
                var kernel = Small(3);
                layers.Add(new LayerSpec((random.Next(2) == 0 ? "maxpool" : "avgpool") + suffix, new[] { kernel, random.Next(3) == 0 ? Small(3) : kernel, random.Next((int)(kernel / 2) + 1) },
                    CeilMode: random.Next(5) == 0));
            }
            else if (rank >= 2 && pick < 52)
                layers.Add(new LayerSpec("zeropad" + suffix, new[] { extreme && random.Next(3) == 0 ? Extremes[random.Next(Extremes.Length - 2)] : random.Next(0, 3) }));
            else if (pick < 62 && rank <= 3)
                layers.Add(new LayerSpec(rank == 3 ? "batchnorm2d" : "batchnorm1d", Array.Empty<BigInteger>()));
            else if (rank >= 2 && pick < 72)
            {
                layers.Add(new LayerSpec("flatten", Array.Empty<BigInteger>()));
                rank = 1;
            }
            else if (rank == 1 && pick < 85)
            {
                var units = Size(100);
                layers.Add(new LayerSpec("dense", new[] { units }, Bias: random.Next(5) != 0));
                channels = units;
            }
            else
                layers.Add(new LayerSpec(random.Next(2) == 0 ? "relu" : "dropout", Array.Empty<BigInteger>()));
        }
        if (layers.Count == 0)
            layers.Add(new LayerSpec("relu", Array.Empty<BigInteger>()));
        return new ModelSpec(name, input, layers);
    }

    string Mutate(string seed)
    {
        var text = new StringBuilder(seed);
        for (int edits = random.Next(1, 6); edits > 0; edits--)
        {
            int position = random.Next(text.Length + 1);
            int at = Math.Min(position, Math.Max(0, text.Length - 1));
            switch (random.Next(12))
            {
                case 0 when text.Length > 0:
                    text.Remove(at, Math.Min(random.Next(1, 8), text.Length - at));
                    break;
                case 1:
                    text.Insert(position, Fragments[random.Next(Fragments.Length)]);
                    break;
                case 2:
                    text.Insert(position, (char)random.Next(0, 128));
                    break;
                case 3:
                    ReplaceNumber(text, Extremes[random.Next(Extremes.Length)].ToString());
                    break;
                case 4:
                    ReplaceWord(text, OddNames[random.Next(OddNames.Length)]);
                    break;
                case 5:
                    text.Length = Math.Min(text.Length, position);
                    break;
                case 6:
                    text.Replace("\n", "\r\n");
                    break;
                case 7:
                    text.Insert(0, '\uFEFF');
                    break;
                case 8:
                    DuplicateLine(text);
                    break;
                case 9:
                    ReplaceNumber(text, Parenthesised(random.Next(1, 60)));
                    break;
                case 10:
                    InsertLine(text, "  " + DottedLabel(random.Next(2, 12)) + ": relu");
                    break;
                default:
                    if (text.Length > 1)
                    {
                        int other = random.Next(text.Length);
                        (text[at], text[other]) = (text[other], text[at]);
                    }
                    break;
            }
        }
        return text.ToString();
    }

    static readonly string[] RankSuffixes = { "1d", "2d", "3d", "Flat" };
    static readonly string[] BlockBaseNames = { "b", "B", "blk", "res_block", "Pair", "my_block", "unit" };
    static readonly string[] DefaultLayerNames = { "dense", "re_lu", "flatten", "sigmoid", "activation", "dropout", "M" };

    /// <summary>
    /// The newer syntax together: project blocks (named so that their classes for other ranks collide: B and B1d,
    /// res_block and ResBlock2d), parameters with and without defaults in any order, arguments of every kind, <c>if</c>
    /// on parameters and on <c>in_channels</c>, <c>repeat</c> with computed labels, expressions, size variables, uses at
    /// ranks 1 to 3, labels and model names equal to generated class and layer names, a mistake inside a long repeat,
    /// and counts whose size in bytes does not fit 64 bits. Knows how many block classes a valid input must give.
    /// </summary>
    FuzzInput NewSyntax(long index)
    {
        var text = new StringBuilder();
        var baseName = BlockBaseNames[random.Next(BlockBaseNames.Length)];
        var pascal = string.Concat(baseName.Split('_').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p.Substring(1)));
        var blocks = new List<(string Name, string[] Parameters, bool[] Defaults)>();
        int blockCount = random.Next(1, 4);
        for (int b = 0; b < blockCount; b++)
        {
            var name = b == 0 ? baseName : random.Next(3) switch
            {
                0 => baseName + RankSuffixes[random.Next(RankSuffixes.Length)],
                1 => pascal + RankSuffixes[random.Next(RankSuffixes.Length)],
                _ => baseName + "_" + b,
            };
            if (blocks.Any(x => x.Name == name))
                continue;
            var parameters = new[] { "p", "q", "c" }.Take(random.Next(0, 4)).ToArray();
            // Mostly defaults last, as C# and Python require; sometimes not.
            var defaults = parameters.Select((_, i) => random.Next(4) == 0 ? random.Next(2) == 0 : i >= parameters.Length / 2).ToArray();
            blocks.Add((name, parameters, defaults));
            text.Append("block ").Append(name).Append('(')
                .Append(string.Join(", ", parameters.Select((p, i) => defaults[i] ? p + "=" + BlockDefault() : p))).Append(")\n");
            foreach (var line in BlockBody(name, parameters))
                text.Append("  ").Append(line).Append('\n');
        }
        var uses = new HashSet<(string, int)>();
        int models = random.Next(1, 3);
        for (int m = 0; m < models; m++)
        {
            var modelName = random.Next(6) == 0 ? DefaultLayerNames[random.Next(DefaultLayerNames.Length)]
                : random.Next(8) == 0 ? pascal + RankSuffixes[random.Next(RankSuffixes.Length)] : "M" + index + "_" + m;
            int rank = random.Next(1, 4);
            bool symbolic = rank > 1 && random.Next(3) == 0;
            var input = rank switch
            {
                1 => random.Next(1, 12).ToString(),
                2 => random.Next(1, 5) + "x" + (symbolic ? "L" : random.Next(4, 12).ToString()),
                _ => random.Next(1, 5) + "x" + (symbolic ? "HxW" : random.Next(4, 12) + "x" + random.Next(4, 12)),
            };
            text.Append("model ").Append(modelName).Append("\n  input ").Append(input).Append('\n');
            for (int u = random.Next(1, 3); u > 0; u--)
            {
                var block = blocks[random.Next(blocks.Count)];
                text.Append("  ").Append(BlockUse(block.Name, block.Parameters)).Append('\n');
                uses.Add((block.Name, rank));
            }
            if (rank > 1 && random.Next(3) == 0)
            {
                text.Append("  flatten\n");
                var block = blocks[random.Next(blocks.Count)];
                text.Append("  ").Append(BlockUse(block.Name, block.Parameters)).Append('\n');
                uses.Add((block.Name, 1));
            }
            switch (random.Next(8))
            {
                case 0:
                    text.Append("  repeat ").Append(random.Next(0, 6)).Append(" as i\n    r{i + 1}: relu\n  end\n");
                    break;
                case 1:
                    // One mistake in a long repeat: one diagnostic, and quickly.
                    text.Append("  repeat ").Append(random.Next(2, 10_001)).Append(" as i\n    ")
                        .Append(random.Next(2) == 0 ? "frobnicate 3" : "l{i}: relu from=zz").Append("\n  end\n");
                    break;
                case 2:
                    // A count that fits 64 bits whose size in bytes does not, or just does.
                    text.Append("  flatten\n  dense ").Append(Extremes[random.Next(Extremes.Length - 2)] / (random.Next(2) == 0 ? 1 : 4 * 13)).Append('\n');
                    break;
            }
        }
        return new FuzzInput(index, "new-syntax", true, text.ToString(), null, null, uses.Count);
    }

    string BlockDefault() => random.Next(5) switch
    {
        0 => "1.5",
        1 => "relu",
        2 => "true",
        _ => random.Next(1, 9).ToString(),
    };

    IEnumerable<string> BlockBody(string name, string[] parameters)
    {
        var pascal = string.Concat(name.Split('_').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p.Substring(1)));
        for (int lines = random.Next(1, 4); lines > 0; lines--)
        {
            switch (random.Next(9))
            {
                case 0:
                    yield return "if in_channels > " + random.Next(1, 6);
                    yield return "  relu";
                    yield return "else";
                    yield return "  sigmoid";
                    yield return "end";
                    break;
                case 1 when parameters.Length > 0:
                    yield return "if " + parameters[random.Next(parameters.Length)] + " > 2";
                    yield return "  tanh";
                    yield return "end";
                    break;
                case 2:
                    yield return "repeat " + (parameters.Length > 0 && random.Next(2) == 0 ? parameters[0] : random.Next(0, 4).ToString()) + " as i";
                    yield return "  s{i * 2}: relu";
                    yield return "end";
                    break;
                case 3:
                    yield return pascal + ": relu";
                    break;
                case 4 when parameters.Length > 0:
                    yield return "dropout " + parameters[random.Next(parameters.Length)] + " / 10";
                    break;
                case 5:
                    yield return "sigmoid";
                    break;
                default:
                    yield return "relu";
                    break;
            }
        }
    }

    string BlockUse(string block, string[] parameters)
    {
        var label = random.Next(4) == 0 ? "u" + random.Next(100) + ": " : "";
        var arguments = parameters.Where(_ => random.Next(3) != 0).Select(p => p + "=" + random.Next(6) switch
        {
            0 => "1.5",
            1 => "relu",
            2 => "true",
            3 => "(1, 2)",
            _ => random.Next(1, 9).ToString(),
        });
        return label + block + (random.Next(2) == 0 ? "(" + string.Join(", ", arguments) + ")" : " " + string.Join(", ", arguments)).TrimEnd();
    }

    string Extreme(long index)
    {
        string model = "M" + index;
        switch (random.Next(14))
        {
            case 0:
                return $"model {model}\n  input {Extremes[random.Next(Extremes.Length)]}x{Extremes[random.Next(Extremes.Length)]}\n  batchnorm1d\n";
            case 1:
                return $"model {model}\n  input 2x{Extremes[random.Next(Extremes.Length)]}x{Extremes[random.Next(Extremes.Length)]}\n  flatten\n  dense 10\n";
            case 2:
                return $"model {model}\n  input 3x16x16\n  conv2d 8, {Extremes[random.Next(Extremes.Length)]}, padding=same\n";
            case 3:
                return $"model {model}\n  input 1x28x28\n  zeropad2d {Extremes[random.Next(Extremes.Length)]}\n";
            case 4:
                return $"model {model}\n  input {Extremes[random.Next(Extremes.Length)]}x1\n  a: relu\n  concat a, a, a\n";
            case 5:
                return $"model {model}\n  input 1x8x8\n  conv2d 4, kernel={Parenthesised(random.Next(1, 200))}\n";
            case 6:
                return $"model {model}\n  input 1x8x8\n  {DottedLabel(random.Next(2, 9))}: relu\n";
            case 7:
            {
                var text = new StringBuilder($"model {model}\n  input 1x8x8\n");
                int depth = random.Next(1, 7);
                for (int i = 0; i < depth; i++)
                    text.Append(' ', 2 + 2 * i).Append("group g").Append(i).Append('\n');
                text.Append(' ', 2 + 2 * depth).Append("relu\n");
                for (int i = depth - 1; i >= 0; i--)
                    text.Append(' ', 2 + 2 * i).Append("end\n");
                return text.ToString();
            }
            case 8:
            {
                int chain = random.Next(2, 9);
                // Reading the block's own input the second time binds both uses, which is what multiplies diagnostics.
                var second = random.Next(2) == 0 ? ", from=input" : "";
                var last = random.Next(3) == 0 ? "  conv2d c, kernal=1\n" : "";
                var text = new StringBuilder();
                for (int i = 0; i < chain; i++)
                    text.Append($"block B{i}(c)\n  conv2d c, 1\n" + (i + 1 < chain ? $"  B{i + 1} c\n  B{i + 1} c{second}\n" : last));
                text.Append($"model {model}\n  input 1x4x4\n  B0 {(random.Next(4) == 0 ? "0" : "2")}\n");
                return text.ToString();
            }
            case 9:
            {
                var name = OddNames[random.Next(OddNames.Length)];
                return random.Next(3) switch
                {
                    0 => $"model {name}\n  input 1x4x4\n  flatten\n",
                    1 => $"namespace {NamespaceName()}\nmodel {model}\n  input 1x4x4\n  flatten\n",
                    _ => $"block {name}(c)\n  conv2d c, 1\nmodel {model}\n  input 1x4x4\n  {(random.Next(2) == 0 ? name + ": " : "")}{name} 2\n",
                };
            }
            case 10:
            {
                var a = OddNames[random.Next(OddNames.Length)];
                var b = random.Next(2) == 0 ? CollidingSpellings.Snake(a) : CollidingSpellings.Camel(a);
                return $"block {a}(c)\n  conv2d c, 1\nblock {b}(c)\n  conv2d c, 3, padding=1\nmodel {model}\n  input 1x4x4\n  {a} 2\n  {b} 2\n";
            }
            case 11:
                return $"block Blk(c)\n  conv2d c, 1\nmodel {model}\n  input 1x4x4\n  Blk: Blk 2\n  {OddNames[random.Next(OddNames.Length)]}: Blk 2\n";
            case 12:
                return $"block Blk({OddNames[random.Next(OddNames.Length)]}, conv)\n  conv: conv2d 2, 1\n  relu\nmodel {model}\n  input 1x4x4\n  Blk 2, 3\n";
            default:
            {
                var seed = Seed(index);
                return seed.Substring(0, random.Next(seed.Length + 1));
            }
        }
    }

    string NamespaceName() => random.Next(4) switch
    {
        0 => "A." + OddNames[random.Next(OddNames.Length)],
        1 => OddNames[random.Next(OddNames.Length)],
        2 => "A..B",
        _ => OddNames[random.Next(OddNames.Length)] + ".B",
    };

    string HostileAttributes(string ns, long index, bool names)
    {
        var className = names ? OddNames[random.Next(OddNames.Length)] : "M" + index;
        if (!className.StartsWith("@") && IsCSharpKeyword(className))
            className = "@" + className;
        var nsName = names && random.Next(2) == 0 ? ns + "." + (random.Next(2) == 0 ? "@class" : "@" + OddNames[random.Next(OddNames.Length)].TrimStart('@')) : ns;
        var attributes = new List<string>();
        string[] bases = { "resnet18 classes=10", "lenet5", "", "resnet18 classes=((1", "vgg11 classes=1e999", "lenet5 classes=10\\nrelu", "nosuch", "resnet18 classes=-1", "lenet5 classes=9223372036854775807", "lenet5 classes=(1, 2)" };
        string[] shapes = { "", "x", "1x", "-1x2", "1e3", "0x4", "4611686018427387904x4611686018427387904", "1x28x28x", "\\u0661x2", " 1 x 2 ", "1x2x3x4x5x6" };
        attributes.Add(random.Next(6) switch
        {
            0 => $"CnnModel(Input = \"{(random.Next(3) == 0 ? "1x28x28" : "3x32x32")}\", Base = \"{bases[random.Next(bases.Length)]}\")",
            1 => $"CnnModel(Input = \"{Extremes[random.Next(Extremes.Length)]}x{random.Next(1, 5)}\")",
            2 => $"CnnModel(Input = \"{shapes[random.Next(shapes.Length)]}\")",
            _ => $"CnnModel(Input = \"{random.Next(1, 4)}x{random.Next(4, 30)}x{random.Next(4, 30)}\")",
        });
        string[] doubles = { "double.NaN", "double.PositiveInfinity", "double.NegativeInfinity", "double.Epsilon", "1e308", "-0.0", "0.5", "float.NaN" };
        string[] ints = { "int.MaxValue", "int.MinValue", "0", "-1", "3", "1", "2147483647", "new[] { 1, 2 }", "new long[] { 9223372036854775807, 1 }", "4611686018427387904L", "9223372036854775807L" };
        for (int l = random.Next(0, 7); l > 0; l--)
        {
            var label = random.Next(4) == 0 ? $", Name = \"{(random.Next(2) == 0 ? OddNames[random.Next(OddNames.Length)] : DottedLabel(random.Next(1, 6)))}\"" : "";
            attributes.Add(random.Next(9) switch
            {
                0 => $"Conv2d({random.Next(1, 9)}, {ints[random.Next(ints.Length)]}, Padding = Padding.Same{label})",
                1 => $"Conv2d({random.Next(1, 9)}, Kernel = {ints[random.Next(ints.Length)]}, Stride = {ints[random.Next(ints.Length)]}{label})",
                2 => $"Dropout({doubles[random.Next(doubles.Length)]}{label})",
                3 => $"BatchNorm2d(Eps = {doubles[random.Next(doubles.Length)]}, Momentum = {doubles[random.Next(doubles.Length)]}{label})",
                4 => $"LeakyReLU({doubles[random.Next(doubles.Length)]}{label})",
                5 => $"ELU(Alpha = {doubles[random.Next(doubles.Length)]}{label})",
                6 => $"Flatten({label.TrimStart(',', ' ')})",
                7 => $"Dense({ints[random.Next(3, 7)]}{label})",
                _ => $"ZeroPad2d({ints[random.Next(ints.Length)]}{label})",
            });
        }
        var text = new StringBuilder("#nullable enable\nusing CnnDsl;\n");
        text.Append("namespace ").Append(nsName).Append("\n{\n");
        foreach (var attribute in attributes)
            text.Append("    [").Append(attribute).Append("]\n");
        text.Append("    public partial class ").Append(className).Append(";\n}\n");
        return text.ToString();
    }

    static readonly HashSet<string> CSharpKeywords = new()
    {
        "class", "true", "base", "this", "default", "object", "string", "int", "global",
    };

    static bool IsCSharpKeyword(string name) => CSharpKeywords.Contains(name);

    string Assemble()
    {
        var text = new StringBuilder();
        for (int i = random.Next(1, 40); i > 0; i--)
        {
            text.Append(Fragments[random.Next(Fragments.Length)]);
            if (random.Next(3) == 0)
                text.Append(' ');
        }
        return text.ToString();
    }

    string Parenthesised(int depth) => new string('(', depth) + random.Next(1, 4) + new string(')', depth);

    string DottedLabel(int parts) => string.Join(".", Enumerable.Range(0, parts).Select(i => random.Next(3) == 0 ? i.ToString() : "p" + i));

    void ReplaceNumber(StringBuilder text, string replacement)
    {
        var value = text.ToString();
        var starts = Enumerable.Range(0, value.Length).Where(i => char.IsDigit(value[i]) && (i == 0 || !char.IsLetterOrDigit(value[i - 1]))).ToList();
        if (starts.Count == 0)
            return;
        int start = starts[random.Next(starts.Count)], end = start;
        while (end < value.Length && char.IsDigit(value[end]))
            end++;
        text.Remove(start, end - start).Insert(start, replacement);
    }

    void ReplaceWord(StringBuilder text, string replacement)
    {
        var value = text.ToString();
        var starts = Enumerable.Range(0, value.Length).Where(i => char.IsLetter(value[i]) && (i == 0 || !char.IsLetterOrDigit(value[i - 1]) && value[i - 1] != '_')).ToList();
        if (starts.Count == 0)
            return;
        int start = starts[random.Next(starts.Count)], end = start;
        while (end < value.Length && (char.IsLetterOrDigit(value[end]) || value[end] == '_'))
            end++;
        text.Remove(start, end - start).Insert(start, replacement);
    }

    void DuplicateLine(StringBuilder text)
    {
        var lines = text.ToString().Split('\n').ToList();
        int i = random.Next(lines.Count);
        lines.Insert(random.Next(lines.Count + 1), lines[i]);
        text.Clear().Append(string.Join("\n", lines));
    }

    void InsertLine(StringBuilder text, string line)
    {
        var lines = text.ToString().Split('\n').ToList();
        lines.Insert(random.Next(1, lines.Count + 1), line);
        text.Clear().Append(string.Join("\n", lines));
    }

    /// <summary>Real models to mutate: the zoo, the examples and the test models, each with a model that uses it.</summary>
    public static IReadOnlyList<string> LoadSeeds(string repoRoot)
    {
        var texts = new List<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(repoRoot, "src", "Dsl", "Zoo"), "*.cnn"))
        {
            var zoo = File.ReadAllText(file);
            var first = zoo.Split('\n').First(l => l.StartsWith("block ")).Substring(6).Split('(')[0];
            texts.Add(zoo + "\nmodel Z\n  input 3x64x64\n  " + first + " classes=10\n");
        }
        foreach (var folder in new[] { "examples", "tests", "benchmarks" })
            foreach (var file in Directory.GetFiles(Path.Combine(repoRoot, folder), "*.cnn", SearchOption.AllDirectories))
                if (!file.Contains("/bin/") && !file.Contains("/obj/"))
                    texts.Add(File.ReadAllText(file));
        texts.Add("namespace A.B\nmodel Net\n  input 3x32x32\n  c1: conv2d 16, kernel=(3, 5), stride=2, padding=((1, 2), (0, 1)), dilation=1, activation=relu\n  maxpool2d 3, 2, padding=same, ceil_mode=true\n  batchnorm2d eps=1e-3\n  flatten\n  dense 10, bias=false\n  softmax\n");
        texts.Add("block BasicBlock(channels, stride=1)\n  conv1: conv2d channels, 3, stride=stride, padding=1, bias=false\n  bn1: batchnorm2d\n  relu: relu\n  conv2: conv2d channels, 3, padding=1, bias=false\n  bn2: batchnorm2d\n  add bn2, input\n  relu\n\nmodel Net\n  input 3x32x32\n  stem: conv2d 64, 3, padding=1\n  layer1.0: BasicBlock 64\n  layer1.1: BasicBlock 64\n  global_avgpool2d\n  fc: dense 10\n");
        texts.Add("model Inc\n  input 3x16x16\n  group features\n    conv2d 8, 3, padding=1\n    relu\n  end\n  a: conv2d 4, 1, from=features.1\n  b: conv2d 4, 3, padding=1, from=features.1\n  concat a, b\n  global_maxpool2d\n  flatten\n  dense 10, activation=softmax\n");
        texts.Add("\uFEFFmodel M\r\n  input 1x8x8\r\n  avgpool2d 2 # comment\r\n  flatten // another\r\n  dropout 0.5\r\n");
        return texts;
    }
}

/// <summary>Spellings of one name that collide after PascalCase.</summary>
static class CollidingSpellings
{
    public static string Snake(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString())) + "_";

    public static string Camel(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name.Substring(1).Replace("_", "");
}
