using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json;
using CnnDsl.Dsl.Project;
using CnnDsl.Editor.Features;
using CnnDsl.Editor.Workspace;
using CnnDsl.LanguageServer.Tests.Infrastructure;
using CnnDsl.Onnx;
using CnnDsl.PyTorchExport;
using CnnDsl.Tests.Shared;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;
using Xunit.Abstractions;

namespace CnnDsl.LanguageServer.Tests;

/// <summary>
/// The playground, published trimmed as a static site, served, and driven in Chromium by tests/browser/playground-page.js:
/// once for all the tests of this class (publishing takes about a minute).
/// </summary>
public sealed class PlaygroundSite : IDisposable
{
    // The page's project: its one file and namespace (playground/PlaygroundSession.cs).
    public const string FileName = "model.cnn";
    public const string RootNamespace = "Playground";

    readonly TemporaryFolder folder = new();
    Process? server;
    JsonDocument? shown;

    public string Output => Path.Combine(folder.Path, "shown");

    public IReadOnlyList<(string Name, string Text)> Cases { get; private set; } = Array.Empty<(string, string)>();

    /// <summary>What the page showed (the scenario's JSON), published, served and driven on first use.</summary>
    public JsonElement Shown => (shown ??= Drive()).RootElement;

    JsonDocument Drive()
    {
        Browser.RequireAvailable();
        var editorLibraries = Path.Combine(Node.RepoRoot, "playground", "node_modules", "monaco-editor");
        Assert.True(Directory.Exists(editorLibraries), "The playground's npm packages are missing: run 'npm ci' in playground (.ci/run does).");

        var site = Path.Combine(folder.Path, "site");
        var (code, log) = Node.Run("dotnet", $"publish \"{Path.Combine(Node.RepoRoot, "playground", "CnnDsl.Playground.csproj")}\" -c Release -o \"{site}\" "
            + $"--artifacts-path \"{Path.Combine(folder.Path, "artifacts")}\"", Node.RepoRoot, TimeSpan.FromMinutes(6));
        Assert.True(code == 0, "dotnet publish playground failed:\n" + log);

        server = Process.Start(new ProcessStartInfo("node") { ArgumentList = { Path.Combine(Node.RepoRoot, "playground", "serve.js"), Path.Combine(site, "wwwroot"), "--port", "0" },
            RedirectStandardOutput = true, RedirectStandardError = true })!;
        var first = server.StandardOutput.ReadLine() ?? throw new InvalidOperationException("serve.js ended: " + server.StandardError.ReadToEnd());
        var url = first.Substring(first.IndexOf("http://", StringComparison.Ordinal)).Trim();

        Cases = ParityCorpus();
        var cases = folder.Write("cases.json", JsonSerializer.Serialize(Cases.Select(c => new { name = c.Name, text = c.Text })));
        return JsonDocument.Parse(Browser.Run("playground-page.js", TimeSpan.FromMinutes(8), url, cases, Output));
    }

