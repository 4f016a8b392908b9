using System;
using System.Globalization;
using System.IO;
using CnnDsl.Fuzz;

// dotnet run -c Release --project tests/CnnDsl.Fuzz -- --cnn 100000 --attributes 10000 --seed 1 [--out fuzz-violations] [--limit-ms 1000]
// dotnet run -c Release --project tests/CnnDsl.Fuzz -- --replay fuzz-violations/violation001.cnn   (one input, alone)
int cnn = 100_000, attributes = 10_000, seed = 1, batch = 100;
double limit = 1000;
string output = "fuzz-violations";
string? replay = null;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    var value = args[i + 1];
    switch (args[i])
    {
        case "--cnn": cnn = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--attributes": attributes = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--batch": batch = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--limit-ms": limit = double.Parse(value, CultureInfo.InvariantCulture); break;
        case "--out": output = value; break;
        case "--replay": replay = value; break;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}; options: --cnn N --attributes N --seed N --batch N --limit-ms N --out FOLDER");
            return 2;
    }
}

if (replay != null)
{
    var runner = new FuzzRunner(FuzzRunner.LoadZoo(FuzzRunner.FindRepoRoot()), limit);
    var input = new FuzzInput(0, "replay", replay.EndsWith(".cnn", StringComparison.OrdinalIgnoreCase), File.ReadAllText(replay), null, null);
    var result = runner.RunAlone(input);
    Console.WriteLine($"{result.Outcome}; {result.GeneratorMilliseconds:F1} ms generator + {result.CompileMilliseconds:F1} ms compile (CPU)");
    foreach (var violation in result.Violations)
        Console.WriteLine(violation);
    return result.Violations.Count == 0 ? 0 : 1;
}

var campaign = new Campaign(seed, FuzzRunner.FindRepoRoot(), limit);
Console.WriteLine($"seed {seed}: {cnn:N0} .cnn and {attributes:N0} attribute inputs, batches of {batch}, limit {limit} ms per input");
campaign.Run(cnn, attributes, batch, Console.WriteLine);
Console.WriteLine();
Console.Write(campaign.Summary());
if (campaign.Violations.Count > 0)
{
    Console.WriteLine($"minimal inputs in {Path.GetFullPath(output)}:");
    campaign.WriteViolations(output, line => Console.WriteLine("  " + line));
    return 1;
}
return 0;
