using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace CnnDsl.Export.Tests.Infrastructure;

/// <summary>A test that needs Debian's python3-onnx: skipped with a reason where it is missing, failing instead when CI=true.</summary>
public sealed class OnnxCheckerFactAttribute : FactAttribute
{
    public OnnxCheckerFactAttribute()
    {
        if (!OnnxChecker.IsAvailable && !OnnxChecker.OnCi)
            Skip = "python3-onnx is not installed (apt-get install python3-onnx; .ci/run does it).";
    }
}

/// <summary>The reference checker of the ONNX project (onnx.checker with full_check, which runs shape inference too), through /usr/bin/python3.</summary>
public static class OnnxChecker
{
    public const string Python = "/usr/bin/python3";

    public static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static bool IsAvailable { get; } = Probe();

    static bool Probe()
    {
        try
        {
            return Run("import onnx\n", Array.Empty<string>()).Code == 0;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>Checks every file; returns the onnx version and, per file that fails, its complaint.</summary>
    public static (string Version, IReadOnlyDictionary<string, string> Failures) Check(IReadOnlyList<string> paths)
    {
        Assert.True(IsAvailable, "python3-onnx is required on CI: install it (see .ci/run).");
        const string script = """
            import sys, onnx
            print("version", onnx.__version__)
            for path in sys.argv[1:]:
                try:
                    onnx.checker.check_model(onnx.load(path), full_check=True)
                    print("ok", path)
                except Exception as e:
                    print("fail", path, str(e).replace("\n", " ")[:400])
            """;
        var (code, output) = Run(script, paths);
        Assert.True(code == 0, "The onnx checker did not run:\n" + output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var version = lines.First(l => l.StartsWith("version ")).Substring(8);
        var failures = lines.Where(l => l.StartsWith("fail ")).Select(l => l.Substring(5).Split(' ', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
        int passed = lines.Count(l => l.StartsWith("ok "));
        Assert.True(passed + failures.Count == paths.Count, $"The checker reported on {passed + failures.Count} of {paths.Count} files:\n{output}");
        return (version, failures);
    }

    static (int Code, string Output) Run(string script, IEnumerable<string> arguments)
    {
        var path = Path.Combine(Path.GetTempPath(), "cnndsl-onnx-check-" + Guid.NewGuid().ToString("N") + ".py");
        File.WriteAllText(path, script);
        try
        {
            var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(path);
            foreach (var argument in arguments)
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