    /// <summary>
    /// The compiler's diagnostic corpus and every .cnn file of the repository, each as written, with CRLF line ends, and
    /// with CRLF and a model of non-ASCII text after it (Korean, accents, an emoji of two UTF-16 units before a diagnostic).
    /// </summary>
    static List<(string Name, string Text)> ParityCorpus()
    {
        Assert.True(DiagnosticParityTests.CorpusAssembly != null, "Build tests/CnnDsl.Compiler.Tests first: the corpus is read from it.");
        var type = Assembly.LoadFrom(DiagnosticParityTests.CorpusAssembly!).GetType("CnnDsl.Compiler.Tests.DiagnosticTests", throwOnError: true)!;
        var corpus = ((IEnumerable)type.GetProperty("CnnCases", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!).Cast<object[]>()
            .Select((row, i) => ("corpus " + i, ((string)row[1]).Replace("[|", "").Replace("|]", "")))
            .Concat(DiagnosticParityTests.RepositoryFiles().Select(f => ((string)f[0], File.ReadAllText(Path.Combine(Node.RepoRoot, (string)f[0])))))
            .ToList();
        const string NonAscii = "# 한국어 주석: 모델 — ünïcode 😀\nmodel Modèle😀\n  input 1x28x28\n  conv2d 8, kernel=3, activation=rélu  # é\n  flatten 😀, x\n  dense 10 # 끝\n";
        return corpus.Select(c => (c.Item1, c.Item2))
            .Concat(corpus.Select(c => (c.Item1 + " (CRLF)", Crlf(c.Item2))))
            .Concat(corpus.Select(c => (c.Item1 + " (CRLF, non-ASCII)", Crlf(c.Item2.TrimEnd('\n') + "\n\n" + NonAscii))))
            .ToList();
    }

    static string Crlf(string text) => text.Replace("\r\n", "\n").Replace("\n", "\r\n");

    public void Dispose()
    {
        if (server is { HasExited: false })
            server.Kill(entireProcessTree: true);
        server?.Dispose();
        shown?.Dispose();
        folder.Dispose();
    }
}

/// <summary>
/// The playground in a real browser: typing, squiggles, quick fixes, shapes, summaries, completion, the diagram, shared
/// links and downloads; and for the whole diagnostic corpus, exactly the build's diagnostics and the server's shapes.
/// </summary>
public class PlaygroundTests(PlaygroundSite site, ITestOutputHelper output) : IClassFixture<PlaygroundSite>
{
    JsonElement Shown => site.Shown;

    static string Text(JsonElement element, string name) => element.GetProperty(name).GetString()!;

    /// <summary>The build's diagnostics in the page's terms: ID, message, zero-based line and UTF-16 column of each end.</summary>
    static List<string> BuildDiagnostics(string text) =>
        Build.Run(new[] { (Path.Combine(Node.RepoRoot, PlaygroundSite.FileName), text) }, PlaygroundSite.RootNamespace)
            .Select(d => (d, Span: d.Location.GetLineSpan()))
            .Select(p => $"{p.d.Id} ({p.Span.StartLinePosition.Line},{p.Span.StartLinePosition.Character})-({p.Span.EndLinePosition.Line},{p.Span.EndLinePosition.Character}) {p.d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}")
            .OrderBy(s => s, StringComparer.Ordinal).ToList();

    static List<string> PageDiagnostics(JsonElement shown) =>
        shown.GetProperty("markers").EnumerateArray().Select(m =>
        {
            var range = m.GetProperty("range");
            var (start, end) = (range.GetProperty("start"), range.GetProperty("end"));
            return $"{Text(m, "code")} ({start.GetProperty("line").GetInt32()},{start.GetProperty("character").GetInt32()})-({end.GetProperty("line").GetInt32()},{end.GetProperty("character").GetInt32()}) {Text(m, "message")}";
        }).OrderBy(s => s, StringComparer.Ordinal).ToList();

    /// <summary>The language server's inlay hints for the text: line, column and label.</summary>
    static List<string> ServerHints(string text)
    {
        var project = new ProjectState(PlaygroundSite.RootNamespace);
        project.Update(PlaygroundSite.FileName, text);
        return ShapeFeatures.InlayHints(project, PlaygroundSite.FileName, 0, int.MaxValue)
            .Select(h => $"{h.Position.Line}:{h.Position.Character} {h.Label}").ToList();
    }

    static List<string> PageHints(JsonElement shown) =>
        shown.GetProperty("hints").EnumerateArray().Select(h => $"{h.GetProperty("line").GetInt32()}:{h.GetProperty("character").GetInt32()} {Text(h, "label")}").ToList();

