using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using CnnDsl.LanguageServer.Tests.Infrastructure;
using Xunit;

namespace CnnDsl.LanguageServer.Tests;

/// <summary>The VS Code extension: it packages, its grammar colours the course's models, and it starts the server the protocol tests speak to.</summary>
public class ExtensionTests
{
    [NodeFact]
    public void The_extension_packages_into_a_vsix_with_its_grammar_client_and_dependencies()
    {
        Node.RequireAvailable();
        var vsix = Path.Combine(Node.ExtensionFolder, "cnndsl.vsix");
        File.Delete(vsix);
        var (code, output) = Node.Run("npm", "run package", Node.ExtensionFolder, TimeSpan.FromMinutes(3));
        Assert.True(code == 0, output);
        using var archive = ZipFile.OpenRead(vsix);
        var entries = archive.Entries.Select(e => e.FullName).ToHashSet();
        foreach (var expected in new[] { "extension/package.json", "extension/extension.js", "extension/server-command.js", "extension/diagram-panel.js", "extension/language-configuration.json",
                     "extension/syntaxes/cnn.tmLanguage.json", "extension/node_modules/vscode-languageclient/package.json", "extension.vsixmanifest" })
            Assert.Contains(expected, entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("extension/test/", StringComparison.Ordinal) || e.Contains("/@vscode/vsce/"));
    }

    [NodeFact]
    public void The_diagram_panel_shows_the_servers_svg_or_its_reason_and_follows_typing_after_a_pause()
    {
        Node.RequireAvailable();
        var (code, output) = Node.Run("npm", "run test:panel", Node.ExtensionFolder, TimeSpan.FromMinutes(1));
        Assert.True(code == 0, output);
        Assert.Contains("ok a late answer to an older request is dropped", output);
        Assert.Contains("diagram panel checks passed: 5", output);
    }

    [NodeFact]
    public void The_grammar_colours_the_course_models_as_its_test_file_asserts()
    {
        Node.RequireAvailable();
        var (code, output) = Node.Run("npm", "run test:grammar", Node.ExtensionFolder, TimeSpan.FromMinutes(2));
        Assert.True(code == 0, output);
        Assert.Contains("course.cnn run successfuly", output);
    }

    [NodeFact]
    public void A_wrong_colour_assertion_fails_the_grammar_test()
    {
        Node.RequireAvailable();
        using var folder = new TemporaryFolder();
        var test = folder.Write("wrong.cnn", "# SYNTAX TEST \"source.cnn\" \"a layer kind is not a comment\"\nmodel Net\n  input 1x28x28\n  flatten\n# ^^^^^^^ comment.line.number-sign.cnn\n");
        var grammar = Path.Combine(Node.ExtensionFolder, "syntaxes", "cnn.tmLanguage.json");
        var (code, output) = Node.Run("npx", $"vscode-tmgrammar-test -g \"{grammar}\" \"{test}\"", Node.ExtensionFolder, TimeSpan.FromMinutes(2));
        Assert.NotEqual(0, code);
        Assert.Contains("support.function.layer.cnn", output);
    }

    [NodeFact]
    public void The_extension_starts_the_server_with_the_command_the_protocol_tests_launch()
    {
        Node.RequireAvailable();
        var extension = File.ReadAllText(Path.Combine(Node.ExtensionFolder, "extension.js"));
        Assert.Contains("require('./server-command')", extension);
        Assert.Contains("serverCommand(context.extensionPath, configured)", extension);
        foreach (var driver in new[] { "protocol-test.js", "hostile-test.js", "latency-bench.js" })
            Assert.Contains("require('../../../editors/vscode/server-command')", File.ReadAllText(Path.Combine(Node.DriverFolder, driver)));

        var (code, output) = Node.Run("node", "-e \"console.log(JSON.stringify(require('./server-command').serverCommand(process.cwd())))\"", Node.ExtensionFolder, TimeSpan.FromSeconds(30));
        Assert.True(code == 0, output);
        Assert.Contains("\"command\":\"dotnet\"", output);
        Assert.Matches("src/LanguageServer/bin/(Debug|Release)/net10.0/CnnDsl.LanguageServer.dll\",\"--stdio\"", output);
        var (setting, configured) = Node.Run("node", "-e \"console.log(JSON.stringify(require('./server-command').serverCommand(process.cwd(), '/opt/cnn/server')))\"", Node.ExtensionFolder, TimeSpan.FromSeconds(30));
        Assert.Equal(0, setting);
        Assert.Contains("{\"command\":\"/opt/cnn/server\",\"args\":[\"--stdio\"]}", configured);
    }
}
