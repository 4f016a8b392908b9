using System;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace CnnDsl.Benchmarks;

static class Checks
{
    /// <summary>Fails unless the last run threw nothing, reported nothing and emitted one source per model.</summary>
    public static void AssertAllEmitted(GeneratorDriver driver, int models)
    {
        var result = driver.GetRunResult().Results.Single();
        if (result.Exception != null)
            throw new InvalidOperationException("The generator threw.", result.Exception);
        if (!result.Diagnostics.IsEmpty)
            throw new InvalidOperationException("The generator reported diagnostics: " + string.Join("; ", result.Diagnostics));
        if (result.GeneratedSources.Length != models)
            throw new InvalidOperationException($"Expected {models} generated sources, got {result.GeneratedSources.Length}.");
    }

    /// <summary>Fails unless the Dsl found no problem and checked at least one model.</summary>
    public static void AssertNoDiagnostics(CnnDsl.Dsl.CnnCompilation compilation)
    {
        if (compilation.Diagnostics.Count > 0 || compilation.Models.Count == 0)
            throw new InvalidOperationException("The benchmark model does not check: " + string.Join("; ", compilation.Diagnostics));
    }
}
