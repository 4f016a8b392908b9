using System;
using System.IO;
using System.Linq;
using CnnDsl.LanguageServer.Tests.Infrastructure;
using Xunit;

namespace CnnDsl.LanguageServer.Tests;

/// <summary>The server is a light executable of its own: the Dsl and a JSON-RPC library, nothing of TorchSharp.</summary>
public class ServerExecutableTests
{
    [Fact]
    public void The_server_s_output_holds_no_torchsharp_and_stays_small()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var folder = Path.Combine(Node.RepoRoot, "src", "LanguageServer", "bin", configuration, "net10.0");
        var deps = File.ReadAllText(Path.Combine(folder, "CnnDsl.LanguageServer.deps.json"));
        Assert.Contains("CnnDsl.Dsl", deps);
        Assert.Contains("StreamJsonRpc", deps);
        Assert.DoesNotContain("TorchSharp", deps);
        Assert.DoesNotContain("libtorch", deps);
        Assert.DoesNotContain("CnnDsl.Runtime", deps);
        long bytes = new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        Assert.True(bytes < 20_000_000, "The server's output is " + bytes + " bytes");
    }
}
