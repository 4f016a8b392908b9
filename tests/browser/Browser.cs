using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace CnnDsl.Tests.Shared;

// Compiled into each test project that drives a page (linked from tests/browser), so that all of them start Chromium the
// same way: through the scenario scripts beside this file and their shared harness, browser.js.

/// <summary>A test that drives Debian's Chromium through tests/browser (puppeteer-core); skipped with the reason where either is missing, failing under CI.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (Browser.Missing is string reason && !Browser.OnCi)
            Skip = reason;
    }
}

public static class Browser
{
    public static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string Folder { get; } = ThisFolder();

    public static string RepoRoot => Path.GetFullPath(Path.Combine(Folder, "..", ".."));

    static string ThisFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    /// <summary>Why the browser tests cannot run here, or null.</summary>
    public static string? Missing { get; } =
        !File.Exists("/usr/bin/chromium") && Environment.GetEnvironmentVariable("CHROMIUM_PATH") == null ? "Chromium is not installed (apt-get install chromium; .ci/run does it)."
        : !Directory.Exists(Path.Combine(Folder, "node_modules", "puppeteer-core")) ? "tests/browser's npm packages are not installed (npm ci in tests/browser; .ci/run does it)."
        : null;

    public static void RequireAvailable() => Assert.True(Missing == null, Missing + " Browser tests must run on CI.");

    /// <summary>Runs a scenario script of tests/browser with Node; its one JSON line on success.</summary>
    public static string Run(string script, params string[] arguments) => Run(script, TimeSpan.FromMinutes(2), arguments);

    public static string Run(string script, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"node {script} timed out after {timeout}:\n{error.Result}");
        }
        Assert.True(process.ExitCode == 0, $"node {script} exited with {process.ExitCode}:\n{output.Result}\n{error.Result}");
        return output.Result.Trim();
    }
}
