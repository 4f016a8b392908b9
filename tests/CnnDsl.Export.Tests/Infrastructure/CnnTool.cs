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

    public static Result Run(string workingDirectory, params string[] arguments) => RunTool(Assembly, workingDirectory, arguments);

    /// <summary>The training tool, cnn-train, which carries libtorch.</summary>
    public static Result RunTrain(string workingDirectory, params string[] arguments) => RunTool(Path.Combine(AppContext.BaseDirectory, "cnn-train.dll"), workingDirectory, arguments);

    public static Result RunTool(string assembly, string workingDirectory, string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(4)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("cnn " + string.Join(" ", arguments) + " did not finish in 4 minutes");
        }
        return new Result(process.ExitCode, output.Result, error.Result);
    }
}
