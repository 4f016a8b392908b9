using System;
using System.IO;
using System.Linq;
using CnnDsl.Native;
using Xunit;

namespace CnnDsl.Runtime.Tests;

/// <summary>When libtorch cannot load, the runtime says why, from the native files themselves.</summary>
public class NativeTests : IDisposable
{
    static readonly string OutputNative = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-native-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static string? PackageNative()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        return File.Exists(path) ? path : null;
    }

    [Fact]
    public void The_loaded_runtime_has_nothing_to_report()
    {
        TorchRuntime.EnsureLoaded();
        Assert.Null(TorchRuntime.Diagnose(AppContext.BaseDirectory));
    }

    [Fact]
    public void Missing_native_packages_are_named()
    {
        Assert.Contains("No libLibTorchSharp.so is in", TorchRuntime.Diagnose(folder));
        File.Copy(OutputNative, Path.Combine(folder, "libLibTorchSharp.so"));
        Assert.Contains("no libtorch_cpu.so: the libtorch package (libtorch-cpu-linux-x64) is missing", TorchRuntime.Diagnose(folder));
    }

    [Fact]
    public void An_unpatched_libtorchsharp_on_an_old_libstdcxx_is_explained()
    {
        var package = PackageNative();
        if (package == null || !OperatingSystem.IsLinux())
            return;
        // The package's copy needs GLIBCXX_3.4.32 strongly; the build output's copy has that need marked weak, where the
        // system lacks it.
        var needs = ElfVersionNeeds.Read(package);
        Assert.Contains(needs, n => n.Library == "libstdc++.so.6" && n.Version == "GLIBCXX_3.4.32" && !n.IsWeak);
        Assert.Contains(needs, n => n.Library == "libstdc++.so.6" && n.Version == "GLIBCXX_3.4.9");

        // A libstdc++ that stops at 3.4.30, as Debian 12's does.
        var oldLibStdCxx = Path.Combine(folder, "libstdc++.so.6");
        var versions = new[] { "GLIBCXX_3.4", "CXXABI_1.3" }
            .Concat(Enumerable.Range(1, 30).Select(i => $"GLIBCXX_3.4.{i}"))
            .Concat(Enumerable.Range(1, 13).Select(i => $"CXXABI_1.3.{i}"));
        File.WriteAllText(oldLibStdCxx, string.Join("\0", versions) + "\0");
        var app = Directory.CreateDirectory(Path.Combine(folder, "app", "runtimes", "linux-x64", "native")).FullName;
        File.Copy(package, Path.Combine(app, "libLibTorchSharp.so"));
        File.WriteAllBytes(Path.Combine(app, "libtorch_cpu.so"), Array.Empty<byte>());
        var message = TorchRuntime.Diagnose(Path.Combine(folder, "app"), oldLibStdCxx);
        Assert.NotNull(message);
        Assert.Contains("needs GLIBCXX_3.4.32 from libstdc++, which the system's " + oldLibStdCxx + " does not provide", message);
        Assert.Contains("was not patched", message);
        Assert.Contains("TorchSharpNativeFix.targets", message);

        // The patched copy from the build output passes against the same old libstdc++.
        Assert.Contains(ElfVersionNeeds.Read(OutputNative), n => n.Version == "GLIBCXX_3.4.32" && n.IsWeak);
        File.Copy(OutputNative, Path.Combine(app, "libLibTorchSharp.so"), overwrite: true);
        Assert.Null(TorchRuntime.Diagnose(Path.Combine(folder, "app"), oldLibStdCxx));
    }
}
