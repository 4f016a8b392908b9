using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using CnnDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace CnnDsl.LanguageServer.Tests.Infrastructure;

/// <summary>A diagnostic as both the build and the server report it: ID, file, span and message.</summary>
public sealed record ReportedDiagnostic(string Id, string Path, int Start, int End, string Message)
{
    public override string ToString() => $"{Id} {System.IO.Path.GetFileName(Path)}[{Start}..{End}) {Message}";
}

/// <summary>The build's diagnostics for a set of .cnn files: the real generator run by Roslyn's driver, as dotnet build runs it.</summary>
public static class Build
{
    public const string RootNamespace = "Models";

    public static IReadOnlyList<ReportedDiagnostic> Diagnostics(IEnumerable<(string Path, string Text)> files) =>
        Run(files)
            .Select(d => new ReportedDiagnostic(d.Id, d.Location.GetLineSpan().Path, d.Location.SourceSpan.Start, d.Location.SourceSpan.End, d.GetMessage()))
            .OrderBy(d => d.Path, System.StringComparer.Ordinal).ThenBy(d => d.Start).ThenBy(d => d.Id).ThenBy(d => d.Message, System.StringComparer.Ordinal).ToList();

    /// <summary>The generator's CNN diagnostics as Roslyn reports them, with their line spans.</summary>
    public static IReadOnlyList<Diagnostic> Run(IEnumerable<(string Path, string Text)> files, string rootNamespace = RootNamespace)
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new CnnModelGenerator().AsSourceGenerator() },
            files.Select(f => (AdditionalText)new FileText(f.Path, f.Text)), optionsProvider: new Options(rootNamespace));
        driver = driver.RunGeneratorsAndUpdateCompilation(CSharpCompilation.Create("Models"), out _, out var diagnostics);
        Assert.All(driver.GetRunResult().Results, r => Assert.Null(r.Exception));
        return diagnostics.Where(d => d.Id.StartsWith("CNN")).ToList();
    }

    sealed class FileText(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;
        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }

    sealed class Options(string rootNamespace) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Values(true, rootNamespace);
        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Values(false, rootNamespace);
        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Values(false, rootNamespace);

        sealed class Values(bool global, string rootNamespace) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value)
            {
                value = rootNamespace;
                return global && key == "build_property.RootNamespace";
            }
        }
    }
}
