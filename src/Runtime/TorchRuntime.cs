using System;
using System.IO;
using System.Linq;
using System.Text;
using CnnDsl.Native;

namespace CnnDsl
{
    /// <summary>
    /// Makes sure libtorch can load, and if it cannot, says why. TorchSharp's own message on Linux blames a missing
    /// libtorch-cpu-linux-x64 reference even when the real cause is an old system libstdc++.
    /// </summary>
    public static class TorchRuntime
    {
        static readonly Lazy<Exception?> loadError = new Lazy<Exception?>(TryLoad);

        static readonly string[] LibStdCxxPaths =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        };

        /// <summary>Throws an exception explaining why libtorch cannot load, if it cannot. Cheap after the first call.</summary>
        public static void EnsureLoaded()
        {
            if (loadError.Value != null)
                throw loadError.Value;
        }

        /// <summary>
        /// For a generated model's base-constructor call, which is often a program's first TorchSharp call: explains a
        /// libtorch that cannot load (instead of TorchSharp's DllNotFoundException) and returns the module's name.
        /// </summary>
        public static string Loaded(string moduleName)
        {
            EnsureLoaded();
            return moduleName;
        }

        static Exception? TryLoad()
        {
            try
            {
                TorchSharp.torch.InitializeDeviceType(TorchSharp.DeviceType.CPU);
                return null;
            }
            catch (Exception exception)
            {
                return new TorchLoadException("libtorch could not be loaded. " + (Diagnose(AppContext.BaseDirectory)
                    ?? "See the inner exception."), exception);
            }
        }

        /// <summary>
        /// Looks at the native files an application folder holds and says what keeps libtorch from loading on this
        /// machine, or null when nothing is visibly wrong: no native package, libtorch itself missing, or a
        /// <c>libLibTorchSharp.so</c> that needs a libstdc++ version the system's lacks (an unpatched copy).
        /// </summary>
        public static string? Diagnose(string applicationFolder, string? libStdCxx = null)
        {
            if (!OperatingSystem.IsLinux())
                return null;
            // The application's own copy first: when it fails, TorchSharp copies a libtorch from the NuGet cache into
            // cpu/ (or cuda-*/) beside itself and tries that, whose failure is a consequence, not the cause.
            var native = Directory.Exists(applicationFolder)
                ? Directory.EnumerateFiles(applicationFolder, "libLibTorchSharp.so", SearchOption.AllDirectories)
                    .OrderBy(path => IsTorchSharpFallbackCopy(applicationFolder, path)).ThenBy(path => path, StringComparer.Ordinal).FirstOrDefault()
                : null;
            if (native == null)
                return $"No libLibTorchSharp.so is in {applicationFolder}: reference the TorchSharp package and a libtorch package "
                    + "(libtorch-cpu-linux-x64, or a CUDA libtorch) from the application's project, then rebuild.";
            var folder = Path.GetDirectoryName(native)!;
            if (IsTorchSharpFallbackCopy(applicationFolder, native))
                return $"The application references no libtorch package, so TorchSharp copied one from the NuGet cache into {folder}, which "
                    + "did not load either. Reference the libtorch package for this platform (libtorch-cpu-linux-x64, or a CUDA libtorch) "
                    + "from the application's project, then rebuild.";
            if (!File.Exists(Path.Combine(folder, "libtorch_cpu.so")))
                return $"{folder} has libLibTorchSharp.so but no libtorch_cpu.so: the libtorch package (libtorch-cpu-linux-x64) is missing "
                    + "from the application's references or its native files were not copied.";
            libStdCxx ??= LibStdCxxPaths.FirstOrDefault(File.Exists);
            if (libStdCxx == null)
                return null;
            var latin1 = Encoding.GetEncoding("iso-8859-1");
            var provided = latin1.GetString(File.ReadAllBytes(libStdCxx));
            var lacking = ElfVersionNeeds.Read(native)
                .Where(n => n.Library.StartsWith("libstdc++", StringComparison.Ordinal) && !n.IsWeak && !provided.Contains(n.Version + "\0"))
                .Select(n => n.Version)
                .ToList();
            if (lacking.Count == 0)
                return null;
            return $"{native} needs {string.Join(", ", lacking)} from libstdc++, which the system's {libStdCxx} does not provide, so the dynamic "
                + "loader refuses it (TorchSharp then wrongly reports a missing libtorch-cpu-linux-x64 reference). The copy in the build "
                + "output was not patched: import build/TorchSharpNativeFix.targets into the application's project (CnnDsl's "
                + "Directory.Build.targets does so for this repository) and rebuild, so that need is marked weak in the output copy; "
                + "or run on a system whose libstdc++ provides it.";
        }

        static bool IsTorchSharpFallbackCopy(string applicationFolder, string native)
        {
            var first = Path.GetRelativePath(applicationFolder, native).Split(Path.DirectorySeparatorChar)[0];
            return first == "cpu" || first.StartsWith("cuda", StringComparison.Ordinal);
        }
    }

    /// <summary>libtorch's native libraries could not be loaded; the message says why.</summary>
    public sealed class TorchLoadException : InvalidOperationException
    {
        public TorchLoadException(string message, Exception inner)
            : base(message, inner)
        {
        }
    }
}
