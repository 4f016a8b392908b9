using System.Collections.Generic;
using System.Linq;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Diagram;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// Model diagrams, measured in the SVG text they are written as (<see cref="RenderedDiagram"/>): which boxes the arrows
/// join, what each box says, and where boxes and texts lie.
/// </summary>
public class DiagramTests
{
    const string Sequential = """
        model Course
          input 1x28x28
          conv2d 32, kernel=5, padding=same, activation=relu
          maxpool2d 2
          conv2d 64, kernel=5, padding=same, activation=relu
          maxpool2d 2
          flatten
          dense 1000, activation=relu
          dropout 0.25
          dense 10
        """;

    const string Residual = """
        block Residual(c)
          conv: conv2d c, 3, padding=1, bias=false
          bn: batchnorm2d
          sum: add bn, input
          act: relu

        model ResidualNet
          input 3xHxW
          stem: conv2d 16, 3, padding=1
          res: Residual 16
          pool: global_avgpool2d
          fc: dense 10
        """;

    const string Inception = """
        model InceptionLike
          input 8x16x16
          a: conv2d 4, 1
          b1: conv2d 4, 1, from=input
          b2: conv2d 4, 3, padding=1, from=b1
          p: maxpool2d 3, stride=1, padding=1, from=input
          cat: concat a, b2, p
        """;

    const string Skip = """
        model SkipNet
          input 1x28x28
          c1: conv2d 8, 3, padding=1
          c2: conv2d 8, 3, padding=1
          c3: conv2d 8, 1, from=c1
          gate: multiply c2, c3
          pool: maxpool2d 2
        """;

    const string Nested = """
        block Inner(c)
          a: conv2d c, 3, padding=1
          add a, input

        block Outer(c)
          i1: Inner c
          i2: Inner c
          p: maxpool2d 3, stride=1, padding=1, from=i1
          cat: concat i2, p

        model NestedNet
          input 4x8x8
          o: Outer 4
          fc: conv2d 2, 1
        """;

    static BoundModel Compile(string text, string? name = null)
    {
        var compilation = CnnCompilation.Compile(text, "diagram.cnn");
        Assert.Empty(compilation.Diagnostics);
        return name == null ? compilation.Models.Single() : compilation.Models.Single(m => m.Name == name);
    }

    static RenderedDiagram Render(BoundModel model, bool expand = false) =>
        new(ModelDiagram.ToSvg(model, new DiagramOptions { ExpandBlocks = expand }));

    static RenderedDiagram Render(string text, bool expand = false) => Render(Compile(text), expand);

    static void AssertArrows(RenderedDiagram diagram, params (string From, string To)[] expected)
    {
        var actual = diagram.Arrows.Select(a => (a.From, a.To)).OrderBy(a => a.From).ThenBy(a => a.To).ToList();
        Assert.Equal(expected.OrderBy(a => a.From).ThenBy(a => a.To).ToList(), actual);
    }

    [Fact]
    public void A_sequential_cnn_is_a_chain_from_the_input_to_the_last_layer()
    {
        var diagram = Render(Sequential);
        AssertArrows(diagram,
            ("input", "conv2d"), ("conv2d", "max_pooling2d"), ("max_pooling2d", "conv2d_1"), ("conv2d_1", "max_pooling2d_1"),
            ("max_pooling2d_1", "flatten"), ("flatten", "dense"), ("dense", "dropout"), ("dropout", "dense_1"));
        var conv = diagram.Boxes.Single(b => b.Title == "conv2d_1");
        Assert.Equal(new[] { "conv2d_1", "Conv2d(64, kernel_size=5, padding=same) + relu", "64 × 14 × 14", "51,264 params" },
            conv.Texts.OrderBy(t => t.Y).Select(t => t.Content));
        Assert.Contains(diagram.Texts, t => t.Content == "Course: 3,199,106 parameters");
    }

    [Fact]
    public void A_residual_block_collapsed_is_one_box_with_its_shape_and_count_and_expanded_shows_the_add()
    {
        var collapsed = Render(Residual);
        AssertArrows(collapsed, ("input", "stem"), ("stem", "res"), ("res", "pool"), ("pool", "fc"));
        var block = collapsed.Boxes.Single(b => b.Title == "res");
        Assert.Equal(new[] { "res", "Residual c=16", "16 × H × W", "2,336 params" }, block.Texts.OrderBy(t => t.Y).Select(t => t.Content));

        var expanded = Render(Residual, expand: true);
        var frame = Assert.Single(expanded.Frames);
        Assert.Equal("res: Residual c=16", Assert.Single(frame.Texts).Content);
        Assert.All(expanded.Boxes.Where(b => b.Title.StartsWith("res.", System.StringComparison.Ordinal)),
            b => Assert.True(b.X >= frame.X && b.Y >= frame.Y && b.X + b.Width <= frame.X + frame.Width && b.Y + b.Height <= frame.Y + frame.Height, $"{b.Title} lies outside its block's frame"));
        Assert.All(expanded.Boxes.Where(b => !b.Title.StartsWith("res.", System.StringComparison.Ordinal)),
            b => Assert.True(frame.DistanceTo(b.X + b.Width / 2, b.Y + b.Height / 2) > 0, $"{b.Title} lies inside the block's frame"));
        AssertArrows(expanded, ("input", "stem"), ("stem", "res.conv"), ("res.conv", "res.bn"), ("res.bn", "res.sum"), ("stem", "res.sum"),
            ("res.sum", "res.act"), ("res.act", "pool"), ("pool", "fc"));
    }

