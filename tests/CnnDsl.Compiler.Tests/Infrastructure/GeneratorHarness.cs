using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Basic.Reference.Assemblies;
using CnnDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace CnnDsl.Compiler.Tests.Infrastructure;

/// <summary>Runs the real generator through Roslyn's driver on in-memory C# sources and .cnn files.</summary>
public static class GeneratorHarness
{
    /// <summary>
    /// The generated source with its carried .cnn text replaced by a marker: that text spells each form's values as
    /// written (relu in a .cnn file, Activation.ReLU in an attribute), so attribute and .cnn twins differ only there.
    /// </summary>
    public static string WithoutCnnSource(string generated) =>
        System.Text.RegularExpressions.Regex.Replace(generated, @"public const string CnnSource =\n(\s*"".*"" \+\n)*\s*"".*"";", "CnnSource");

    static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        Net100.References.All.Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(CnnDsl.ICnnModel).Assembly.Location))
            .ToImmutableArray());

    public static CSharpCompilation CreateCompilation(IEnumerable<string> sources, string assemblyName = "Models") =>
        CSharpCompilation.Create(assemblyName,
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(LanguageVersion.Latest), path: $"Source{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress }));

    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText> cnnFiles, string? rootNamespace = "Models", bool trackSteps = true) =>
        CSharpGeneratorDriver.Create(
            new[] { new CnnModelGenerator().AsSourceGenerator() },
            cnnFiles,
            optionsProvider: new TestOptions(rootNamespace),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator once; fails the test if the generator threw.</summary>
    public static GeneratorResult Run(IEnumerable<(string Path, string Text)> cnnFiles, IEnumerable<string>? csharp = null, string? rootNamespace = "Models")
    {
        var compilation = CreateCompilation(csharp ?? Array.Empty<string>());
        var driver = CreateDriver(cnnFiles.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)), rootNamespace);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var result = driver.GetRunResult();
        foreach (var generator in result.Results)
            Assert.Null(generator.Exception);
        return new GeneratorResult(result, output, generatorDiagnostics);
    }

    public static GeneratorResult RunCnn(string text, string path = "/project/Models/model.cnn") => Run(new[] { (path, text) });

    public static GeneratorResult RunCSharp(string source) => Run(Array.Empty<(string, string)>(), new[] { source });

    sealed class TestOptions(string? rootNamespace) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(rootNamespace);
        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options(null);
        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options(null);

        sealed class Options(string? rootNamespace) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value)
            {
                value = rootNamespace ?? "";
                return key == "build_property.RootNamespace" && rootNamespace != null;
            }
        }
    }
}

public sealed record GeneratorResult(GeneratorDriverRunResult RunResult, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics)
{
    public IReadOnlyList<Diagnostic> CnnDiagnostics => GeneratorDiagnostics.Where(d => d.Id.StartsWith("CNN")).ToList();

    public string GeneratedSource(string hintName)
    {
        var source = RunResult.Results.SelectMany(r => r.GeneratedSources).SingleOrDefault(s => s.HintName == hintName);
        Assert.True(source.SourceText != null, $"No {hintName} was generated; generated: {string.Join(", ", HintNames)}; diagnostics: {string.Join("; ", GeneratorDiagnostics)}");
        return source.SourceText!.ToString();
    }

    public IReadOnlyList<string> HintNames => RunResult.Results.SelectMany(r => r.GeneratedSources).Select(s => s.HintName).ToList();

    /// <summary>Every generated file, in order of name, each after a line naming it: a model with the block classes it uses.</summary>
    public string AllSources => string.Join("\n", RunResult.Results.SelectMany(r => r.GeneratedSources).OrderBy(s => s.HintName, StringComparer.Ordinal)
        .Select(s => "// " + s.HintName + "\n" + s.SourceText));

    /// <summary>C# compiler errors and warnings of the compilation including the generated code.</summary>
    public IReadOnlyList<Diagnostic> CompilerDiagnostics =>
        Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
}
