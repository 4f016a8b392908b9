using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CnnDsl.Benchmarks;

/// <summary>
/// <c>-- --growth</c>: the generator's CPU time on one valid model of 1,000 to 16,000 layers, split into checking (the Dsl
/// alone) and the whole generator run (checking and writing the C#), as medians of several runs, with the cost per
/// layer and the slope of a straight line through the points. A cost per layer that stays flat means time grows
/// linearly with the model.
/// </summary>
static class GrowthCheck
{
    // A convolution, batch norm and activation, over and over: 3 layers a line group, each with a module and a field.
    static string Model(int layers)
    {
        var text = new StringBuilder("model Deep\n  input 4x8x8\n");
        for (int i = 0; i < layers; i++)
        {
            switch (i % 3)
            {
                case 0: text.Append("  c").Append(i).Append(": conv2d 4, 3, padding=1\n"); break;
                case 1: text.Append("  b").Append(i).Append(": batchnorm2d\n"); break;
                default: text.Append("  r").Append(i).Append(": relu\n"); break;
            }
        }
        return text.Append("  flatten\n  dense 10\n").ToString();
    }

    static double CpuMilliseconds(Action action)
    {
        using var process = Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        action();
        process.Refresh();
        return (process.TotalProcessorTime - before).TotalMilliseconds;
    }

    public static int Run(string[] args)
    {
        // --rounds N (default 5), --max LAYERS (default 16000).
        int Option(string name, int value) => Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : value;
        int rounds = Option("--rounds", 5);
        var sizes = new[] { 1000, 2000, 4000, 8000, 16000 }.Where(n => n <= Option("--max", 16000)).ToArray();
        var compilation = CSharpCompilation.Create("Growth", Array.Empty<SyntaxTree>(),
            Basic.Reference.Assemblies.Net100.References.All, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Console.WriteLine("layers | check (ms) | generator (ms) | generator µs/layer | output (MB)");
        Console.WriteLine("---:|---:|---:|---:|---:");
        var points = new List<(double Layers, double Milliseconds)>();
        // One warm-up of each size, so the first size does not pay for the JIT.
        foreach (var layers in sizes.Take(2))
            Generate(compilation, Model(layers));
        foreach (var layers in sizes)
        {
            var text = Model(layers);
            var check = new List<double>();
            var generate = new List<double>();
            long characters = 0;
            for (int round = 0; round < rounds; round++)
            {
                check.Add(CpuMilliseconds(() =>
                {
                    var checkedModel = CnnDsl.Dsl.CnnCompilation.Compile(text);
                    if (checkedModel.Diagnostics.Count > 0 || checkedModel.Models.Count != 1)
                        throw new InvalidOperationException("The growth model does not check: " + string.Join("; ", checkedModel.Diagnostics));
                }));
                generate.Add(CpuMilliseconds(() => characters = Generate(compilation, text)));
            }
            double median = Median(generate);
            points.Add((layers, median));
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0:N0} | {1:F0} | {2:F0} | {3:F1} | {4:F1}",
                layers, Median(check), median, 1000 * median / layers, characters / 1e6));
        }
        double meanX = points.Average(p => p.Layers), meanY = points.Average(p => p.Milliseconds);
        double slope = points.Sum(p => (p.Layers - meanX) * (p.Milliseconds - meanY)) / points.Sum(p => (p.Layers - meanX) * (p.Layers - meanX));
        double first = points[0].Milliseconds / points[0].Layers, last = points[^1].Milliseconds / points[^1].Layers;
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
            "slope {0:F1} µs of generator CPU per layer; cost per layer at {1:N0} layers / at {2:N0} layers = {3:F2} (medians of {4} runs)",
            1000 * slope, points[^1].Layers, points[0].Layers, last / first, rounds));
        return 0;
    }

    static long Generate(CSharpCompilation compilation, string text)
    {
        var driver = CSharpGeneratorDriver.Create(new[] { new CnnDsl.Generator.CnnModelGenerator().AsSourceGenerator() },
            new[] { new InMemoryAdditionalText("/growth/deep.cnn", text) });
        var result = driver.RunGenerators(compilation).GetRunResult().Results.Single();
        if (result.Exception != null)
            throw new InvalidOperationException("The generator threw.", result.Exception);
        if (result.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
            throw new InvalidOperationException("The growth model does not check: " + string.Join("; ", result.Diagnostics));
        return result.GeneratedSources.Sum(s => (long)s.SourceText.Length);
    }

    static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
