using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;

namespace CnnDsl.Fuzz;

/// <summary>
/// Runs inputs that may take the process down (a stack overflow cannot be caught, memory can run out, a run may never
/// end) in a child process of this command, one each, with a time limit and a heap limit. A crash, a kill or a run
/// past the limit is a violation like any other.
/// </summary>
public sealed class IsolatedRunner
{
    readonly Random random;
    readonly TimeSpan timeout;

    public IsolatedRunner(int seed, TimeSpan timeout)
    {
        random = new Random(seed);
        this.timeout = timeout;
    }

    /// <summary>Deep nesting and large expansions, at sizes drawn up to and past the ones known to break the compiler.</summary>
    public string NextHazard()
    {
        int Draw(int low, int high) => (int)Math.Round(Math.Exp(random.NextDouble() * (Math.Log(high) - Math.Log(low)) + Math.Log(low)));
        switch (random.Next(5))
        {
            case 0:
            {
                int depth = Draw(500, 60_000);
                return "model M\n  input 1x8x8\n  conv2d 4, kernel=" + new string('(', depth) + "3" + new string(')', depth) + "\n";
            }
            case 1:
                return "model M\n  input 1x8x8\n  " + string.Join(".", Enumerable.Range(0, Draw(12, 30_000)).Select(i => "p" + i)) + ": conv2d 2, 1\n";
            case 2:
            {
                int depth = Draw(8, 30);
                var text = new StringBuilder("model M\n  input 1x8x8\n");
                for (int i = 0; i < depth; i++)
                    text.Append(' ', 2 + 2 * i).Append("group g").Append(i).Append('\n');
                text.Append(' ', 2 + 2 * depth).Append("conv2d 2, 1\n");
                for (int i = depth - 1; i >= 0; i--)
                    text.Append(' ', 2 + 2 * i).Append("end\n");
                return text.ToString();
            }
            default:
            {
                int blocks = Draw(8, 22);
                var last = random.Next(2) == 0 ? "  conv2d c, 1\n" : "  conv2d c, kernal=1\n";
                var text = new StringBuilder();
                for (int i = 0; i < blocks; i++)
                    text.Append($"block B{i}(c)\n").Append(i + 1 < blocks ? $"  B{i + 1} c\n  B{i + 1} c, from=input\n" : last);
                return text.Append("model M\n  input 1x4x4\n  B0 2\n").ToString();
            }
        }
    }

    /// <summary>Runs one .cnn input in a child (<c>--replay</c>); null if it kept every invariant, else what went wrong.</summary>
    public string? Run(string text, string folder)
    {
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "hazard-" + Guid.NewGuid().ToString("N") + ".cnn");
        File.WriteAllText(file, text);
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The child is this same command: under 'dotnet X.dll' the process path is dotnet and the dll comes first.
        var arguments = Environment.GetCommandLineArgs();
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
            start.ArgumentList.Add(typeof(IsolatedRunner).Assembly.Location);
        start.ArgumentList.Add("--replay");
        start.ArgumentList.Add(file);
        // A heap limit turns runaway memory into an OutOfMemoryException in the child instead of pressure on the machine.
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x80000000";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return $"still running after {timeout.TotalSeconds:F0} s (killed); input kept in {file}";
        }
        string all = output.Result + error.Result;
        if (process.ExitCode == 0)
        {
            File.Delete(file);
            return null;
        }
        var lines = all.Split('\n').Where(l => l.Trim().Length > 0).ToList();
        var detail = process.ExitCode == 1
            ? string.Join("; ", lines.Skip(1).Take(3))
            : $"the process ended with exit code {process.ExitCode}: " + string.Join(" ", lines.Where(l => l.Contains("overflow", StringComparison.OrdinalIgnoreCase) || l.Contains("Exception")).Take(2));
        return detail + "; input kept in " + file;
    }
}
