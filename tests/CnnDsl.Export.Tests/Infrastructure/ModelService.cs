using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using System.Threading;

namespace CnnDsl.Export.Tests.Infrastructure;

/// <summary>The serving example (examples/Serving) started as a real process on a loopback port the system chooses.</summary>
public sealed class ModelService : IDisposable
{
    readonly Process process;
    readonly System.Text.StringBuilder log = new();

    public ModelService(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Assembly);
        foreach (var argument in arguments.Concat(new[] { "--urls", "http://127.0.0.1:0" }))
            start.ArgumentList.Add(argument);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.WorkingDirectory = Path.GetDirectoryName(Assembly)!;
        process = Process.Start(start)!;
        var listening = new TaskCompletionSourceSlim();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == null)
                return;
            lock (log)
                log.AppendLine(e.Data);
            var match = Regex.Match(e.Data, @"^Serving .* on (http://127\.0\.0\.1:\d+)");
            if (match.Success)
                listening.Set(match.Groups[1].Value);
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Address = listening.Wait(TimeSpan.FromSeconds(60), () => process.HasExited)
            ?? throw new InvalidOperationException("The service did not start:\n" + Log);
        Client = new HttpClient { BaseAddress = new Uri(Address + "/"), Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The example's built assembly, in this test run's configuration (the test project builds it).</summary>
    public static string Assembly { get; } = Path.Combine(RepoRoot(), "examples", "Serving", "bin",
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug", "net10.0", "Serving.dll");

    public string Address { get; }

    public HttpClient Client { get; }

    public string Log
    {
        get
        {
            lock (log)
                return log.ToString();
        }
    }

    public static string RepoRoot() => Root();

    static string Root([CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));

    public void Dispose()
    {
        Client.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10000);
        }
        process.Dispose();
    }

    // The address line, or null when the process exits first or the time runs out.
    sealed class TaskCompletionSourceSlim
    {
        readonly ManualResetEventSlim done = new();
        string? value;

        public void Set(string address)
        {
            value ??= address;
            done.Set();
        }

        public string? Wait(TimeSpan timeout, Func<bool> gaveUp)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline && !done.Wait(100))
                if (gaveUp())
                    return null;
            return value;
        }
    }
}
