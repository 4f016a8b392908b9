using System;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace CnnDsl.Runtime.Tests.Infrastructure;

/// <summary>A test that needs torchvision: skipped with a reason where it is missing, failing instead when CI=true.</summary>
public sealed class TorchVisionFactAttribute : FactAttribute
{
    public TorchVisionFactAttribute()
    {
        if (!TorchVisionOracle.IsAvailable && !TorchVisionOracle.OnCi)
            Skip = "torchvision is not importable by /usr/bin/python3 (apt-get install python3-torch python3-torchvision; .ci/run does it).";
    }
}

/// <summary>A theory that needs torchvision: skipped with a reason where it is missing, failing instead when CI=true.</summary>
public sealed class TorchVisionTheoryAttribute : TheoryAttribute
{
    public TorchVisionTheoryAttribute()
    {
        if (!TorchVisionOracle.IsAvailable && !TorchVisionOracle.OnCi)
            Skip = "torchvision is not importable by /usr/bin/python3 (apt-get install python3-torch python3-torchvision; .ci/run does it).";
    }
}

/// <summary>Runs Python scripts with Debian's PyTorch 1.13 and torchvision 0.14 as an oracle; never a product dependency.</summary>
public static class TorchVisionOracle
{
    public const string Python = "/usr/bin/python3";

    public static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static bool IsAvailable { get; } = Probe();

    static bool Probe()
    {
        try
        {
            return Run("import torch, torchvision\n", Path.GetTempPath()).Code == 0;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>Runs the script in <paramref name="folder"/> and returns its standard output; fails the test on an error.</summary>
    public static string RunScript(string script, string folder)
    {
        Assert.True(IsAvailable, "torchvision is required on CI: install python3-torch and python3-torchvision (see .ci/run).");
        var (code, output) = Run(script, folder);
        Assert.True(code == 0, "torchvision failed:\n" + output);
        return output;
    }

    static (int Code, string Output) Run(string script, string folder)
    {
        var path = Path.Combine(folder, $"oracle-{Guid.NewGuid():N}.py");
        File.WriteAllText(path, script);
        try
        {
            var start = new ProcessStartInfo(Python, path) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
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

    /// <summary>Reads a raw little-endian float32 file a script wrote with <c>tensor.numpy().astype('float32').tofile(path)</c>.</summary>
    public static float[] ReadFloats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }
}
