using System;
using System.Diagnostics;
using Xunit;

namespace CnnDsl.Compiler.Tests.Infrastructure;

/// <summary>Real `dotnet build` runs of temporary projects.</summary>
public static class DotNet
{
    /// <summary>
    /// Builds one project without its project references (the test project has built them) and returns the exit code
    /// and everything it printed.
    /// </summary>
    public static (int ExitCode, string Output) Build(string project, string arguments = "")
    {
        var start = new ProcessStartInfo("dotnet", $"build \"{project}\" --no-dependencies -nologo -clp:NoSummary {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(4)), "dotnet build timed out");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
