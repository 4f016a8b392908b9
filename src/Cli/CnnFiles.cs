using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace CnnDsl.Cli
{
    /// <summary>Which .cnn files a command works on; how they are checked together is the Dsl's <c>CnnProject</c>.</summary>
    internal static class CnnFiles
    {
        /// <summary>The .cnn files named, and those under the folders named (bin and obj left out), in a stable order.</summary>
        public static IReadOnlyList<string> Find(IEnumerable<string> paths)
        {
            var files = new List<string>();
            foreach (var path in paths)
            {
                if (File.Exists(path))
                    files.Add(path);
                else if (Directory.Exists(path))
                    files.AddRange(Directory.EnumerateFiles(path, "*.cnn", SearchOption.AllDirectories)
                        .Where(f => !Path.GetRelativePath(path, f).Split(Path.DirectorySeparatorChar).Any(part => part == "bin" || part == "obj"))
                        .Select(Readable)
                        .OrderBy(f => f, StringComparer.Ordinal));
                else
                    throw new UsageException($"'{path}' is neither a file nor a folder");
            }
            return files.Distinct().ToList();
        }

        // Files found in a folder are shown relative to the current folder (bad.cnn, not ./bad.cnn), else in full.
        static string Readable(string path)
        {
            var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
            return relative.StartsWith("..", StringComparison.Ordinal) ? Path.GetFullPath(path) : relative;
        }
    }

    /// <summary>A mistake in how the tool was called (a missing file, a bad option): one line, exit code 2.</summary>
    internal sealed class UsageException : Exception
    {
        public UsageException(string message)
            : base(message)
        {
        }
    }
}
