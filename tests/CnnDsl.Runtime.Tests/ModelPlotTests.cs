using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using CnnDsl.Diagram;
using CnnDsl.Plots;
using CnnDsl.Runtime.Tests.Models;
using SkiaSharp;
using Xunit;

namespace CnnDsl.Runtime.Tests;

/// <summary>model.PlotModel: the compiler's diagram from a running program, as SVG and as the PNG of the same drawing.</summary>
public sealed class ModelPlotTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-model-plot-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static float Number(XElement element, string name) => float.Parse(element.Attribute(name)!.Value, CultureInfo.InvariantCulture);

    [Fact]
    public void A_generated_model_draws_its_diagram_as_svg_and_the_png_shows_every_box_in_its_colour_with_its_text()
    {
        using var model = CnnModel.Create<TinyResNet>(1);
        var svgPath = Path.Combine(folder, "net.svg");
        var pngPath = Path.Combine(folder, "net.png");
        model.PlotModel(svgPath);
        model.PlotModel(pngPath);
        var svg = XDocument.Load(svgPath).Root!;
        var texts = svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value).ToList();
        // The model's name and its blocks' uses, collapsed: ResNet-18's four stages, with the output shape 10.
        Assert.Contains(texts, t => t.Contains("TinyResNet", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("10", StringComparison.Ordinal));

        using var png = SKBitmap.Decode(pngPath);
        Assert.Equal((int)Math.Ceiling(Number(svg, "width")), png.Width);
        Assert.Equal((int)Math.Ceiling(Number(svg, "height")), png.Height);
        var boxes = svg.Descendants().Where(e => e.Name.LocalName == "rect" && e.Attribute("rx") != null).ToList();
        Assert.True(boxes.Count >= 5, $"{boxes.Count} boxes");
        foreach (var box in boxes)
        {
            float x = Number(box, "x"), y = Number(box, "y"), width = Number(box, "width"), height = Number(box, "height");
            // Just inside the top border, above the first line of text: the box's own fill.
            var fill = SKColor.Parse(box.Attribute("fill")!.Value);
            var inside = png.GetPixel((int)(x + width / 2), (int)Math.Ceiling(y + 2));
            Assert.True(Math.Abs(inside.Red - fill.Red) + Math.Abs(inside.Green - fill.Green) + Math.Abs(inside.Blue - fill.Blue) <= 6,
                $"the box at ({x}, {y}) is {inside} in the PNG, {fill} in the SVG");
            // Its text is drawn: dark ink inside it.
            int ink = 0;
            for (int py = (int)y + 2; py < (int)(y + height) - 2; py++)
                for (int px = (int)x + 2; px < (int)(x + width) - 2; px++)
                    ink += png.GetPixel(px, py).Red < 100 ? 1 : 0;
            Assert.True(ink > 20, $"the box at ({x}, {y}) has no text in the PNG");
        }

        // Expanded, every layer of the blocks has its box: more boxes than collapsed.
        model.PlotModel(Path.Combine(folder, "expanded.svg"), new DiagramOptions { ExpandBlocks = true });
        var expanded = XDocument.Load(Path.Combine(folder, "expanded.svg")).Root!.Descendants().Count(e => e.Name.LocalName == "rect" && e.Attribute("rx") != null);
        Assert.True(expanded > boxes.Count + 20, $"{expanded} boxes expanded, {boxes.Count} collapsed");
    }

    [Fact]
    public void The_png_renderer_refuses_what_it_does_not_draw_rather_than_leaving_it_out()
    {
        var error = Assert.Throws<FormatException>(() => CnnDsl.Vision.SvgPicture.Render("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><circle r=\"3\"/></svg>"));
        Assert.Contains("<circle>", error.Message);
    }
}
