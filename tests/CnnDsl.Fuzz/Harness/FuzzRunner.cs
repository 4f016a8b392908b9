using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Text.RegularExpressions;
using System.Threading;
using Basic.Reference.Assemblies;
using CnnDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace CnnDsl.Fuzz;

/// <summary>A broken invariant: what broke, for which input.</summary>
public sealed record Violation(FuzzInput Input, string Kind, string Detail)
{
    public override string ToString() => $"{Kind} on input {Input.Index} ({Input.Category}): {Detail}";
}

/// <summary>What became of one input.</summary>
public sealed class InputResult
{
    public InputResult(FuzzInput input) => Input = input;

    public FuzzInput Input { get; }
    public string Outcome { get; set; } = "nothing";
    public double GeneratorMilliseconds { get; set; }
    public double CompileMilliseconds { get; set; }
    public List<Violation> Violations { get; } = new();
    internal List<SyntaxTree> Trees { get; } = new();
    internal SyntaxTree? UserTree { get; set; }
    public string GeneratedText { get; set; } = "";
    public IReadOnlyList<Diagnostic> Diagnostics { get; set; } = Array.Empty<Diagnostic>();
}

/// <summary>
/// Runs the real generator (Roslyn's driver) on each input and checks the invariants: no generator exception, no
/// CS8784/CS8785, no CNN9xxx, every CNN diagnostic's span inside its file, every generated file compiles, the counts
/// and shapes of a model with a known answer equal the answer, and no input takes over the time limit. Inputs are
/// compiled in batches to amortise Roslyn's binding of the references; an error in a batch is confirmed on the input
/// alone, so inputs that merely clash with each other are not blamed.
/// </summary>
public sealed class FuzzRunner
{
    static readonly ImmutableArray<MetadataReference> References =
        Net100.References.All.Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(CnnDsl.ICnnModel).Assembly.Location))
            .ToImmutableArray();

    static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    readonly CSharpCompilation empty;
    readonly IReadOnlyDictionary<string, string> zoo;

    public FuzzRunner(IReadOnlyDictionary<string, string> zooTexts, double limitMilliseconds = 1000)
    {
        zoo = zooTexts;
        LimitMilliseconds = limitMilliseconds;
        empty = CSharpCompilation.Create("Fuzz", Array.Empty<SyntaxTree>(), References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
                .WithConcurrentBuild(false)
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress }));
        // Binding the references and running the generator once up front keeps that cost out of the first input's time.
        empty.GetDiagnostics();
        RunAlone(new FuzzInput(-1, "warm-up", true, "model Warm\n  input 1x8x8\n  conv2d 2, 3\n  flatten\n  dense 2\n", null, null));
        RunAlone(new FuzzInput(-1, "warm-up", false, "[global::CnnDsl.CnnModel(Input = \"4\")]\n[global::CnnDsl.Dense(2)]\npartial class Warm;\n", null, null));
    }

    public double LimitMilliseconds { get; }

    public static IReadOnlyDictionary<string, string> LoadZoo(string repoRoot) =>
        Directory.GetFiles(Path.Combine(repoRoot, "src", "Dsl", "Zoo"), "*.cnn").ToDictionary(path => Path.GetFileName(path), File.ReadAllText);

    public static string FindRepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory != null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "CnnDsl.sln")))
                return directory.FullName;
        throw new InvalidOperationException("CnnDsl.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Runs and checks a batch of inputs; their generated files are compiled together, then alone where a batch fails.</summary>
    public List<InputResult> RunBatch(IReadOnlyList<FuzzInput> inputs)
    {
        var results = inputs.Select(Generate).ToList();
        var eligible = results.Where(r => r.Trees.Count > 0).ToList();
        if (eligible.Count == 0)
            return results;
        var trees = eligible.SelectMany(r => r.Trees.Concat(r.UserTree != null ? new[] { r.UserTree } : Array.Empty<SyntaxTree>())).ToList();
        var owner = new Dictionary<SyntaxTree, InputResult>();
        foreach (var result in eligible)
            foreach (var tree in result.Trees.Concat(result.UserTree != null ? new[] { result.UserTree } : Array.Empty<SyntaxTree>()))
                owner[tree] = result;
        var stopwatch = CpuClock.StartNew();
        var errors = Errors(empty.AddSyntaxTrees(trees), inputs.Count * LimitMilliseconds);
        stopwatch.Stop();
        var suspects = errors == null
            ? eligible
            : errors.Where(e => e.Location.SourceTree != null && owner.ContainsKey(e.Location.SourceTree)).Select(e => owner[e.Location.SourceTree!]).Distinct().ToList();
        foreach (var result in eligible)
            result.CompileMilliseconds = stopwatch.ElapsedMilliseconds / eligible.Count;
        // A slow batch is timed input by input, so that the slow one is named.
        if (errors != null && stopwatch.ElapsedMilliseconds > Math.Max(2 * LimitMilliseconds, 40.0 * eligible.Count))
            suspects = suspects.Union(eligible).ToList();
        foreach (var result in suspects)
            CompileAlone(result);
        return results;
    }

    /// <summary>Runs and checks one input on its own, as a minimizer needs.</summary>
    public InputResult RunAlone(FuzzInput input)
    {
        var result = Generate(input);
        if (result.Trees.Count > 0)
            CompileAlone(result);
        return result;
    }

    InputResult Generate(FuzzInput input)
    {
        var result = new InputResult(input);
        var generator = new CnnModelGenerator().AsSourceGenerator();
        GeneratorDriver driver;
        Compilation compilation = empty;
        if (input.IsCnn)
        {
            driver = CSharpGeneratorDriver.Create(new[] { generator }, new AdditionalText[] { new Text(input.Path, input.Text) }, ParseOptions,
                new Options("Fuzz" + input.Index));
        }
        else
        {
            result.UserTree = CSharpSyntaxTree.ParseText(input.Text, ParseOptions, path: input.Path);
            compilation = empty.AddSyntaxTrees(result.UserTree);
            driver = CSharpGeneratorDriver.Create(new[] { generator }, parseOptions: ParseOptions, optionsProvider: new Options("Fuzz" + input.Index));
        }
        var stopwatch = CpuClock.StartNew();
        var fresh = driver;
        driver = driver.RunGenerators(compilation);
        stopwatch.Stop();
        result.GeneratorMilliseconds = stopwatch.ElapsedMilliseconds;
        if (result.GeneratorMilliseconds > LimitMilliseconds)
        {
            // One remeasure from a fresh driver: a busy machine may stall any single run.
            stopwatch.Restart();
            fresh.RunGenerators(compilation);
            stopwatch.Stop();
            result.GeneratorMilliseconds = Math.Min(result.GeneratorMilliseconds, stopwatch.ElapsedMilliseconds);
        }
        var run = driver.GetRunResult().Results[0];
        result.Diagnostics = run.Diagnostics;

        if (run.Exception != null)
            result.Violations.Add(new Violation(input, "generator exception", run.Exception.GetType().Name + ": " + run.Exception.Message));
        foreach (var diagnostic in run.Diagnostics)
        {
            if (diagnostic.Id is "CS8784" or "CS8785" || diagnostic.Id.StartsWith("CNN9", StringComparison.Ordinal))
                result.Violations.Add(new Violation(input, diagnostic.Id, diagnostic.GetMessage(CultureInfo.InvariantCulture)));
            else if (diagnostic.Id.StartsWith("CNN", StringComparison.Ordinal))
                CheckLocations(result, diagnostic);
        }
        // One mistake is one diagnostic, not one per path through blocks; two a line is a generous bound.
        int lines = input.Text.Split('\n').Length;
        int reported = run.Diagnostics.Count(d => d.Id.StartsWith("CNN", StringComparison.Ordinal));
        if (input.IsCnn && reported > 2 * lines + 10)
            result.Violations.Add(new Violation(input, "more diagnostics than the input has lines", $"{reported} diagnostics for {lines} lines"));
        // A flood in its plainest form: the same diagnostic, at the same place, twice.
        var repeated = run.Diagnostics.Where(d => d.Id.StartsWith("CNN", StringComparison.Ordinal))
            .GroupBy(d => (d.Id, d.Location.GetLineSpan().Path, d.Location.SourceSpan, d.GetMessage(CultureInfo.InvariantCulture)))
            .FirstOrDefault(g => g.Count() > 1);
        if (repeated != null)
            result.Violations.Add(new Violation(input, "the same diagnostic more than once", $"{repeated.Count()} × {repeated.Key.Id} at {repeated.Key.SourceSpan}"));
        if (result.GeneratorMilliseconds > LimitMilliseconds)
            result.Violations.Add(new Violation(input, "slow generator", $"{result.GeneratorMilliseconds:F0} ms of CPU in the generator"));

        bool hasErrors = run.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
        result.Trees.AddRange(run.GeneratedSources.Select(s => s.SyntaxTree));
        result.GeneratedText = string.Join("\n", run.GeneratedSources.Select(s => s.SourceText.ToString()));
        result.Outcome = run.Exception != null ? "exception"
            : hasErrors && result.Trees.Count > 0 ? "errors, some models emitted"
            : hasErrors ? "errors"
            : result.Trees.Count > 0 ? (run.Diagnostics.Length > 0 ? "emitted with warnings" : "emitted")
            : run.Diagnostics.Length > 0 ? "warnings only" : "nothing";
        if (input.Expected != null)
            CheckExpectation(result, hasErrors);
        if (input.UserBlockClasses is int classes && !hasErrors)
        {
            // Each block and input rank it is used at is a class of its own; two of them in one class is a wrong model.
            var blockFiles = run.GeneratedSources.Select(s => s.HintName).Where(h => h.EndsWith(".block.g.cs", StringComparison.Ordinal) && !h.StartsWith("CnnDsl.Zoo.", StringComparison.Ordinal)).ToList();
            if (blockFiles.Count != classes)
                result.Violations.Add(new Violation(input, "two blocks, one class", $"{classes} block uses by rank became {blockFiles.Count} classes: {string.Join(", ", blockFiles)}"));
        }
        foreach (var source in run.GeneratedSources)
            CheckDerivedNumbers(result, source.SourceText.ToString());
        return result;
    }

    /// <summary>
    /// Every number the summary derives from a count, its size in bytes as float32, recomputed in BigInteger: a wrapped
    /// product shows as a negative or a wrong size.
    /// </summary>
    static void CheckDerivedNumbers(InputResult result, string source)
    {
        foreach (Match total in Regex.Matches(source, @"^ *""((?:Total|Trainable|Non-trainable) (?:params|state)): ([\d,]+) \(([^)]*)\)\\n""", RegexOptions.Multiline))
        {
            var count = BigInteger.Parse(total.Groups[2].Value.Replace(",", ""), CultureInfo.InvariantCulture);
            var expected = Bytes(count * 4);
            if (total.Groups[3].Value != expected)
                result.Violations.Add(new Violation(result.Input, "derived number differs from BigInteger", $"{total.Groups[1].Value}: {total.Groups[2].Value} is {expected}, not {total.Groups[3].Value}"));
        }
    }

    // Keras' size in parentheses: bytes below 1 KiB, else two decimals of the largest binary unit below it.
    static string Bytes(BigInteger bytes)
    {
        if (bytes < 1024)
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        string[] units = { "KB", "MB", "GB", "TB", "PB", "EB" };
        int unit = 0;
        var scale = new BigInteger(1024);
        while (unit < units.Length - 1 && bytes >= scale * 1024)
        {
            scale *= 1024;
            unit++;
        }
        return ((double)bytes / (double)scale).ToString("0.00", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    void CheckLocations(InputResult result, Diagnostic diagnostic)
    {
        foreach (var location in new[] { diagnostic.Location }.Concat(diagnostic.AdditionalLocations))
        {
            int length;
            if (location.SourceTree != null)
                length = location.SourceTree.Length;
            else if (location.Kind == LocationKind.ExternalFile)
            {
                var path = location.GetLineSpan().Path;
                if (path == result.Input.Path)
                    length = result.Input.Text.Length;
                else if (zoo.TryGetValue(Path.GetFileName(path), out var zooText))
                    length = zooText.Length;
                else
                {
                    result.Violations.Add(new Violation(result.Input, "diagnostic in an unknown file", diagnostic.Id + " at '" + path + "'"));
                    continue;
                }
            }
            else
            {
                result.Violations.Add(new Violation(result.Input, "diagnostic without a location", diagnostic.ToString()));
                continue;
            }
            if (location.SourceSpan.Start < 0 || location.SourceSpan.End > length)
                result.Violations.Add(new Violation(result.Input, "diagnostic span outside its file", $"{diagnostic.Id} at {location.SourceSpan} in a file of {length} characters"));
        }
    }

    void CheckExpectation(InputResult result, bool hasErrors)
    {
        var expected = result.Input.Expected!;
        var name = result.Input.ModelName!;
        var source = result.Trees.Select(t => t.ToString()).FirstOrDefault(s => s.Contains(" partial class " + name + " "));
        if (hasErrors || source == null)
        {
            result.Outcome = expected.MustFail != null ? "rejected, as expected" : "rejected a model with a known answer";
            return;
        }
        if (expected.MustFail != null)
        {
            result.Violations.Add(new Violation(result.Input, "accepted a model it must reject", "expected " + expected.Describe() + ", got " + Facts(source)));
            return;
        }
        var actual = Facts(source);
        if (actual != expected.Describe())
            result.Violations.Add(new Violation(result.Input, "count or shape differs from BigInteger", "expected " + expected.Describe() + ", got " + actual));
    }

    static string Facts(string source)
    {
        string Constant(string name) => Regex.Match(source, @"public const long " + name + @" = (-?[\d_]+);").Groups[1].Value.Replace("_", "");
        var shape = Regex.Match(source, @"OutputShape \{ get; \} = new long\[\] \{ ([^}]*) \}").Groups[1].Value.Trim();
        return "ParameterCount " + Constant("ParameterCount") + ", StateCount " + Constant("StateCount") + ", OutputShape (" + shape + ")";
    }

    /// <summary>Compile CPU time allowed per layer a model stands for (each has a handle in the generated code).</summary>
    public const double CompileMillisecondsPerLayer = 0.5;

    // Roslyn's time grows with the code a model needs, which grows with its layers: the limit is the per-input one, or a
    // flat cost per layer for models of thousands of layers (a chain of blocks that each use the next twice expands to 2^n).
    double CompileLimit(InputResult result) =>
        Math.Max(LimitMilliseconds, CompileMillisecondsPerLayer * Regex.Matches(result.GeneratedText, "new global::CnnDsl.LayerHandle\\(").Count);

    void CompileAlone(InputResult result)
    {
        var user = result.UserTree != null ? new[] { result.UserTree } : Array.Empty<SyntaxTree>();
        var before = user.Length == 0 ? new List<Diagnostic>() : Errors(empty.AddSyntaxTrees(user), LimitMilliseconds * 10) ?? new List<Diagnostic>();
        var limit = CompileLimit(result);
        var stopwatch = CpuClock.StartNew();
        var after = Errors(empty.AddSyntaxTrees(user.Concat(result.Trees)), limit * 10);
        stopwatch.Stop();
        result.CompileMilliseconds = stopwatch.ElapsedMilliseconds;
        if (after == null)
        {
            result.Violations.Add(new Violation(result.Input, "slow compile", $"compiling the generated code took over {limit * 10:F0} ms"));
            return;
        }
        if (before.Count > 0)
        {
            // The C# around the attributes is itself wrong: the generated code is judged only if it adds no errors of its own.
            var known = new HashSet<string>(before.Select(d => d.ToString()));
            after = after.Where(d => !known.Contains(d.ToString()) && d.Location.SourceTree != result.UserTree).ToList();
        }
        // The first error names the cause; the rest of a broken file mostly follows from it.
        foreach (var error in after.OrderBy(e => e.Location.SourceSpan.Start).Take(1))
            result.Violations.Add(new Violation(result.Input, "generated code does not compile: " + error.Id, error.GetMessage(CultureInfo.InvariantCulture) + " (line " + (error.Location.GetLineSpan().StartLinePosition.Line + 1) + " of the generated code)"));
        if (result.CompileMilliseconds > limit)
        {
            // One remeasure: a busy machine may stall any single compile.
            stopwatch.Restart();
            Errors(empty.AddSyntaxTrees(user.Concat(result.Trees)), limit * 10);
            stopwatch.Stop();
            result.CompileMilliseconds = Math.Min(result.CompileMilliseconds, stopwatch.ElapsedMilliseconds);
            if (result.CompileMilliseconds > limit)
                result.Violations.Add(new Violation(result.Input, "slow compile", $"{result.CompileMilliseconds:F0} ms of CPU to compile the generated code (limit {limit:F0} ms)"));
        }
    }

    // Null when the compile ran past the time given.
    static List<Diagnostic>? Errors(Compilation compilation, double milliseconds)
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(milliseconds));
        try
        {
            return compilation.GetDiagnostics(cancellation.Token).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// The CPU time this process spends, rather than wall time: the limit is about the input, and on a shared machine
    /// the wall time of any single compile can stall for seconds. Compiles run on one thread, so no parallel work hides.
    /// </summary>
    sealed class CpuClock
    {
        TimeSpan start = Now;

        static TimeSpan Now
        {
            get
            {
                using var process = Process.GetCurrentProcess();
                return process.TotalProcessorTime;
            }
        }

        public static CpuClock StartNew() => new();

        public void Restart() => start = Now;

        public void Stop() => ElapsedMilliseconds = (Now - start).TotalMilliseconds;

        public double ElapsedMilliseconds { get; private set; }
    }

    sealed class Text(string path, string text) : AdditionalText
    {
        readonly SourceText source = SourceText.From(text);
        public override string Path { get; } = path;
        public override SourceText GetText(CancellationToken cancellationToken = default) => source;
    }

    sealed class Options(string rootNamespace) : AnalyzerConfigOptionsProvider
    {
        readonly Global global = new(rootNamespace);
        public override AnalyzerConfigOptions GlobalOptions => global;
        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Global.None;
        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Global.None;

        sealed class Global(string? rootNamespace) : AnalyzerConfigOptions
        {
            public static readonly Global None = new(null);

            public override bool TryGetValue(string key, out string value)
            {
                value = rootNamespace ?? "";
                return key == "build_property.RootNamespace" && rootNamespace != null;
            }
        }
    }
}
