using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Generator;
using Microsoft.CodeAnalysis;

namespace CnnDsl.Benchmarks;

/// <summary>
/// Shows that editing one .cnn file re-emits only that model: runs the generator with step tracking on, edits one file
/// (revision A to B and back), and counts the run reasons of every tracked step and of the source outputs.
/// </summary>
static class IncrementalityCheck
{
    const int EditedModel = 42;

    public static int Run()
    {
        var project = new ModelProject();
        var driver = project.CreateDriver(trackSteps: true).RunGenerators(project.Compilation);
        Checks.AssertAllEmitted(driver, ModelProject.ModelCount);
        Console.WriteLine($"Cold run: {Sources(driver).Count} sources generated for {ModelProject.ModelCount} models.");

        var failures = 0;
        var current = project.Files[EditedModel];
        foreach (var (label, text) in new[] { ("A -> B", project.Edited[EditedModel]), ("B -> A", project.Original[EditedModel]) })
        {
            var before = Sources(driver);
            var replacement = new InMemoryAdditionalText(ModelProject.PathOf(EditedModel), text);
            driver = driver.ReplaceAdditionalText(current, replacement).RunGenerators(project.Compilation);
            current = replacement;
            Checks.AssertAllEmitted(driver, ModelProject.ModelCount);

            var result = driver.GetRunResult().Results.Single();
            Console.WriteLine();
            Console.WriteLine($"Edit {label} of {ModelProject.NameOf(EditedModel)}.cnn: output reasons per step (one count per step output)");
            foreach (var name in TrackingNames.All)
                if (result.TrackedSteps.TryGetValue(name, out var steps))
                    Console.WriteLine($"  {name,-22} {Describe(steps)}");
            foreach (var (name, steps) in result.TrackedOutputSteps)
                Console.WriteLine($"  {name + " (output)",-22} {Describe(steps)}");

            var after = Sources(driver);
            var changed = after.Where(s => !before.TryGetValue(s.Key, out var old) || old != s.Value).Select(s => s.Key).ToList();
            Console.WriteLine($"  Generated sources whose text changed: {changed.Count} ({string.Join(", ", changed)})");

            // Per model: the CnnModels step runs once per file, ModelsToEmit and the source output once per model
            // result (a file yields its model plus a model-less result carrying the file's diagnostics).
            failures += Expect($"CnnModels: 1 of {ModelProject.ModelCount} files recompiled",
                Count(result.TrackedSteps[TrackingNames.CnnModels], IncrementalStepRunReason.Modified, IncrementalStepRunReason.New) == 1
                && Count(result.TrackedSteps[TrackingNames.CnnModels], IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged) == ModelProject.ModelCount - 1);
            failures += Expect("ModelsToEmit: exactly 1 output New/Modified",
                Count(result.TrackedSteps[TrackingNames.ModelsToEmit], IncrementalStepRunReason.Modified, IncrementalStepRunReason.New) == 1);
            var outputs = result.TrackedOutputSteps.Values.SelectMany(s => s).ToList();
            failures += Expect("Source outputs: exactly 1 New/Modified, all others Cached/Unchanged",
                Count(outputs, IncrementalStepRunReason.Modified, IncrementalStepRunReason.New) == 1
                && Count(outputs, IncrementalStepRunReason.Removed) == 0);
            failures += Expect($"Generated sources: only {ModelProject.NameOf(EditedModel)} changed",
                changed.Count == 1 && changed[0] == $"{ModelProject.RootNamespace}.{ModelProject.NameOf(EditedModel)}.g.cs");
        }
        Console.WriteLine();
        Console.WriteLine(failures == 0 ? "Incrementality check passed." : $"Incrementality check FAILED ({failures}).");
        return failures == 0 ? 0 : 1;
    }

    static Dictionary<string, string> Sources(GeneratorDriver driver) =>
        driver.GetRunResult().Results.Single().GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());

    static int Count(IEnumerable<IncrementalGeneratorRunStep> steps, params IncrementalStepRunReason[] reasons) =>
        steps.SelectMany(s => s.Outputs).Count(o => reasons.Contains(o.Reason));

    static string Describe(IEnumerable<IncrementalGeneratorRunStep> steps)
    {
        var list = steps.ToList();
        var reasons = list.SelectMany(s => s.Outputs).GroupBy(o => o.Reason).OrderBy(g => g.Key)
            .Select(g => $"{g.Key} {g.Count()}");
        return $"{list.Count} step runs: " + string.Join(", ", reasons);
    }

    static int Expect(string what, bool ok)
    {
        Console.WriteLine($"  [{(ok ? "ok" : "FAIL")}] {what}");
        return ok ? 0 : 1;
    }
}
