using System.Linq;
using CnnDsl.Editor.Features;
using CnnDsl.LanguageServer.Tests.Infrastructure;
using Xunit;

namespace CnnDsl.LanguageServer.Tests;

/// <summary>Completion, signature help, navigation, rename, outline and folding, in process.</summary>
public class EditingFeatureTests
{
    const string Blocks = "block Down(channels, stride=2)\n  conv2d channels, 3, stride=stride, padding=1\n";
    const string Net = "model Net\n  input 3x32x32\n  stem: conv2d 8, 3, padding=1\n  a: Down 8\n  b: conv2d 8, 1, stride=2, from=stem\n  add a, b\n  \n";

    static Project Sample() => new(("blocks.cnn", Blocks), ("net.cnn", Net));

    static string[] Labels(CnnDsl.Editor.Protocol.CompletionList list) => list.Items.Select(i => i.Label).ToArray();

    [Fact]
    public void Completion_at_a_statement_offers_layer_kinds_blocks_zoo_models_and_keywords()
    {
        var project = Sample();
        var labels = Labels(CompletionFeatures.Complete(project.State, Project.PathOf("net.cnn"), project.At("net.cnn", "add a, b\n  ", 11)));
        foreach (var expected in new[] { "conv2d", "maxpool2d", "dense", "relu", "Down", "resnet18", "repeat", "end" })
            Assert.Contains(expected, labels);
    }

    [Fact]
    public void Completion_offers_argument_names_with_defaults_and_values_after_the_equals_sign()
    {
        var project = new Project(("net.cnn", "model Net\n  input 3x32x32\n  conv2d 8, kernel=3, \n  conv2d 8, 3, padding=\n  conv2d 8, 3, activation=\n"));
        var path = Project.PathOf("net.cnn");
        var names = CompletionFeatures.Complete(project.State, path, project.At("net.cnn", "kernel=3, ", 10)).Items;
        Assert.DoesNotContain(names, i => i.Label == "kernel");
        var stride = Assert.Single(names, i => i.Label == "stride");
        Assert.Equal("default 1", stride.Detail);
        Assert.Equal("stride=", stride.InsertText);
        Assert.Equal(new[] { "same", "valid" }, Labels(CompletionFeatures.Complete(project.State, path, project.At("net.cnn", "padding=", 8))));
        var activations = Labels(CompletionFeatures.Complete(project.State, path, project.At("net.cnn", "activation=", 11)));
        Assert.Contains("relu", activations);
        Assert.Contains("softmax", activations);
        Assert.Contains("none", activations);
    }

    [Fact]
    public void Completion_after_from_and_in_add_offers_the_tensors_defined_before()
    {
        var project = Sample();
        var path = Project.PathOf("net.cnn");
        var afterFrom = Labels(CompletionFeatures.Complete(project.State, path, project.At("net.cnn", "from=", 5)));
        Assert.Equal(new[] { "input", "stem", "a" }, afterFrom);
        var inAdd = Labels(CompletionFeatures.Complete(project.State, path, project.At("net.cnn", "add a, ", 7)));
        Assert.Equal(new[] { "input", "stem", "a", "b" }, inAdd);
    }

    [Fact]
    public void Signature_help_for_a_block_shows_its_parameters_and_the_active_one()
    {
        var project = new Project(("blocks.cnn", Blocks), ("net.cnn", "model Net\n  input 3x32x32\n  Down 8, \n"));
        var help = CompletionFeatures.Signature(project.State, Project.PathOf("net.cnn"), project.At("net.cnn", "Down 8, ", 8))!;
        var signature = Assert.Single(help.Signatures);
        Assert.Equal("block Down(channels, stride=2)", signature.Label);
        Assert.Equal(new[] { "channels", "stride=2" }, signature.Parameters.Select(p => p.Label));
        Assert.Equal(1, help.ActiveParameter);
    }

    [Fact]
    public void Definition_and_references_of_a_block_span_the_project()
    {
        var project = Sample();
        var definition = Navigation.Definition(project.State, Project.PathOf("net.cnn"), project.At("net.cnn", "Down"), Project.UriOf)!;
        Assert.Equal("file:///project/blocks.cnn", definition.Uri);
        Assert.Equal((0, 6, 0, 10), (definition.Range.Start.Line, definition.Range.Start.Character, definition.Range.End.Line, definition.Range.End.Character));
        var references = Navigation.FindReferences(project.State, Project.PathOf("blocks.cnn"), project.At("blocks.cnn", "Down"), true, Project.UriOf);
        Assert.Equal(new[] { "file:///project/blocks.cnn:0", "file:///project/net.cnn:3" }, references.Select(r => r.Uri + ":" + r.Range.Start.Line));
    }

