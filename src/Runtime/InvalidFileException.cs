using System;
using System.IO;

namespace CnnDsl
{
    /// <summary>
    /// A file the runtime reads (IDX data, safetensors or TorchSharp weights, a training checkpoint) is malformed,
    /// truncated or damaged. The message names the file and what is wrong; <see cref="FilePath"/> holds the file.
    /// An <see cref="IOException"/>, so that one handler covers a file that is missing and one that is unusable.
    /// </summary>
    public sealed class InvalidFileException : IOException
    {
        public InvalidFileException(string path, string message, Exception? innerException = null)
            : base(message, innerException)
        {
            FilePath = path;
        }

        /// <summary>The file at fault, as it was given.</summary>
        public string FilePath { get; }
    }
}
