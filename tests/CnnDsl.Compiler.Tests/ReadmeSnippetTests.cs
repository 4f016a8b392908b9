using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using CnnDsl.Compiler.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// Every C# block of README.md and docs/*.md compiles as written: the blocks, in the wrappers their marker comments
/// name (<see cref="SnippetKind"/>), and the blocks marked <c>cnn</c> as the project's model files, are built together
/// in one project that references the runtime and the generator as the examples do. A build error is reported at the
/// document's line. The snippets are compiled, never run.
/// </summary>
[Collection(BuildTests.Collection)]
public class ReadmeSnippetTests
{
    [Fact]
    public void Every_csharp_block_of_the_readme_and_the_docs_compiles_as_written()
    {
        var root = RepoRoot();
        var documents = new[] { Path.Combine(root, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal));
        var snippets = new List<(Snippet Snippet, string Path)>();
        var problems = new List<string>();
        foreach (var path in documents)
        {
            var (found, wrong) = MarkdownSnippets.Parse(Path.GetRelativePath(root, path), File.ReadAllText(path));
            snippets.AddRange(found.Select(s => (s, path)));
            problems.AddRange(wrong);
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Contains(snippets, s => s.Snippet.Kind == SnippetKind.Statements);

        var project = Path.Combine(root, "tests", "CnnDsl.Compiler.Tests", "obj", "snippets-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(project);
        var names = new Dictionary<string, string>();
        foreach (var (snippet, path) in snippets.Where(s => s.Snippet.Kind != SnippetKind.Skip))
        {
            var name = MarkdownSnippets.FileName(snippet);
            if (snippet.Kind == SnippetKind.Cnn)
            {
                File.WriteAllText(Path.Combine(project, name + ".cnn"), MarkdownSnippets.Cnn(snippet));
                names[Path.Combine(project, name + ".cnn")] = snippet.Document;
            }
            else
            {
                File.WriteAllText(Path.Combine(project, name + ".cs"), MarkdownSnippets.CSharp(snippet, path));
            }
            names[path] = snippet.Document;
        }
        File.WriteAllText(Path.Combine(project, "Snippets.csproj"), ProjectFile(root));

        var (exitCode, output) = Build(Path.Combine(project, "Snippets.csproj"));
        // Paths become the document's own: the C# files map their lines with #line, the .cnn files have the document's line numbers.
        foreach (var (file, document) in names.OrderByDescending(n => n.Key.Length))
            output = output.Replace(file + "(", document + "(");
        var errors = output.Split('\n').Where(l => l.Contains(": error ")).Select(l => Regex.Replace(l.Trim(), @"\s*\[[^\]]*\.csproj\]$", "")).Distinct().ToList();
        Assert.True(exitCode == 0 && errors.Count == 0,
            $"The snippets do not compile (project kept in {project}):\n" + (errors.Count > 0 ? string.Join("\n", errors) : output));
        Assert.DoesNotContain("CS8785", output);
        Directory.Delete(project, recursive: true);
    }

    [Fact]
    public void A_block_without_a_known_marker_is_a_problem_at_its_line()
    {
        const string markdown = "# Title\n\n```csharp\nvar a = 1;\n```\n\n<!-- snippet: statements (int a) -->\n```cs\nvar b = a;\n```\n"
            + "<!-- snippet: members -->\n```csharp\nint c;\n```\n<!-- snippet: skip -->\n```csharp\nint d;\n```\n"
            + "<!-- snippet: cnn -->\n```\nmodel M\n  input 1x2x2\n```\n<!-- snippet: skip, it needs a GPU -->\n```csharp\nint e;\n```\n```bash\nls\n```\n";
        var (snippets, problems) = MarkdownSnippets.Parse("X.md", markdown);

        Assert.Equal(3, problems.Count);
        Assert.StartsWith("X.md line 3: a C# block needs a marker", problems[0]);
        Assert.StartsWith("X.md line 12: unknown marker 'members'", problems[1]);
        Assert.StartsWith("X.md line 16: unknown marker 'skip'", problems[2]);
        Assert.Equal(new[] { SnippetKind.Statements, SnippetKind.Cnn, SnippetKind.Skip }, snippets.Select(s => s.Kind));
        Assert.Equal("int a", snippets[0].Parameters);
        Assert.Equal(8, snippets[0].FenceLine);
        Assert.Equal("model M\n  input 1x2x2\n", MarkdownSnippets.Cnn(snippets[1])[(snippets[1].FirstLine - 1)..]);
    }

    [Fact]
    public void A_compiler_error_in_a_snippet_names_the_documents_line()
    {
        const string markdown = "Text\n\n<!-- snippet: statements (int count) -->\n```csharp\nusing System;\n\nConsole.WriteLine(count);\nstring s = count;\n```\n";
        var snippet = Assert.Single(MarkdownSnippets.Parse("X.md", markdown).Snippets);
        var tree = CSharpSyntaxTree.ParseText(MarkdownSnippets.CSharp(snippet, "/docs/X.md"), path: "/project/X-4.cs");
        var compilation = CSharpCompilation.Create("snippet", new[] { tree }, Basic.Reference.Assemblies.Net100.References.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

        var error = Assert.Single(compilation.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("CS0029", error.Id);
        var where = error.Location.GetMappedLineSpan();
        Assert.Equal("/docs/X.md", where.Path);
        Assert.Equal(8, where.StartLinePosition.Line + 1);
    }

    static string ProjectFile(string root)
    {
        var src = Path.Combine(root, "src");
        return $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <Import Project="$(RepoRoot)build/CnnDsl.props" />
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <OutputType>Library</OutputType>
                <RootNamespace>MyNet</RootNamespace>
                <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{src}/Runtime/CnnDsl.Runtime.csproj" />
                <ProjectReference Include="{src}/Generator/CnnDsl.Generator.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
              </ItemGroup>
            </Project>
            """;
    }

    static (int ExitCode, string Output) Build(string project)
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        // The test project references the runtime and the generator, so they are built: only the snippets' project is.
        return DotNet.Build(project, $"-c {configuration}");
    }

    static string RepoRoot([CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