    [Fact]
    public void Definition_of_a_from_target_and_an_add_operand_is_its_label()
    {
        var project = Sample();
        var path = Project.PathOf("net.cnn");
        var fromStem = Navigation.Definition(project.State, path, project.At("net.cnn", "from=stem", 6), Project.UriOf)!;
        Assert.Equal(project.At("net.cnn", "stem:"), fromStem.Range.Start);
        var operand = Navigation.Definition(project.State, path, project.At("net.cnn", "add a, b", 7), Project.UriOf)!;
        Assert.Equal(project.At("net.cnn", "b: conv2d"), operand.Range.Start);
        var references = Navigation.FindReferences(project.State, path, project.At("net.cnn", "stem:"), true, Project.UriOf);
        Assert.Equal(2, references.Count);
    }

    [Fact]
    public void Rename_of_a_label_edits_its_declaration_and_every_reader()
    {
        var project = Sample();
        var edit = Navigation.Rename(project.State, Project.PathOf("net.cnn"), project.At("net.cnn", "stem:"), "features", Project.UriOf);
        Assert.Equal("model Net\n  input 3x32x32\n  features: conv2d 8, 3, padding=1\n  a: Down 8\n  b: conv2d 8, 1, stride=2, from=features\n  add a, b\n  \n",
            project.Apply("net.cnn", edit));
    }

    [Fact]
    public void Rename_of_a_block_edits_every_file_and_refuses_what_it_cannot_rename()
    {
        var project = Sample();
        var edit = Navigation.Rename(project.State, Project.PathOf("net.cnn"), project.At("net.cnn", "Down"), "Reduce", Project.UriOf);
        Assert.StartsWith("block Reduce(channels", project.Apply("blocks.cnn", edit));
        Assert.Contains("  a: Reduce 8\n", project.Apply("net.cnn", edit));

        var kind = Assert.Throws<RenameException>(() => Navigation.Rename(project.State, Project.PathOf("net.cnn"), project.At("net.cnn", "conv2d"), "conv", Project.UriOf));
        Assert.Contains("layer kinds", kind.Message);
        var taken = Assert.Throws<RenameException>(() => Navigation.Rename(project.State, Project.PathOf("net.cnn"), project.At("net.cnn", "Down"), "resnet18", Project.UriOf));
        Assert.Equal("'resnet18' is already a layer kind or block.", taken.Message);
        var invalid = Assert.Throws<RenameException>(() => Navigation.Rename(project.State, Project.PathOf("net.cnn"), project.At("net.cnn", "stem:"), "2x", Project.UriOf));
        Assert.Contains("cannot name a layer", invalid.Message);
    }

    [Fact]
    public void Rename_of_a_label_inside_a_group_keeps_the_group_prefix()
    {
        var project = new Project(("net.cnn", "model Net\n  input 3x8x8\n  group features\n    conv: conv2d 4, 3\n    relu\n  end\n  relu from=features.conv\n"));
        var edit = Navigation.Rename(project.State, Project.PathOf("net.cnn"), project.At("net.cnn", "from=features.conv", 6), "features.first", Project.UriOf);
        Assert.Equal("model Net\n  input 3x8x8\n  group features\n    first: conv2d 4, 3\n    relu\n  end\n  relu from=features.first\n", project.Apply("net.cnn", edit));
        var outside = Assert.Throws<RenameException>(() => Navigation.Rename(project.State, Project.PathOf("net.cnn"), project.At("net.cnn", "conv:"), "head", Project.UriOf));
        Assert.Contains("prefix 'features.'", outside.Message);
    }

    [Fact]
    public void Outline_lists_models_blocks_and_nested_groups_and_folding_covers_them()
    {
        const string text = "block B(c)\n  conv2d c, 1\n  if c > 4\n    relu\n  end\nmodel Net\n  input 3x8x8\n  group features\n    group 0\n      conv2d 4, 3\n    end\n  end\n  repeat 2 as i\n    relu\n  end\n";
        var project = new Project(("net.cnn", text));
        var document = project.State.Find(Project.PathOf("net.cnn"))!;
        var symbols = Outline.Symbols(document);
        Assert.Equal(new[] { "B", "Net" }, symbols.Select(s => s.Name));
        Assert.Equal("block B(c)", symbols[0].Detail);
        var features = Assert.Single(symbols[1].Children);
        Assert.Equal("features", features.Name);
        Assert.Equal("features.0", Assert.Single(features.Children).Name);
        Assert.Equal(new[] { (0, 4), (2, 4), (5, 14), (7, 11), (8, 10), (12, 14) },
            Outline.Folding(document).Select(f => (f.StartLine, f.EndLine)));
    }
}
