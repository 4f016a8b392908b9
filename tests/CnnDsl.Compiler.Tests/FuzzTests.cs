using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// Random and mutated inputs never make the compiler throw: every problem is a CNN diagnostic whose span lies inside
/// the text. Inputs come from a seeded random source, so a failure names a reproducible case.
/// </summary>
public class FuzzTests
{
    static readonly string[] Seeds =
    {
        CourseModelTests.Models,
        "namespace A.B\nmodel Net\n  input 3x32x32\n  c1: conv2d 16, kernel=(3, 5), stride=2, padding=((1, 2), (0, 1)), dilation=1, activation=relu\n  maxpool2d 3, 2, padding=same, ceil_mode=true\n  batchnorm2d eps=1e-3\n  flatten\n  dense 10, bias=false\n  softmax\n",
        "\uFEFFmodel M\r\n  input 1x8x8\r\n  avgpool2d 2 # comment\r\n  flatten // another\r\n  dropout 0.5\r\n",
    };

    static readonly string[] Fragments =
    {
        "model", "input", "namespace", "conv2d", "maxpool2d", "dense", "flatten", "dropout", "batchnorm1d", "relu", "softmax",
        "kernel=", "stride=", "padding=", "same", "valid", "(", ")", ",", "=", ":", ".", "-", "1x28x28", "0", "1e9", "99999999999999999999",
        "\n", "\r\n", "\r", " ", "\t", "#", "//", "x", "0.5", "true", "\u2028", "\0", "é", "\"", "features.0:", "((1, 2), (3, 4))",
    };

    [Fact]
    public void Random_and_mutated_cnn_texts_never_throw_and_report_spans_inside_the_text()
    {
        var random = new Random(20261123);
        int withDiagnostics = 0;
        for (int i = 0; i < 10_000; i++)
        {
            var text = i % 2 == 0 ? Mutate(Seeds[random.Next(Seeds.Length)], random) : Assemble(random);
            CnnCompilation compilation;
            try
            {
                compilation = CnnCompilation.Compile(text, "fuzz.cnn", "Fuzz");
            }
            catch (Exception exception)
            {
                throw new Xunit.Sdk.XunitException($"Case {i} threw {exception}\n--- text ---\n{text}");
            }
            foreach (var diagnostic in compilation.Diagnostics)
            {
                Assert.StartsWith("CNN", diagnostic.Id);
                Assert.True(diagnostic.Location.Span.Start >= 0 && diagnostic.Location.Span.End <= text.Length, $"Case {i}: {diagnostic} outside the text");
                Assert.False(string.IsNullOrWhiteSpace(diagnostic.Message));
            }
            if (compilation.Diagnostics.Count > 0)
                withDiagnostics++;
            // Every 50th case also goes through Roslyn, where an exception would become CS8785.
            if (i % 50 == 0)
            {
                var result = GeneratorHarness.RunCnn(text);
                Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id == "CS8785");
            }
        }
        Assert.True(withDiagnostics > 3_000, $"Only {withDiagnostics} cases had problems; the fuzzer is too gentle.");
    }

    [Fact]
    public void Random_attribute_argument_combinations_never_crash_the_generator()
    {
        var random = new Random(42);
        string[] layers = { "Conv2d", "MaxPool2d", "AvgPool2d", "Dense", "Dropout", "BatchNorm1d", "BatchNorm2d", "Flatten", "ReLU", "Softmax" };
        string[] values = { "0", "1", "3", "-2", "1000", "new[] { 1, 2 }", "new[] { 1, 2, 3, 4 }", "new int[0]", "Padding.Same", "Padding.Valid", "\"same\"", "\"1x2\"", "0.5", "true", "Activation.ReLU", "Activation.Softmax", "null" };
        string[] properties = { "Kernel", "Stride", "Padding", "Dilation", "Groups", "Bias", "Activation", "InChannels", "InFeatures", "CeilMode", "Eps", "Momentum", "Name" };
        int cases = 0;
        for (int batch = 0; batch < 10; batch++)
        {
            var source = new StringBuilder("using CnnDsl;\nnamespace Fuzz;\n");
            for (int m = 0; m < 100; m++, cases++)
            {
                source.Append($"[CnnModel(Input = \"{random.Next(0, 4)}x{random.Next(0, 40)}x{random.Next(0, 40)}\")]\n");
                for (int l = random.Next(0, 6); l > 0; l--)
                {
                    var layer = layers[random.Next(layers.Length)];
                    var arguments = new List<string>();
                    if (layer is "Conv2d" or "MaxPool2d" or "AvgPool2d" or "Dense")
                        arguments.Add(random.Next(-1, 40).ToString());
                    if (layer == "Dropout")
                        arguments.Add(values[random.Next(values.Length)] is var v && v.Contains('.') ? v : "0.3");
                    for (int a = random.Next(0, 4); a > 0; a--)
                        arguments.Add($"{properties[random.Next(properties.Length)]} = {values[random.Next(values.Length)]}");
                    source.Append($"[{layer}({string.Join(", ", arguments)})]\n");
                }
                source.Append($"public partial class Model{m};\n");
            }
            var text = source.ToString();
            var result = GeneratorHarness.RunCSharp(text);
            Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id == "CS8785");
            foreach (var diagnostic in result.CnnDiagnostics)
                Assert.True(diagnostic.Location.SourceSpan.End <= text.Length && diagnostic.Location.GetLineSpan().Path == "Source0.cs", diagnostic.ToString());
        }
        Assert.Equal(1_000, cases);
    }

    static string Mutate(string seed, Random random)
    {
        var text = new StringBuilder(seed);
        for (int edits = random.Next(1, 6); edits > 0; edits--)
        {
            int position = random.Next(text.Length + 1);
            switch (random.Next(4))
            {
                case 0 when text.Length > 0:
                    text.Remove(Math.Min(position, text.Length - 1), Math.Min(random.Next(1, 8), text.Length - Math.Min(position, text.Length - 1)));
                    break;
                case 1:
                    text.Insert(position, Fragments[random.Next(Fragments.Length)]);
                    break;
                case 2:
                    text.Insert(position, (char)random.Next(0, 128));
                    break;
                default:
                    if (text.Length > 1)
                    {
                        int other = random.Next(text.Length);
                        var a = text[Math.Min(position, text.Length - 1)];
                        text[Math.Min(position, text.Length - 1)] = text[other];
                        text[other] = a;
                    }
                    break;
            }
        }
        return text.ToString();
    }

    static string Assemble(Random random)
    {
        var text = new StringBuilder();
        for (int i = random.Next(1, 30); i > 0; i--)
        {
            text.Append(Fragments[random.Next(Fragments.Length)]);
            if (random.Next(3) == 0)
                text.Append(' ');
        }
        return text.ToString();
    }
}
