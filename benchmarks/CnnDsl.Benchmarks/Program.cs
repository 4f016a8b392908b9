using System;
using System.Linq;
using BenchmarkDotNet.Running;

namespace CnnDsl.Benchmarks;

/// <summary>
/// <c>-- --verify</c> checks that one edit re-emits only its model; <c>-- --growth</c> times the generator on models of
/// 1,000 to 16,000 layers; any other arguments go to BenchmarkDotNet,
/// e.g. <c>-- --filter '*'</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Contains("--verify"))
            return IncrementalityCheck.Run();
        if (args.Contains("--growth"))
            return GrowthCheck.Run(args);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
