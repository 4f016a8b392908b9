using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace CnnDsl.Compiler.Tests.Infrastructure;

/// <summary>
/// Verify's conventions without Verify: <c>Snapshots/Name.verified.cs</c> beside the test is the expected text; on a
/// mismatch (or a missing file) the actual text goes to <c>Name.received.cs</c> and the test fails. Setting
/// CNNDSL_ACCEPT_SNAPSHOTS=1 accepts received text, except on CI.
/// </summary>
public static class Snapshot
{
    public static void Verify(string name, string actual, [CallerFilePath] string testFile = "")
    {
        var folder = Path.Combine(Path.GetDirectoryName(testFile)!, "Snapshots");
        var verified = Path.Combine(folder, name + ".verified.cs");
        var received = Path.Combine(folder, name + ".received.cs");
        actual = actual.Replace("\r\n", "\n");
        var expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            if (File.Exists(received))
                File.Delete(received);
            return;
        }

        bool accept = Environment.GetEnvironmentVariable("CNNDSL_ACCEPT_SNAPSHOTS") == "1";
        bool onCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (accept && !onCi)
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(verified, actual);
            return;
        }
        Directory.CreateDirectory(folder);
        File.WriteAllText(received, actual);
        Assert.Fail(expected == null
            ? $"No snapshot {verified}. Review {received} and accept it by renaming, or run with CNNDSL_ACCEPT_SNAPSHOTS=1 (refused when CI=true)."
            : $"Snapshot {verified} differs from the generated code; see {received}." + (accept ? " Accepting snapshots is refused when CI=true." : ""));
    }
}