    /// <summary>
    /// The summary of each model that checks, as the tools' project model (cnn summary) writes it, and for an input with
    /// size variables the sizes it accepts.
    /// </summary>
    static List<string> BuildSummaries(string text) =>
        CnnProject.Check(new[] { (PlaygroundSite.FileName, text) }, PlaygroundSite.RootNamespace, oneProject: false).Models
            .Select(m => m.Bound!.Name + ": " + m.Bound.FormatSummary() + (m.Bound.SizeVariables.Count > 0 ? "sizes accepted: " + m.Bound.AcceptedSizeRule : "")).ToList();

    static List<string> PageSummaries(JsonElement shown) =>
        shown.GetProperty("models").EnumerateArray().Where(m => m.GetProperty("summary").ValueKind != JsonValueKind.Null)
            .Select(m => Text(m, "name") + ": " + Text(m, "summary") + (m.GetProperty("acceptedSizes").ValueKind == JsonValueKind.Null ? "" : "sizes accepted: " + Text(m, "acceptedSizes"))).ToList();

    [BrowserFact]
    public void Typing_a_mistake_shows_the_compiler_s_squiggle_and_hover_and_the_quick_fix_brings_shapes_and_summary()
    {
        var typed = Text(Shown, "typedText");
        Assert.Equal("model Typed\n  input 1x28x28\n  conv2d 32, kernel=5, padding=same, activation=relu\n  maxpool2d 2\n  dense 10", typed);
        var expected = BuildDiagnostics(typed);
        Assert.Equal(new[] { "CNN2012 (4,2)-(4,10) Layer 'dense' expects a flat (features) input, but its input has shape 32x14x14; add 'flatten' before it" }, expected);
        Assert.Equal(expected, PageDiagnostics(Shown.GetProperty("typed")));
        Assert.Equal(1, Shown.GetProperty("squiggles").GetInt32());
        var hover = Text(Shown, "hoverText");
        Assert.Contains("add 'flatten' before it", hover);
        Assert.Contains("CNN2012", hover);

        Assert.Equal(new[] { "Add 'flatten' before this layer" }, Shown.GetProperty("quickFixes").EnumerateArray().Select(e => e.GetString()));
        var fixedText = Text(Shown, "fixedText");
        Assert.Equal(typed.Replace("  dense 10", "  flatten\n  dense 10"), fixedText);
        Assert.Empty(Shown.GetProperty("fixed").GetProperty("markers").EnumerateArray());
        Assert.Equal(ServerHints(fixedText), PageHints(Shown.GetProperty("fixed")));
        // The shapes as the editor draws them after each line, and the summary beside the text.
        var lines = Text(Shown, "linesShown");
        Assert.Contains("maxpool2d 2-> 32x14x14", lines);
        Assert.Contains("flatten-> 6272", lines);
        Assert.Contains("dense 10-> 10 · 62,730", lines);
        var summary = Assert.Single(BuildSummaries(fixedText));
        Assert.Contains("Total params: 63,562", summary);
        Assert.Contains(summary.Substring("Typed: ".Length).TrimEnd(), Text(Shown, "summaryShown").Replace("\r", ""));

        var completions = Shown.GetProperty("completions").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("conv2d", completions);
        Assert.Contains("conv_transpose2d", completions);
        Assert.DoesNotContain("dense", completions);

        var diagram = Shown.GetProperty("diagram");
        Assert.Equal("Typed", Text(diagram, "model"));
        Assert.Contains("Typed: 63,562 parameters", Text(diagram, "text"));
        Assert.Contains("62,730 params", Text(diagram, "text"));
        Assert.Empty(Shown.GetProperty("consoleErrors").EnumerateArray());
        KeepScreenshots();
    }

    [BrowserFact]
    public void The_page_colours_text_with_the_extension_s_textmate_grammar()
    {
        var tokens = Shown.GetProperty("tokens").EnumerateArray().GroupBy(t => Text(t, "text").Trim()).ToDictionary(g => g.Key, g => Text(g.First(), "type"));
        // The scopes the grammar in editors/vscode/syntaxes gives these words.
        Assert.Equal("support.function.layer.cnn", tokens["conv2d"]);
        Assert.Equal("constant.numeric.cnn", tokens["32"]);
        Assert.Equal("variable.parameter.argument.cnn", tokens["kernel"]);
        Assert.Equal("constant.language.cnn", tokens["relu"]);
        Assert.Equal("comment.line.number-sign.cnn", tokens["# a comment"]);
    }

