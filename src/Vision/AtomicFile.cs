using System;
using System.IO;

namespace CnnDsl.Weights
{
    /// <summary>
    /// Writes a file so that a crash at any moment leaves either the previous file or the complete new one. The new
    /// content goes to a temporary file beside the target (<c>.NAME.GUID.tmp</c>), which is renamed over it. A process
    /// killed mid-write leaves its temporary file behind; the next write to the same target deletes it. A missing folder is
    /// created.
    /// </summary>
    public static class AtomicFile
    {
        public static void Write(string path, Action<Stream> write)
        {
            var full = Path.GetFullPath(path);
            var directory = Path.GetDirectoryName(full)!;
            // A folder that does not exist yet is created, as Keras' save does; one that cannot be is named, not the
            // temporary file inside it.
            try
            {
                Directory.CreateDirectory(directory);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"Cannot write {full}: its folder {directory} does not exist and cannot be created ({exception.Message}).", exception);
            }
            DeleteStaleTemporaries(directory, Path.GetFileName(full));
            var (temporary, stream) = CreateTemporary(directory, Path.GetFileName(full));
            try
            {
                using (stream)
                {
                    write(stream);
                    stream.Flush(flushToDisk: true);
                    // Renamed while still open and locked, so a concurrent writer's cleanup never takes it for stale.
                    File.Move(temporary, full, overwrite: true);
                }
            }
            finally
            {
                if (File.Exists(temporary))
                    File.Delete(temporary);
            }
        }

        /// <summary>The temporary files of earlier writes to <paramref name="path"/> that are still on disk.</summary>
        public static string[] Temporaries(string path)
        {
            var full = Path.GetFullPath(path);
            var name = Path.GetFileName(full);
            return Array.FindAll(Directory.GetFiles(Path.GetDirectoryName(full)!, "." + name + ".*.tmp"), f => IsTemporaryOf(Path.GetFileName(f), name));
        }

        // A writer holds its temporary file locked (FileShare.Delete: a shared lock on Unix, where FileShare.None asks for
        // an exclusive one) until it has renamed it, and the system drops the lock of a killed process. So a temporary
        // that can be opened exclusively belongs to no live writer and is deleted on close; one that cannot is skipped.
        static void DeleteStaleTemporaries(string directory, string name)
        {
            string[] files;
            try
            {
                files = Directory.GetFiles(directory, "." + name + ".*.tmp");
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return; // Cleaning up is a courtesy; the write itself reports a folder it cannot use.
            }
            foreach (var file in files)
            {
                if (!IsTemporaryOf(Path.GetFileName(file), name))
                    continue;
                try
                {
                    using var stale = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
                }
                catch (IOException)
                {
                    // In use by a live writer, or already renamed or deleted by it.
                }
                catch (UnauthorizedAccessException)
                {
                    // Not ours to delete.
                }
            }
        }

        static bool IsTemporaryOf(string fileName, string name)
        {
            // "." + name + "." + 32 hex digits + ".tmp"; the pattern's wildcards may match other names.
            if (fileName.Length != name.Length + 38 || !fileName.StartsWith("." + name + ".", StringComparison.Ordinal) || !fileName.EndsWith(".tmp", StringComparison.Ordinal))
                return false;
            foreach (char c in fileName.AsSpan(name.Length + 2, 32))
                if (!char.IsAsciiHexDigitLower(c))
                    return false;
            return true;
        }

        // Between creating a file and locking it lies a moment in which another writer's cleanup could lock and delete
        // it; the lock then fails, and a fresh name is tried.
        static (string Path, FileStream Stream) CreateTemporary(string directory, string name)
        {
            for (int attempt = 1; ; attempt++)
            {
                var temporary = Path.Combine(directory, "." + name + "." + Guid.NewGuid().ToString("N") + ".tmp");
                try
                {
                    return (temporary, new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.Delete));
                }
                catch (IOException) when (attempt < 3)
                {
                }
            }
        }
    }
}
