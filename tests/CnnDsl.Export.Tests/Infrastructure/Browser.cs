using System;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace CnnDsl.Export.Tests.Infrastructure;

/// <summary>A test that drives Debian's Chromium through tests/browser (puppeteer-core); skipped with the reason where either is missing, failing under CI.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (Browser.Missing is string reason && !OnnxChecker.OnCi)
            Skip = reason;
    }
}

public static class Browser
{
    public static string Folder { get; } = Path.Combine(ModelService.RepoRoot(), "tests", "browser");

    /// <summary>Why the browser tests cannot run here, or null.</summary>
    public static string? Missing { get; } =
        !File.Exists("/usr/bin/chromium") && Environment.GetEnvironmentVariable("CHROMIUM_PATH") == null ? "Chromium is not installed (apt-get install chromium; .ci/run does it)."
        : !Directory.Exists(Path.Combine(Folder, "node_modules", "puppeteer-core")) ? "tests/browser's npm packages are not installed (npm ci in tests/browser; .ci/run does it)."
        : null;

    /// <summary>Runs a scenario script of tests/browser with Node; its one JSON line on success.</summary>
    public static string Run(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), $"node {script} timed out");
        Assert.True(process.ExitCode == 0, $"node {script} exited with {process.ExitCode}:\n{output.Result}\n{error.Result}");
        return output.Result.Trim();
    }
}
