using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using CnnDsl.Fuzz;

// dotnet run -c Release --project tests/CnnDsl.Fuzz -- --cnn 100000 --attributes 10000 --seed 1 [--out fuzz-violations] [--limit-ms 1000]
// dotnet run -c Release --project tests/CnnDsl.Fuzz -- --replay fuzz-violations/violation001.cnn [--show]   (one input, alone; --show prints its diagnostics and generated code)
int cnn = 100_000, attributes = 10_000, seed = 1, batch = 100, hazards = 20;
double limit = 1000;
string output = "fuzz-violations";
string? replay = null;
bool show = false;
if (Array.IndexOf(args, "--show") is var showAt and >= 0)
{
    show = true;
    args = Array.FindAll(args, a => a != "--show");
}
for (int i = 0; i + 1 < args.Length; i += 2)
{
    var value = args[i + 1];
    switch (args[i])
    {
        case "--cnn": cnn = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--attributes": attributes = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--batch": batch = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--hazards": hazards = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--limit-ms": limit = double.Parse(value, CultureInfo.InvariantCulture); break;
        case "--out": output = value; break;
        case "--replay": replay = value; break;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}; options: --cnn N --attributes N --seed N --batch N --limit-ms N --hazards N --out FOLDER; or --replay FILE");
            return 2;
    }
}

if (replay != null)
{
    var runner = new FuzzRunner(FuzzRunner.LoadZoo(FuzzRunner.FindRepoRoot()), limit);
    var input = new FuzzInput(0, "replay", replay.EndsWith(".cnn", StringComparison.OrdinalIgnoreCase), File.ReadAllText(replay), null, null);
    var result = runner.RunAlone(input);
    Console.WriteLine($"{result.Outcome}; {result.GeneratorMilliseconds:F1} ms generator + {result.CompileMilliseconds:F1} ms compile (CPU)");
    foreach (var fact in System.Text.RegularExpressions.Regex.Matches(result.GeneratedText, @"public const long \w+ = [^;]+;|OutputShape \{ get; \} = [^;]+;"))
        Console.WriteLine("  " + fact);
    foreach (var violation in result.Violations)
        Console.WriteLine(violation);
    if (show)
    {
        foreach (var diagnostic in result.Diagnostics)
            Console.WriteLine(diagnostic);
        Console.WriteLine(result.GeneratedText);
    }
    return result.Violations.Count == 0 ? 0 : 1;
}

var campaign = new Campaign(seed, FuzzRunner.FindRepoRoot(), limit);
Console.WriteLine($"seed {seed}: {cnn:N0} .cnn and {attributes:N0} attribute inputs, batches of {batch}, limit {limit} ms per input");
campaign.Run(cnn, attributes, batch, Console.WriteLine);
Console.WriteLine();
Console.Write(campaign.Summary());

// Inputs that may crash the process or never end run last, each in a child process.
var isolated = new IsolatedRunner(seed, TimeSpan.FromSeconds(60));
var hazardFailures = new List<string>();
for (int i = 0; i < hazards; i++)
{
    var text = isolated.NextHazard();
    var stopwatch = Stopwatch.StartNew();
    var failure = isolated.Run(text, output);
    var what = text.Length > 120 ? text.Substring(0, 60).Replace("\n", "\\n") + $"… ({text.Length:N0} characters)" : text.Replace("\n", "\\n");
    if (failure != null)
        hazardFailures.Add($"{what}: {failure}");
    Console.WriteLine($"hazard {i + 1}/{hazards} ({stopwatch.Elapsed.TotalSeconds:F1} s): {(failure == null ? "ok" : "VIOLATION")}  {what}");
}
Console.WriteLine($"isolated hazards: {hazards - hazardFailures.Count} of {hazards} kept every invariant");
foreach (var failure in hazardFailures)
    Console.WriteLine("  " + failure);
if (campaign.Violations.Count > 0 || hazardFailures.Count > 0)
{
    Console.WriteLine($"minimal inputs in {Path.GetFullPath(output)}:");
    campaign.WriteViolations(output, line => Console.WriteLine("  " + line));
    return 1;
}
return 0;
