using System;

namespace CnnDsl.Cli
{
    /// <summary>A mistake in how the tool was called (a missing file, a bad option): one line, exit code 2.</summary>
    internal sealed class UsageException : Exception
    {
        public UsageException(string message)
            : base(message)
        {
        }
    }
}
