using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Basic.Reference.Assemblies;
using CnnDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace CnnDsl.Benchmarks;

/// <summary>
/// A project of <see cref="ModelCount"/> course-sized models, one per file (Models/Model000.cnn ...), cycling through the
/// three course architectures, plus one tiny C# file. Each file also has an edited version (a changed comment and the
/// first dense layer one unit smaller), so an edit can alternate between the two.
/// </summary>
public sealed class ModelProject
{
    public const int ModelCount = 100;
    public const string RootNamespace = "Bench.Models";

    public ModelProject()
    {
        Compilation = CSharpCompilation.Create("Bench",
            new[] { CSharpSyntaxTree.ParseText("namespace Bench { public static class Program { public static void Main() { } } }",
                new CSharpParseOptions(LanguageVersion.Latest), path: "Program.cs") },
            Net100.References.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Files = Enumerable.Range(0, ModelCount).Select(i => new InMemoryAdditionalText(PathOf(i), Text(i, edited: false))).ToImmutableArray<AdditionalText>();
        Original = Enumerable.Range(0, ModelCount).Select(i => SourceText.From(Text(i, edited: false))).ToImmutableArray();
        Edited = Enumerable.Range(0, ModelCount).Select(i => SourceText.From(Text(i, edited: true))).ToImmutableArray();
    }

    public CSharpCompilation Compilation { get; }
    public ImmutableArray<AdditionalText> Files { get; }
    public ImmutableArray<SourceText> Original { get; }
    public ImmutableArray<SourceText> Edited { get; }

    public static string NameOf(int i) => $"Model{i:000}";
    public static string PathOf(int i) => $"/bench/Models/{NameOf(i)}.cnn";

    public GeneratorDriver CreateDriver(bool trackSteps) =>
        CSharpGeneratorDriver.Create(
            new[] { new CnnModelGenerator().AsSourceGenerator() },
            Files,
            new CSharpParseOptions(LanguageVersion.Latest),
            new RootNamespaceOptions(RootNamespace),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    static readonly CSharpCompilation EmptyCompilation = CSharpCompilation.Create("Single",
        new[] { CSharpSyntaxTree.ParseText("namespace Bench { }", new CSharpParseOptions(LanguageVersion.Latest), path: "Program.cs") },
        Net100.References.All, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

    /// <summary>A fresh driver's run over one .cnn file: what a build does for a project with one model.</summary>
    public static GeneratorDriver SingleFileDriver(string path, string text) =>
        CSharpGeneratorDriver.Create(
            new[] { new CnnModelGenerator().AsSourceGenerator() },
            new AdditionalText[] { new InMemoryAdditionalText(path, text) },
            new CSharpParseOptions(LanguageVersion.Latest),
            new RootNamespaceOptions(RootNamespace),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false))
        .RunGenerators(EmptyCompilation);

    /// <summary>The .cnn text of model <paramref name="i"/>; the edited version changes a comment and one layer size.</summary>
    public static string Text(int i, bool edited)
    {
        var name = NameOf(i);
        var comment = edited ? $"# {name}, revision B: first dense layer one unit smaller" : $"# {name}, revision A";
        int d(int units) => edited ? units - 1 : units;
        return (i % 3) switch
        {
            // The Fashion-MNIST course model: 3,199,106 parameters.
            0 => $"""
                {comment}
                model {name}
                  input 1x28x28
                  conv2d 32, kernel=5, padding=same, activation=relu
                  maxpool2d 2
                  conv2d 64, kernel=5, padding=same, activation=relu
                  maxpool2d 2
                  flatten
                  dense {d(1000)}, activation=relu
                  dropout 0.25
                  dense 10

                """,
            // The MNIST course model with three unpadded convolutions.
            1 => $"""
                {comment}
                model {name}
                  input 1x28x28
                  conv2d 32, kernel=3, activation=relu
                  maxpool2d 2
                  conv2d 64, kernel=3, activation=relu
                  maxpool2d 2
                  conv2d 128, kernel=3, activation=relu
                  flatten
                  dense {d(10)}

                """,
            // The CIFAR-10 course model.
            _ => $"""
                {comment}
                model {name}
                  input 3x32x32
                  conv2d 32, kernel=5, padding=same, activation=relu
                  maxpool2d 2
                  conv2d 32, kernel=5, padding=same, activation=relu
                  maxpool2d 2
                  conv2d 64, kernel=5, padding=same, activation=relu
                  maxpool2d 2
                  flatten
                  dense {d(64)}, activation=relu
                  dense 10

                """,
        };
    }

    /// <summary>Supplies <c>build_property.RootNamespace</c>, as the CnnDsl props file makes MSBuild do.</summary>
    sealed class RootNamespaceOptions(string rootNamespace) : AnalyzerConfigOptionsProvider
    {
        static readonly AnalyzerConfigOptions Empty = new Options(ImmutableDictionary<string, string>.Empty);

        public override AnalyzerConfigOptions GlobalOptions { get; } =
            new Options(ImmutableDictionary<string, string>.Empty.Add("build_property.RootNamespace", rootNamespace));

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Empty;
        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Empty;

        sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
        }
    }
}
