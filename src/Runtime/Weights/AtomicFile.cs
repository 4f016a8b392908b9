using System;
using System.IO;

namespace CnnDsl.Weights
{
    /// <summary>Writes a file so that a crash at any moment leaves either the previous file or the complete new one.</summary>
    public static class AtomicFile
    {
        public static void Write(string path, Action<Stream> write)
        {
            var full = Path.GetFullPath(path);
            var temporary = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    write(stream);
                    stream.Flush(flushToDisk: true);
                }
                File.Move(temporary, full, overwrite: true);
            }
            finally
            {
                if (File.Exists(temporary))
                    File.Delete(temporary);
            }
        }
    }
}
