using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using CnnDsl.LanguageServer.Tests.Infrastructure;
using Xunit;

namespace CnnDsl.LanguageServer.Tests;

/// <summary>A test over the compiler tests' diagnostic corpus, which is read from their built assembly.</summary>
public sealed class CorpusFactAttribute : FactAttribute
{
    public CorpusFactAttribute(bool throughNode = false)
    {
        if (DiagnosticParityTests.CorpusAssembly == null && !Node.OnCi)
            Skip = "tests/CnnDsl.Compiler.Tests is not built in this configuration (dotnet build it, or run dotnet test CnnDsl.sln).";
        else if (throughNode && Node.Missing != null && !Node.OnCi)
            Skip = Node.Missing;
    }
}

/// <summary>
/// The server reports what the build reports: the same IDs, messages and spans, file by file, for the compiler tests'
/// whole diagnostic corpus, every .cnn file of the repository, edits of them, and projects whose files share blocks.
/// The build's side is the real generator run by Roslyn's driver.
/// </summary>
public class DiagnosticParityTests
{
    public static string? CorpusAssembly { get; } = FindCorpusAssembly();

    static string? FindCorpusAssembly()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Debug";
        var file = Path.Combine(Node.RepoRoot, "tests", "CnnDsl.Compiler.Tests", "bin", configuration, "net10.0", "CnnDsl.Compiler.Tests.dll");
        return File.Exists(file) ? file : null;
    }

    static void AssertSame(params (string Name, string Text)[] files)
    {
        var build = Build.Diagnostics(files.Select(f => (Project.PathOf(f.Name), f.Text)));
        var server = new Project(files).Diagnostics();
        Assert.True(build.SequenceEqual(server),
            "Build:\n  " + string.Join("\n  ", build) + "\nServer:\n  " + string.Join("\n  ", server) + "\nFiles:\n" + string.Join("\n---\n", files.Select(f => f.Text)));
    }

    /// <summary>The .cnn texts of the compiler's diagnostic tests, their span markers removed.</summary>
    static List<string> Corpus()
    {
        Assert.True(CorpusAssembly != null, "Build tests/CnnDsl.Compiler.Tests first: the corpus is read from it.");
        var type = Assembly.LoadFrom(CorpusAssembly!).GetType("CnnDsl.Compiler.Tests.DiagnosticTests", throwOnError: true)!;
        var cases = ((IEnumerable)type.GetProperty("CnnCases", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!).Cast<object[]>().ToList();
        Assert.True(cases.Count >= 50, "The corpus has only " + cases.Count + " cases");
        return cases.Select(row => ((string)row[1]).Replace("[|", "").Replace("|]", "")).ToList();
    }

    [CorpusFact(throughNode: true)]
    public void The_server_process_publishes_the_build_s_diagnostics_for_every_corpus_case()
    {
        Node.RequireAvailable();
        using var folder = new TemporaryFolder();
        var workspace = Path.Combine(folder.Path, "workspace");
        Directory.CreateDirectory(workspace);
        var path = Path.Combine(workspace, "model.cnn");
        var cases = Corpus().Select((text, i) => new
        {
            name = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            text,
            expected = Build.Run(new[] { (path, text) }).Select(d => new
            {
                code = d.Id,
                message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture),
                range = new
                {
                    start = new { line = d.Location.GetLineSpan().StartLinePosition.Line, character = d.Location.GetLineSpan().StartLinePosition.Character },
                    end = new { line = d.Location.GetLineSpan().EndLinePosition.Line, character = d.Location.GetLineSpan().EndLinePosition.Character },
                },
            }).ToList(),
        }).ToList();
        Assert.All(cases, c => Assert.NotEmpty(c.expected));
        var json = folder.Write("cases.json", System.Text.Json.JsonSerializer.Serialize(cases));

        var (code, output) = Node.Run("node", $"corpus-test.js \"{json}\" \"{workspace}\"", Node.DriverFolder, TimeSpan.FromMinutes(3));

        Assert.True(code == 0, output);
        Assert.Contains("corpus cases matched: " + cases.Count + " of " + cases.Count, output);
    }

    [CorpusFact]
    public void Every_case_of_the_compiler_s_diagnostic_corpus_gives_the_same_diagnostics()
    {
        var cases = Corpus();
        int withDiagnostics = 0;
        foreach (var text in cases)
        {
            AssertSame(("model.cnn", text));
            withDiagnostics += Build.Diagnostics(new[] { (Project.PathOf("model.cnn"), text) }).Count > 0 ? 1 : 0;
        }
        Assert.Equal(cases.Count, withDiagnostics);
    }

    public static IEnumerable<object[]> RepositoryFiles() =>
        Directory.EnumerateFiles(Node.RepoRoot, "*.cnn", SearchOption.AllDirectories)
            .Where(f => !f.Contains(Path.DirectorySeparatorChar + "node_modules" + Path.DirectorySeparatorChar)
                && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar)
                && !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar))
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => new object[] { Path.GetRelativePath(Node.RepoRoot, f) });

    [Theory]
    [MemberData(nameof(RepositoryFiles))]
    public void Every_cnn_file_of_the_repository_and_edits_of_it_give_the_same_diagnostics(string file)
    {
        var text = File.ReadAllText(Path.Combine(Node.RepoRoot, file));
        AssertSame(("model.cnn", text));
        // Edits as typing makes them: a character dropped, doubled or replaced, at spread-out places.
        var random = new Random(file.Length);
        for (int i = 0; i < 12; i++)
        {
            int at = random.Next(text.Length);
            var edited = (i % 3) switch
            {
                0 => text.Remove(at, 1),
                1 => text.Insert(at, text[at].ToString()),
                _ => text.Remove(at, 1).Insert(at, "x"),
            };
            AssertSame(("model.cnn", edited));
        }
    }

    [Fact]
    public void Files_sharing_blocks_give_the_same_diagnostics_in_each_file()
    {
        AssertSame(
            ("a.cnn", "block Res(c)\n  conv2d c, 3, padding=1\n  add conv2d, input\nmodel Good\n  input 4x8x8\n  Res 4\n"),
            ("b.cnn", "model Bad\n  input 3x8x8\n  Res 4\n  Res2 4\n"),
            ("c.cnn", "block Res(c)\n  relu\nmodel Good\n  input 1x2x2\n  flatten\n"),
            ("d.cnn", "block resnet18(x)\n  relu\nblock conv2d(n)\n  relu\n"));
    }
}
