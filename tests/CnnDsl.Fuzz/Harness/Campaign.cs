using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace CnnDsl.Fuzz;

/// <summary>
/// A seeded run over many inputs: counts per outcome, the slowest input, and each kind of violation with its first
/// input reduced to a minimal one.
/// </summary>
public sealed class Campaign
{
    readonly FuzzRunner runner;
    readonly InputGenerator generator;

    public Campaign(int seed, string repoRoot, double limitMilliseconds = 1000)
    {
        runner = new FuzzRunner(FuzzRunner.LoadZoo(repoRoot), limitMilliseconds);
        generator = new InputGenerator(seed, InputGenerator.LoadSeeds(repoRoot));
    }

    public Dictionary<string, int> Outcomes { get; } = new();
    public Dictionary<string, List<Violation>> Violations { get; } = new();
    public InputResult? Slowest { get; private set; }
    public int CnnInputs { get; private set; }
    public int AttributeInputs { get; private set; }
    public TimeSpan Elapsed { get; private set; }
    public double GeneratorMilliseconds { get; private set; }
    public double CompileMilliseconds { get; private set; }

    /// <summary>Skips inputs a caller knows to be open problems, by predicate on the violation.</summary>
    public Func<Violation, bool> Ignore { get; set; } = _ => false;

    public void Run(int cnnInputs, int attributeInputs, int batchSize = 100, Action<string>? progress = null)
    {
        var stopwatch = Stopwatch.StartNew();
        long index = 0;
        int done = 0, total = cnnInputs + attributeInputs;
        while (CnnInputs < cnnInputs || AttributeInputs < attributeInputs)
        {
            var batch = new List<FuzzInput>();
            while (batch.Count < batchSize && CnnInputs < cnnInputs)
            {
                batch.Add(generator.NextCnn(index++));
                CnnInputs++;
            }
            // Attribute batches are separate, so one C# compilation holds one form.
            if (batch.Count == 0)
                while (batch.Count < batchSize && AttributeInputs < attributeInputs)
                {
                    batch.Add(generator.NextAttributes(index++));
                    AttributeInputs++;
                }
            foreach (var result in runner.RunBatch(batch))
                Record(result);
            done += batch.Count;
            if (progress != null && done % 5000 < batchSize)
                progress($"{done:N0}/{total:N0} inputs, {Violations.Sum(v => v.Value.Count)} violations, {stopwatch.Elapsed:hh\\:mm\\:ss}");
        }
        Elapsed = stopwatch.Elapsed;
    }

    void Record(InputResult result)
    {
        var key = (result.Input.IsCnn ? "cnn " : "attributes ") + result.Outcome;
        Outcomes[key] = Outcomes.GetValueOrDefault(key) + 1;
        GeneratorMilliseconds += result.GeneratorMilliseconds;
        CompileMilliseconds += result.CompileMilliseconds;
        if (Slowest == null || Total(result) > Total(Slowest))
            Slowest = result;
        foreach (var violation in result.Violations.Where(v => !Ignore(v)))
        {
            var signature = Signature(violation);
            if (!Violations.TryGetValue(signature, out var list))
                Violations[signature] = list = new List<Violation>();
            list.Add(violation);
        }
    }

    static double Total(InputResult result) => result.GeneratorMilliseconds + result.CompileMilliseconds;

    /// <summary>The kind of a violation without its numbers and names, so repeats of one bug count as one.</summary>
    public static string Signature(Violation violation) =>
        violation.Kind + ": " + Regex.Replace(Regex.Replace(Regex.Replace(violation.Detail, @" \(line \d+ of the generated code\)$|, got .*$", ""), @"'[^']*'", "'…'"), @"-?\d[\d_,.]*", "#");

    /// <summary>Shrinks an input while it still breaks the same invariant: whole lines first, then single characters.</summary>
    public string Minimize(Violation violation, int budget = 400)
    {
        var input = violation.Input;
        if (input.Expected != null || input.UserBlockClasses != null)
            return input.Text;
        var signature = Signature(violation);
        bool StillFails(string text)
        {
            if (budget-- <= 0)
                return false;
            var result = runner.RunAlone(input with { Text = text });
            return result.Violations.Any(v => Signature(v) == signature);
        }
        var lines = input.Text.Split('\n').ToList();
        for (int chunk = Math.Max(1, lines.Count / 2); chunk >= 1; chunk /= 2)
        {
            for (int start = 0; start < lines.Count && budget > 0;)
            {
                var candidate = lines.Take(start).Concat(lines.Skip(start + chunk)).ToList();
                if (candidate.Count > 0 && StillFails(string.Join("\n", candidate)))
                    lines = candidate;
                else
                    start += chunk;
            }
        }
        var text = string.Join("\n", lines);
        // Character by character only for .cnn text: C# cut at random characters stops reading as the model it was.
        for (int i = text.Length - 1; input.IsCnn && i >= 0 && budget > 0 && text.Length < 400; i--)
        {
            var candidate = text.Remove(i, 1);
            if (StillFails(candidate))
                text = candidate;
        }
        return text;
    }

    public string Summary()
    {
        var text = new StringBuilder();
        text.AppendLine($"{CnnInputs:N0} .cnn inputs and {AttributeInputs:N0} attribute inputs in {Elapsed:hh\\:mm\\:ss} ({GeneratorMilliseconds / 1000:F0} s of CPU in the generator, {CompileMilliseconds / 1000:F0} s compiling its output)");
        foreach (var outcome in Outcomes.OrderBy(o => o.Key))
            text.AppendLine($"  {outcome.Key,-45} {outcome.Value,9:N0}");
        if (Slowest != null)
            text.AppendLine($"slowest input: {Slowest.Input.Index} ({Slowest.Input.Category}), {Slowest.GeneratorMilliseconds:F1} ms generator + {Slowest.CompileMilliseconds:F1} ms compile (CPU)");
        text.AppendLine($"violations: {Violations.Sum(v => v.Value.Count):N0} in {Violations.Count} kinds");
        foreach (var group in Violations.OrderByDescending(v => v.Value.Count))
            text.AppendLine($"  {group.Value.Count,7:N0} × {group.Key}");
        return text.ToString();
    }

    /// <summary>Writes each kind of violation's first input, minimized, to <paramref name="folder"/>.</summary>
    public void WriteViolations(string folder, Action<string>? progress = null)
    {
        Directory.CreateDirectory(folder);
        int n = 0;
        foreach (var group in Violations.OrderByDescending(v => v.Value.Count))
        {
            var first = group.Value[0];
            var minimal = Minimize(first);
            var extension = first.Input.IsCnn ? ".cnn" : ".cs";
            var file = Path.Combine(folder, $"violation{++n:D3}{extension}");
            File.WriteAllText(file, minimal);
            File.WriteAllText(Path.ChangeExtension(file, ".txt"),
                $"{group.Key}\n{group.Value.Count} inputs; first: {first}\n--- original input ---\n{first.Input.Text}\n--- minimal input ---\n{minimal}\n");
            progress?.Invoke($"{file}: {group.Key}");
        }
    }
}
