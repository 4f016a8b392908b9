using System;
using System.Diagnostics;
using System.IO;

namespace CnnDsl.Export.Tests.Infrastructure;

/// <summary>Runs the real cnn tool (built beside the tests) as a child process.</summary>
public static class CnnTool
{
    public static string Assembly => Path.Combine(AppContext.BaseDirectory, "cnn.dll");

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit code {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
    }

    public static Result Run(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Assembly);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("cnn " + string.Join(" ", arguments) + " did not finish in 2 minutes");
        }
        return new Result(process.ExitCode, output.Result, error.Result);
    }
}
