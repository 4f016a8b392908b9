using System.Linq;
using CnnDsl.Editor.Features;
using CnnDsl.LanguageServer.Tests.Infrastructure;
using Xunit;

namespace CnnDsl.LanguageServer.Tests;

/// <summary>Inlay hints and hovers: shapes, counts and arguments as binding found them, numbers checked by hand.</summary>
public class ShapeFeatureTests
{
    const string Fashion = "model FashionCnn\n  input 1x28x28\n  conv2d 32, kernel=5, padding=same, activation=relu\n  maxpool2d 2\n  conv2d 64, kernel=5, padding=same, activation=relu\n  maxpool2d 2\n  flatten\n  dense 1000, activation=relu\n  dropout 0.25\n  dense 10\n";

    [Fact]
    public void Inlay_hints_give_every_layer_line_the_course_summary_shape_and_count()
    {
        var project = new Project(("fashion.cnn", Fashion));
        var hints = ShapeFeatures.InlayHints(project.State, Project.PathOf("fashion.cnn"), 0, 100);
        // The summary in the README: 832, 51,264, 3,137,000 and 10,010 parameters.
        Assert.Equal(new[] { "2:-> 32x28x28 · 832", "3:-> 32x14x14", "4:-> 64x14x14 · 51,264", "5:-> 64x7x7", "6:-> 3136",
            "7:-> 1000 · 3,137,000", "8:-> 1000", "9:-> 10 · 10,010" }, hints.Select(h => h.Position.Line + ":" + h.Label));
        Assert.Equal("  conv2d 32, kernel=5, padding=same, activation=relu".Length, hints[0].Position.Character);
    }

    [Fact]
    public void Inlay_hints_are_symbolic_where_the_input_has_size_variables()
    {
        var project = new Project(("net.cnn", "model Net\n  input 3xHxW\n  conv2d 8, 3, stride=2\n  global_avgpool2d\n"));
        var hints = ShapeFeatures.InlayHints(project.State, Project.PathOf("net.cnn"), 0, 100);
        // floor((H - 3) / 2) + 1 = (H - 1) // 2; 8 filters of 3x3x3 and their biases.
        Assert.Equal(new[] { "-> 8x((H - 1) // 2)x((W - 1) // 2) · 224", "-> 8" }, hints.Select(h => h.Label));
    }

    [Fact]
    public void Inlay_hints_stop_at_a_mistake_and_appear_inside_blocks_from_their_first_use()
    {
        var project = new Project(
            ("blocks.cnn", "block Pair(c)\n  conv2d c, 3, padding=1\n  relu\n"),
            ("net.cnn", "model Net\n  input 3x8x8\n  Pair 4\n  conv2d 8, kernal=3\n  flatten\n"));
        var net = ShapeFeatures.InlayHints(project.State, Project.PathOf("net.cnn"), 0, 100);
        Assert.Equal(new[] { "2:-> 4x8x8 · 112" }, net.Select(h => h.Position.Line + ":" + h.Label));
        var block = ShapeFeatures.InlayHints(project.State, Project.PathOf("blocks.cnn"), 0, 100);
        Assert.Equal(new[] { "1:-> 4x8x8 · 112", "2:-> 4x8x8" }, block.Select(h => h.Position.Line + ":" + h.Label));
    }

    [Fact]
    public void Hover_on_a_layer_shows_kind_resolved_arguments_defaults_shapes_and_parameters()
    {
        var project = new Project(("fashion.cnn", Fashion));
        var hover = ShapeFeatures.Hover(project.State, Project.PathOf("fashion.cnn"), project.At("fashion.cnn", "conv2d 64", 2))!;
        var text = hover.Contents.Value;
        foreach (var part in new[] { "**conv2d**", "`conv2d_1` (Conv2d)", "`filters = 64`", "`kernel = 5`", "`padding = same`", "`stride = 1` (default)",
                     "`dilation = 1` (default)", "Input `32x14x14` → output `64x14x14`", "Parameters: 51,264" })
            Assert.Contains(part, text);
    }

    [Fact]
    public void Hover_on_a_block_use_shows_its_signature_and_this_use_s_arguments()
    {
        var project = new Project(
            ("blocks.cnn", "block Down(channels, stride=2)\n  conv2d channels, 3, stride=stride, padding=1\n"),
            ("net.cnn", "model Net\n  input 3x32x32\n  d: Down 16\n"));
        var text = ShapeFeatures.Hover(project.State, Project.PathOf("net.cnn"), project.At("net.cnn", "Down", 1))!.Contents.Value;
        Assert.Contains("block Down(channels, stride=2)", text);
        Assert.Contains("`channels = 16`", text);
        Assert.Contains("`stride = 2` (default)", text);
        Assert.Contains("Input `3x32x32` → output `16x16x16`", text);
        Assert.Contains("Parameters: 448", text);
    }

    [Fact]
    public void Hover_on_a_tensor_read_by_from_or_add_shows_its_shape()
    {
        var project = new Project(("net.cnn", "model Net\n  input 3x8x8\n  a: conv2d 4, 3, padding=1\n  b: maxpool2d 2, from=a\n  c: conv2d 4, 1, from=input\n  add a, c\n"));
        var path = Project.PathOf("net.cnn");
        Assert.Equal("`a`: `4x8x8`", ShapeFeatures.Hover(project.State, path, project.At("net.cnn", "from=a", 5))!.Contents.Value);
        Assert.Equal("`input`: `3x8x8`", ShapeFeatures.Hover(project.State, path, project.At("net.cnn", "from=input", 6))!.Contents.Value);
        Assert.Equal("`c`: `4x8x8`", ShapeFeatures.Hover(project.State, path, project.At("net.cnn", "add a, c", 7))!.Contents.Value);
    }

    [Fact]
    public void Hover_on_a_size_variable_states_the_accepted_size_rule()
    {
        var project = new Project(("net.cnn", "model Net\n  input 1xHxW\n  conv2d 4, kernel=5\n  maxpool2d 2\n  global_avgpool2d\n"));
        var text = ShapeFeatures.Hover(project.State, Project.PathOf("net.cnn"), project.At("net.cnn", "1xHxW", 2))!.Contents.Value;
        // A 5x5 kernel leaves H - 4, which the pool halves: H - 4 >= 2, so H >= 6.
        Assert.Contains("`H >= 6 and W >= 6`", text);
        Assert.Contains("Smallest input: `H = 6, W = 6`", text);
    }
}
