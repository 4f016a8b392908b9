using System;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace CnnDsl.LanguageServer.Tests.Infrastructure;

/// <summary>A test that speaks to the server from Node.js: skipped with a reason where Node or the driver's packages are missing, failing instead when CI=true.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (Node.Missing is { } reason && !Node.OnCi)
            Skip = reason;
    }
}

/// <summary>Runs Node.js scripts of this test project and of the VS Code extension.</summary>
public static class Node
{
    public static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string DriverFolder => Path.Combine(RepoRoot, "tests", "CnnDsl.LanguageServer.Tests", "driver");

    public static string ExtensionFolder => Path.Combine(RepoRoot, "editors", "vscode");

    /// <summary>Why Node tests cannot run here, or null when they can.</summary>
    public static string? Missing { get; } = Probe();

    static string? Probe()
    {
        try
        {
            var (code, _) = Run("node", "--version", RepoRoot, TimeSpan.FromSeconds(30));
            if (code != 0)
                return "Node.js is not installed (.ci/run needs it).";
        }
        catch (Exception)
        {
            return "Node.js is not installed (.ci/run needs it).";
        }
        if (!Directory.Exists(Path.Combine(DriverFolder, "node_modules", "vscode-languageserver-protocol")))
            return "The protocol driver's npm packages are missing: run 'npm ci' in tests/CnnDsl.LanguageServer.Tests/driver (.ci/run does).";
        if (!Directory.Exists(Path.Combine(ExtensionFolder, "node_modules", "@vscode", "vsce")))
            return "The extension's npm packages are missing: run 'npm ci' in editors/vscode (.ci/run does).";
        return null;
    }

    public static void RequireAvailable() => Assert.True(Missing == null, Missing + " Tests that need Node.js must run on CI.");

    public static (int ExitCode, string Output) Run(string file, string arguments, string folder, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out after " + timeout + "\n" + output.Result + error.Result);
        }
        process.WaitForExit();
        return (process.ExitCode, output.Result + error.Result);
    }

    static string FindRepoRoot()
    {
        var folder = AppContext.BaseDirectory;
        while (folder != null && !File.Exists(Path.Combine(folder, "CnnDsl.sln")))
            folder = Path.GetDirectoryName(folder);
        return folder ?? throw new InvalidOperationException("CnnDsl.sln not found above " + AppContext.BaseDirectory);
    }
}