    [Fact]
    public void Expanded_blocks_nest_their_frames_and_what_follows_a_block_lies_below_its_frame()
    {
        var diagram = Render(Nested, expand: true);
        AssertArrows(diagram, ("input", "o.i1.a"), ("o.i1.a", "o.i1.add"), ("input", "o.i1.add"), ("o.i1.add", "o.i2.a"), ("o.i2.a", "o.i2.add"),
            ("o.i1.add", "o.i2.add"), ("o.i1.add", "o.p"), ("o.i2.add", "o.cat"), ("o.p", "o.cat"), ("o.cat", "fc"));
        RenderedDiagram.Box Frame(string label) => diagram.Frames.Single(f => f.Texts.Single().Content == label);
        var (outer, first, second) = (Frame("o: Outer c=4"), Frame("o.i1: Inner c=4"), Frame("o.i2: Inner c=4"));
        foreach (var inner in new[] { first, second })
            Assert.True(inner.X >= outer.X && inner.Y >= outer.Y && inner.X + inner.Width <= outer.X + outer.Width && inner.Y + inner.Height <= outer.Y + outer.Height);
        Assert.True(second.Y >= first.Y + first.Height, "o.i2 does not follow o.i1");
        Assert.True(diagram.Boxes.Single(b => b.Title == "fc").Y >= outer.Y + outer.Height, "fc does not follow the frame of o");
        Assert.True(diagram.Boxes.Single(b => b.Title == "o.cat").Y >= second.Y + second.Height, "o.cat does not follow the frame of o.i2");
    }

    [Fact]
    public void An_inception_like_concat_joins_its_three_branches()
    {
        AssertArrows(Render(Inception), ("input", "a"), ("input", "b1"), ("b1", "b2"), ("input", "p"), ("a", "cat"), ("b2", "cat"), ("p", "cat"));
    }

    [Fact]
    public void A_from_skip_leaves_the_layer_it_names_and_multiply_takes_both()
    {
        AssertArrows(Render(Skip), ("input", "c1"), ("c1", "c2"), ("c1", "c3"), ("c2", "gate"), ("c3", "gate"), ("gate", "pool"));
    }

    [Fact]
    public void Symbolic_shapes_are_formulas_of_the_input_sizes()
    {
        var diagram = Render("""
            model Variable
              input 3xHxW
              conv2d 64, 3, padding=1
              maxpool2d 2
              maxpool2d 2
            """);
        Assert.Contains(diagram.Boxes.Single(b => b.Title == "max_pooling2d_1").Texts, t => t.Content == "64 × H//4 × W//4");
        Assert.Contains(diagram.Boxes.Single(b => b.Title == "input").Texts, t => t.Content == "3 × H × W");
    }

