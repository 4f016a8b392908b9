using System;
using System.IO;
using CnnDsl.LanguageServer.Tests.Infrastructure;
using Xunit;

namespace CnnDsl.LanguageServer.Tests;

/// <summary>
/// The real server process, started with the VS Code extension's command, driven over stdio by Microsoft's LSP client
/// library from Node.js (driver/*.js hold the assertions; each prints "ok ..." per check).
/// </summary>
public class ProtocolTests
{
    [NodeFact]
    public void Open_type_a_mistake_fix_it_and_use_every_feature_through_a_real_lsp_client()
    {
        Node.RequireAvailable();
        using var workspace = new TemporaryFolder();
        workspace.Write("blocks.cnn", "# Blocks shared by the project\nblock Residual(channels)\n  conv2d channels, 3, padding=1\n  add conv2d, input\n");
        workspace.Write("net.cnn", "model Net\n  input 1x28x28\n  c1: conv2d 32, kernel=5, padding=same, activation=relu\n  res: Residual 32\n  maxpool2d 2\n  flatten\n  dense 10\n");

        var (code, output) = Node.Run("node", "protocol-test.js \"" + workspace.Path + "\"", Node.DriverFolder, TimeSpan.FromMinutes(2));

        Assert.True(code == 0, output);
        Assert.Contains("ok a typed mistake gives the build's diagnostic at its span", output);
        Assert.Contains("ok rename edits the block and its uses across files", output);
        Assert.Contains("ok a file created on disk is watched and checked", output);
        Assert.Contains("ok cnndsl/diagram answers the model's diagram as the compiler draws it, collapsed or expanded", output);
        Assert.Contains("ok the diagram of a model with errors says why there is none", output);
        Assert.Contains("protocol checks passed: 13", output);
    }

    [NodeFact]
    public void The_server_answers_after_every_hostile_input()
    {
        Node.RequireAvailable();
        using var workspace = new TemporaryFolder();
        var (code, output) = Node.Run("node", "hostile-test.js \"" + workspace.Path + "\"", Node.DriverFolder, TimeSpan.FromMinutes(2));

        Assert.True(code == 0, output);
        Assert.Contains("hostile inputs survived: ", output);
    }
}

/// <summary>A folder under the system's temporary folder, removed with everything in it.</summary>
public sealed class TemporaryFolder : IDisposable
{
    public TemporaryFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cnndsl-lsp-" + Guid.NewGuid().ToString("N"));

    public string Write(string name, string text)
    {
        var file = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
