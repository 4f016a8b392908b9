using System.IO;
using System.Linq;
using CnnDsl.Editor.Features;
using CnnDsl.LanguageServer.Tests.Infrastructure;
using CnnDsl.Editor.Workspace;
using Xunit;

namespace CnnDsl.LanguageServer.Tests;

/// <summary>Incremental checking across files, project grouping by .csproj, and hostile inputs in process.</summary>
public class ProjectStateTests
{
    [Fact]
    public void Editing_a_block_in_one_file_updates_the_diagnostics_of_a_model_in_another()
    {
        var project = new Project(("blocks.cnn", "block Widen(c)\n  conv2d c, 3, padding=1\n"), ("net.cnn", "model Net\n  input 3x8x8\n  Widen 4\n  flatten\n"));
        Assert.Empty(project.Diagnostics());

        project.State.UpdateOne(Project.PathOf("blocks.cnn"), "block Widen(c)\n  conv2d c, 9\n");
        Assert.True(project.State.HasStale);
        Assert.Equal(new[] { Project.PathOf("net.cnn") }, project.State.BindStale());

        var diagnostic = Assert.Single(project.Diagnostics());
        Assert.Equal("CNN2011", diagnostic.Id);
        Assert.Equal(Project.PathOf("net.cnn"), diagnostic.Path);
        Assert.StartsWith("Layer 'conv2d' turns an input height of 8 into 0 (kernel 9", diagnostic.Message);
    }

    [Fact]
    public void A_request_about_a_block_file_checks_only_one_user_of_each_block_first()
    {
        var files = new[] { ("blocks.cnn", "block Widen(c)\n  conv2d c, 3, padding=1\n") }
            .Concat(Enumerable.Range(0, 5).Select(i => ("net" + i + ".cnn", "model Net" + i + "\n  input 3x8x8\n  Widen " + (4 + i) + "\n"))).ToArray();
        var project = new Project(files);
        var blocks = Project.PathOf("blocks.cnn");
        project.State.UpdateOne(blocks, "block Widen(c)\n  conv2d c, 1\n");

        Assert.Equal(new[] { Project.PathOf("net0.cnn") }, project.State.BindFor(blocks));
        // The block's line shows the shapes of its first use as now written: 4 filters of 1x1x3 and their biases.
        var hint = Assert.Single(ShapeFeatures.InlayHints(project.State, blocks, 0, 10));
        Assert.Equal("-> 4x8x8 · 16", hint.Label);
        Assert.Equal(4, project.State.BindStale().Count);
        Assert.False(project.State.HasStale);
    }

    [Fact]
    public void Editing_inside_a_model_leaves_other_files_alone()
    {
        var project = new Project(("blocks.cnn", "block Widen(c)\n  conv2d c, 3, padding=1\n"), ("net.cnn", "model Net\n  input 3x8x8\n  Widen 4\n"));
        var before = project.State.Find(Project.PathOf("blocks.cnn"));
        project.State.UpdateOne(Project.PathOf("net.cnn"), "model Net\n  input 3x8x8\n  Widen 8\n");
        Assert.False(project.State.HasStale);
        Assert.Same(before, project.State.Find(Project.PathOf("blocks.cnn")));
    }

    [Fact]
    public void A_model_name_taken_by_an_earlier_file_is_reported_on_the_later_one_until_renamed()
    {
        var project = new Project(("a.cnn", "model Net\n  input 1x2x2\n  flatten\n"), ("b.cnn", "model Net\n  input 1x2x2\n  flatten\n"));
        var duplicate = Assert.Single(project.Diagnostics());
        Assert.Equal(("CNN2010", Project.PathOf("b.cnn")), (duplicate.Id, duplicate.Path));
        project.State.Update(Project.PathOf("b.cnn"), "model Other\n  input 1x2x2\n  flatten\n");
        Assert.Empty(project.Diagnostics());
    }

    [Fact]
    public void Files_belong_to_the_nearest_csproj_whose_root_namespace_their_models_get()
    {
        using var folder = new TemporaryFolder();
        folder.Write("App/App.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><RootNamespace>My.App</RootNamespace></PropertyGroup></Project>");
        var app = folder.Write("App/Models/a.cnn", "model Net\n  input 1x2x2\n  flatten\n");
        folder.Write("Lib/Lib.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\" />");
        var lib = folder.Write("Lib/b.cnn", "model Net\n  input 1x2x2\n  flatten\n");
        folder.Write("Lib/bin/Debug/copy.cnn", "model Stale\n");
        var workspace = new WorkspaceState(folder.Path, null);

        Assert.Equal(new[] { app, lib }.OrderBy(p => p), workspace.DiscoverFiles().OrderBy(p => p));
        Assert.NotSame(workspace.ProjectOf(app), workspace.ProjectOf(lib));
        Assert.Equal("My.App", workspace.ProjectOf(app).RootNamespace);
        Assert.Equal("Lib", workspace.ProjectOf(lib).RootNamespace);
    }

    [Fact]
    public void Hostile_inputs_give_diagnostics_and_answers_not_crashes()
    {
        var inputs = new[]
        {
            "model M\n  input 1x8x8\n  conv2d 4, kernel=" + new string('(', 50_000) + "3" + new string(')', 50_000) + "\n",
            "model M\n  input 1x8x8\n  " + string.Join(".", Enumerable.Range(0, 30_000).Select(i => "p" + i)) + ": relu\n",
            "model M\n  input 1x8x8\n" + string.Concat(Enumerable.Range(0, 40).Select(i => "  group g" + i + "\n")) + "  relu\n",
            "model M\n  input 1x8x8\n" + string.Concat(Enumerable.Repeat("  relu\n", 200_000)),
            "\0\uFFFF\uD800 model\n\t\t\tend\nelse\n",
        };
        foreach (var text in inputs)
        {
            var project = new Project(("hostile.cnn", text));
            var path = Project.PathOf("hostile.cnn");
            var document = project.State.Find(path)!;
            Assert.NotNull(document);
            Assert.DoesNotContain(project.Diagnostics(), d => d.Id == "CNN9001");
            ShapeFeatures.InlayHints(project.State, path, 0, 1000);
            ShapeFeatures.Hover(project.State, path, new CnnDsl.Editor.Protocol.Position(2, 4));
            CompletionFeatures.Complete(project.State, path, new CnnDsl.Editor.Protocol.Position(2, 10));
            Outline.Symbols(document);
            Outline.Folding(document);
            CodeActions.For(project.State, path, new CnnDsl.Editor.Protocol.Range(new(0, 0), new(5, 0)), Project.UriOf);
        }
    }
}
