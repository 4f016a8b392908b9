using System;
using System.IO;
using System.Linq;
using System.Text;

namespace CnnDsl
{
    /// <summary>
    /// Makes sure libtorch can load, and if it cannot, says why. TorchSharp's own message on Linux blames a missing
    /// libtorch-cpu-linux-x64 reference even when the real cause is an old system libstdc++.
    /// </summary>
    public static class TorchRuntime
    {
        static readonly Lazy<Exception?> loadError = new Lazy<Exception?>(TryLoad);

        /// <summary>Throws an exception explaining why libtorch cannot load, if it cannot.</summary>
        public static void EnsureLoaded()
        {
            if (loadError.Value != null)
                throw loadError.Value;
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
                return new InvalidOperationException(Explain(), exception);
            }
        }

        static string Explain()
        {
            var folder = AppContext.BaseDirectory;
            var native = Directory.EnumerateFiles(folder, "libLibTorchSharp.so", SearchOption.AllDirectories).FirstOrDefault();
            var text = new StringBuilder("libtorch could not be loaded. ");
            if (native == null)
                return text.Append("No libLibTorchSharp.so is in ").Append(folder)
                    .Append(": reference the TorchSharp and libtorch-cpu-linux-x64 packages (or a CUDA libtorch) from the application.").ToString();
            var libStdCxx = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" }.FirstOrDefault(File.Exists);
            var latin1 = Encoding.GetEncoding("iso-8859-1");
            bool needsNewer = latin1.GetString(File.ReadAllBytes(native)).Contains("GLIBCXX_3.4.32");
            bool hasNewer = libStdCxx != null && latin1.GetString(File.ReadAllBytes(libStdCxx)).Contains("GLIBCXX_3.4.32");
            if (needsNewer && !hasNewer)
                return text.Append(native).Append(" asks for GLIBCXX_3.4.32, which the system's ").Append(libStdCxx ?? "libstdc++")
                    .Append(" lacks. CnnDsl's build marks that need as weak in the build output (build/TorchSharpNativeFix.targets); ")
                    .Append("import those targets into the application's project, or rebuild it so the copy in its output is fixed.").ToString();
            return text.Append("Its native files are in ").Append(Path.GetDirectoryName(native))
                .Append("; see the inner exception, and check that libtorch_cpu.so sits beside libLibTorchSharp.so.").ToString();
        }
    }
}