    [BrowserFact]
    public void A_shared_link_opens_the_same_text_in_a_new_tab_and_a_bomb_or_cut_link_is_refused_with_the_reason()
    {
        Assert.Contains("#code=", Text(Shown, "link"));
        Assert.Equal(Text(Shown, "fixedText"), Text(Shown, "linkText"));
        Assert.Equal("The shared link", Text(Shown, "linkExample"));
        Assert.Equal(new[] { "Pasted" }, Shown.GetProperty("pastedModels").EnumerateArray().Select(e => e.GetString()));
        var refused = Shown.GetProperty("refusedLinks").EnumerateArray().ToDictionary(r => Text(r, "kind"));
        Assert.Equal("The link holds no readable model text (its text is longer than 4 MB); the text is unchanged.", Text(refused["bomb"], "status"));
        Assert.StartsWith("The link holds no readable model text (", Text(refused["cut"], "status"));
        Assert.All(refused.Values, r => Assert.Equal("model Pasted\n  input 1x8x8\n  flatten\n  dense 2\n", Text(r, "text")));
    }

    [BrowserFact]
    public void The_downloaded_onnx_file_is_cnn_export_s_and_runs_in_onnx_runtime_and_the_pytorch_export_is_its_files()
    {
        var project = CnnProject.Check(new[] { (PlaygroundSite.FileName, Text(Shown, "fixedText")) }, PlaygroundSite.RootNamespace);
        var model = project.Models.Single().Bound!;
        var file = Path.Combine(site.Output, "Typed.onnx");
        var bytes = File.ReadAllBytes(file);
        Assert.Equal(OnnxExporter.ExportBytes(model, ModelWeights.Initialize(model, seed: 0), "The untrained weights"), bytes);

        using var session = new InferenceSession(bytes);
        var input = new DenseTensor<float>(Enumerable.Range(0, 2 * 28 * 28).Select(i => (float)Math.Sin(i)).ToArray(), new[] { 2, 1, 28, 28 });
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, input) });
        var scores = results.Single().AsTensor<float>();
        Assert.Equal(new[] { 2, 10 }, scores.Dimensions.ToArray());
        Assert.All(scores, v => Assert.True(float.IsFinite(v)));
        Assert.NotEqual(scores[0, 0], scores[1, 0]);

        using var zip = ZipFile.OpenRead(Path.Combine(site.Output, "Typed-pytorch.zip"));
        var files = PyTorchExporter.Files(model);
        Assert.Equal(files.Select(f => f.Name), zip.Entries.Select(e => e.FullName));
        foreach (var (name, text) in files)
        {
            using var reader = new StreamReader(zip.GetEntry(name)!.Open(), Encoding.UTF8);
            Assert.Equal(text, reader.ReadToEnd());
        }
    }

    [CorpusFact]
    public void The_page_reports_the_build_s_diagnostics_and_the_server_s_shapes_and_summaries_for_the_whole_corpus()
    {
        Browser.RequireAvailable();
        var corpus = Shown.GetProperty("corpus").EnumerateArray().ToList();
        Assert.Equal(site.Cases.Count, corpus.Count);
        Assert.True(corpus.Count >= 150, "only " + corpus.Count + " texts");
        int withDiagnostics = 0, withShapes = 0, nonAscii = 0, withSizeRules = 0;
        foreach (var ((name, text), shown) in site.Cases.Zip(corpus))
        {
            Assert.Equal(name, Text(shown, "name"));
            Assert.True(shown.GetProperty("textKept").GetBoolean(), name + ": the editor changed the text");
            var expected = BuildDiagnostics(text);
            Assert.True(expected.SequenceEqual(PageDiagnostics(shown)), $"{name}\nBuild:\n  {string.Join("\n  ", expected)}\nPage:\n  {string.Join("\n  ", PageDiagnostics(shown))}");
            Assert.Equal(ServerHints(text), PageHints(shown));
            Assert.Equal(BuildSummaries(text), PageSummaries(shown));
            withDiagnostics += expected.Count > 0 ? 1 : 0;
            withShapes += PageHints(shown).Count > 0 ? 1 : 0;
            withSizeRules += PageSummaries(shown).Any(m => m.Contains("sizes accepted: ", StringComparison.Ordinal)) ? 1 : 0;
            nonAscii += expected.Any(d => d.StartsWith("CNN1001") && d.Contains("😀", StringComparison.Ordinal)) ? 1 : 0;
        }
        output.WriteLine($"{corpus.Count} texts: {withDiagnostics} with diagnostics, {withShapes} with shapes, {withSizeRules} with accepted-size rules, {nonAscii} with an emoji diagnostic");
        Assert.True(withSizeRules >= 3, withSizeRules + " texts with accepted-size rules");
        Assert.True(withShapes > corpus.Count / 3, withShapes + " texts with shapes");
        // Every text of the non-ASCII third, and the corpus's own emoji case.
        Assert.True(nonAscii > corpus.Count / 3, nonAscii + " texts with an emoji diagnostic");
    }

    [BrowserFact]
    public void Loading_and_typing_are_timed_in_the_browser()
    {
        // The numbers go to benchmarks/README.md; here only that they were taken, on a page that checked what was typed.
        var load = Shown.GetProperty("load");
        var keys = Shown.GetProperty("keystrokes");
        Assert.Equal(40, keys.GetProperty("count").GetInt32());
        Assert.Equal(0, keys.GetProperty("errorsAfter").GetInt32());
        Assert.True(load.GetProperty("firstDiagnosticsMs").GetDouble() > load.GetProperty("compilerReadyMs").GetDouble());
        output.WriteLine("load: " + load.GetRawText());
        output.WriteLine("ResNet-50 keystrokes: " + keys.GetRawText());
        output.WriteLine("ResNet-50 diagram: " + Shown.GetProperty("resnetDiagramMs").GetRawText());
    }

    [BrowserFact]
    public void A_long_text_is_checked_when_typing_pauses_so_keys_are_not_held_up()
    {
        var longText = Shown.GetProperty("longText");
        var (before, during, after) = (longText.GetProperty("before"), longText.GetProperty("during"), longText.GetProperty("after"));
        int checks = before.GetProperty("checks").GetInt32();
        // The hint of the line typed into: dense 10 became dense 1012345, whenever it was checked.
        Assert.StartsWith("-> 1012345 · ", Text(after, "hint"));
        if (before.GetProperty("lastMs").GetDouble() <= 150)
        {
            // A machine that checks the 800 models within 150 ms checks every key at once, as for any text.
            Assert.Equal(checks + 5, during.GetProperty("checks").GetInt32());
            return;
        }
        Assert.EndsWith("A text this long is checked when typing pauses.", Text(before, "status"));
        // Five keys typed at once: no check while typing, then one.
        Assert.Equal(checks, during.GetProperty("checks").GetInt32());
        Assert.True(during.GetProperty("pending").GetBoolean());
        Assert.Equal(checks + 1, after.GetProperty("checks").GetInt32());
    }

    void KeepScreenshots()
    {
        var kept = Environment.GetEnvironmentVariable("CNNDSL_KEEP_SCREENSHOTS");
        if (kept == null)
            return;
        foreach (var picture in Directory.GetFiles(site.Output, "*.png"))
            File.Copy(picture, Path.Combine(kept, "playground-" + Path.GetFileName(picture)), overwrite: true);
    }
}