    public static TheoryData<string> Models => new()
    {
        Sequential, Residual, Inception, Skip, Nested,
        "model ResNet18 = resnet18\n  input 3x224x224\n",
        "model GoogLeNet = googlenet\n  input 3x224x224\n",
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Expanded_each_layer_appears_once_with_its_output_shape(string text)
    {
        var model = Compile(text);
        var diagram = Render(model, expand: true);
        var layers = Leaves(model.Layers, "").ToList();
        Assert.Equal(layers.Select(l => l.Name).Append("input").OrderBy(n => n), diagram.Boxes.Select(b => b.Title).OrderBy(n => n));
        foreach (var (name, shape) in layers)
        {
            var expected = string.Join(" × ", shape.Dimensions.Select(d => d.ToString().Replace(" ", "")));
            Assert.True(diagram.Boxes.Single(b => b.Title == name).Texts.Any(t => t.Content == expected), $"{name} does not show {expected}");
        }
    }

    static IEnumerable<(string Name, TensorShape Shape)> Leaves(IEnumerable<BoundLayer> layers, string prefix) =>
        layers.SelectMany(l => l.Config is BlockConfig block ? Leaves(block.Layers, prefix + l.Name + ".") : new[] { (prefix + l.Name, l.OutputShape) });

    [Theory]
    [MemberData(nameof(Models))]
    public void No_boxes_overlap_and_every_text_is_readable_inside_its_box_and_the_canvas(string text)
    {
        foreach (var expand in new[] { false, true })
            AssertReadable(Render(text, expand));
    }

    static void AssertReadable(RenderedDiagram diagram)
    {
        var boxes = diagram.Boxes;
        for (int i = 0; i < boxes.Count; i++)
            for (int j = i + 1; j < boxes.Count; j++)
            {
                var (a, b) = (boxes[i], boxes[j]);
                bool apart = a.X + a.Width <= b.X || b.X + b.Width <= a.X || a.Y + a.Height <= b.Y || b.Y + b.Height <= a.Y;
                Assert.True(apart, $"boxes {a.Title} and {b.Title} overlap");
            }
        foreach (var text in diagram.Texts)
        {
            Assert.True(text.Size >= 10, $"'{text.Content}' is {text.Size} px");
            var (left, top, right, bottom) = text.Extent;
            Assert.True(left >= 0 && top >= 0 && right <= diagram.Width && bottom <= diagram.Height, $"'{text.Content}' leaves the canvas");
        }
        foreach (var box in boxes)
        {
            Assert.NotEmpty(box.Texts);
            foreach (var (left, top, right, bottom) in box.Texts.Select(t => t.Extent))
                Assert.True(left >= box.X && right <= box.X + box.Width && top >= box.Y && bottom <= box.Y + box.Height,
                    $"a text of {box.Title} leaves its box");
        }
        // Every text belongs to a box, except the caption above them and one label per frame, inside it and clear of its boxes.
        Assert.Equal(diagram.Texts.Count - 1, boxes.Sum(b => b.Texts.Count) + diagram.Frames.Count);
        foreach (var frame in diagram.Frames)
        {
            var label = Assert.Single(frame.Texts);
            var (left, top, right, bottom) = label.Extent;
            Assert.True(left >= frame.X && right <= frame.X + frame.Width && top >= frame.Y && bottom <= frame.Y + frame.Height, $"the label '{label.Content}' leaves its frame");
            Assert.All(boxes, b => Assert.True(right <= b.X || b.X + b.Width <= left || bottom <= b.Y || b.Y + b.Height <= top, $"the label '{label.Content}' overlaps {b.Title}"));
        }
    }

    [Theory]
    [MemberData(nameof(ZooTests.Models), MemberType = typeof(ZooTests))]
    public void Every_zoo_model_is_readable_collapsed_and_expanded_and_stays_a_column(string zooModel, string input, long parameters)
    {
        var model = Compile($"model Net = {zooModel}\n  input {input}\n");
        Assert.Equal(parameters, model.ParameterCount);
        foreach (var expand in new[] { false, true })
        {
            var diagram = Render(model, expand);
            AssertReadable(diagram);
            // The widest, Inception V3 expanded, is about 3,150 px: four branches of frames side by side.
            Assert.True(diagram.Width <= 3500, $"{zooModel} {(expand ? "expanded" : "collapsed")} is {diagram.Width} px wide");
        }
    }

    [Fact]
    public void Resnet152_collapses_its_equal_bottlenecks_and_stays_within_400_by_1800_px()
    {
        var diagram = Render("model ResNet152 = resnet152\n  input 3x224x224\n");
        AssertReadable(diagram);
        Assert.True(diagram.Width <= 400 && diagram.Height <= 1800, $"{diagram.Width} x {diagram.Height}");
        var layer3 = diagram.Boxes.Single(b => b.Title == "layer3.1 … layer3.35");
        Assert.Contains(layer3.Texts, t => t.Content == "resnet_bottleneck width=256, stride=1 ×35");
        Assert.Contains(layer3.Texts, t => t.Content == "1024 × 14 × 14");
        Assert.Equal(16, diagram.Boxes.Count);
    }

    [Fact]
    public void Densenet121_collapses_each_dense_block_and_stays_within_400_by_1800_px()
    {
        var diagram = Render("model DenseNet121 = densenet121\n  input 3x224x224\n");
        AssertReadable(diagram);
        Assert.True(diagram.Width <= 400 && diagram.Height <= 1800, $"{diagram.Width} x {diagram.Height}");
        var repeats = diagram.Texts.Where(t => t.Content.StartsWith("densenet_layer", System.StringComparison.Ordinal)).Select(t => t.Content.Split('×')[1]);
        Assert.Equal(new[] { "6", "12", "24", "16" }, repeats);
    }

    [Fact]
    public void A_chain_whose_middle_output_is_read_elsewhere_is_not_collapsed_past_it()
    {
        var model = Compile("""
            block Same(c)
              conv2d c, 3, padding=1

            model Net
              input 4x8x8
              b1: Same 4
              b2: Same 4
              b3: Same 4
              b4: Same 4
              b5: Same 4
              sum: add b5, b2
            """);
        var diagram = Render(model);
        AssertArrows(diagram, ("input", "b1"), ("b1", "b2"), ("b2", "b3 … b5"), ("b3 … b5", "sum"), ("b2", "sum"));
    }
}
