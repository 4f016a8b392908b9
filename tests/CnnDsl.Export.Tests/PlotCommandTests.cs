using System;
using System.IO;
using System.Linq;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Export.Tests.Infrastructure;
using Xunit;

namespace CnnDsl.Export.Tests;

/// <summary><c>cnn plot</c>, run as a real process: the SVG it writes, read back, and its errors.</summary>
public class PlotCommandTests : IDisposable
{
    const string Models = """
        block Residual(c)
          conv: conv2d c, 3, padding=1, bias=false
          bn: batchnorm2d
          add bn, input
          relu

        model Net
          input 3xHxW
          stem: conv2d 8, 3, padding=1
          res: Residual 8
          pool: global_avgpool2d
          fc: dense 5

        model Other
          input 1x8x8
          flatten
          dense 2
        """;

    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-plot-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Plot_writes_the_models_diagram_collapsed_or_expanded()
    {
        File.WriteAllText(Path.Combine(folder, "net.cnn"), Models);
        var result = CnnTool.Run(folder, "plot", "net.cnn", "--model", "Net", "-o", "net.svg");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("Wrote net.svg: Net, input 3xHxW, 861 parameters", result.Output.Trim());
        var diagram = new RenderedDiagram(File.ReadAllText(Path.Combine(folder, "net.svg")));
        Assert.Equal(new[] { ("input", "stem"), ("pool", "fc"), ("res", "pool"), ("stem", "res") }, diagram.Arrows.Select(a => (a.From, a.To)).OrderBy(a => a.From));
        Assert.Contains(diagram.Boxes.Single(b => b.Title == "res").Texts, t => t.Content == "8 × H × W");

        var expanded = CnnTool.Run(folder, "plot", "net.cnn", "--model", "Net", "-o", "expanded.svg", "--expand", "--input", "3x32x32");
        Assert.True(expanded.ExitCode == 0, expanded.ToString());
        var titles = new RenderedDiagram(File.ReadAllText(Path.Combine(folder, "expanded.svg"))).Boxes.Select(b => b.Title);
        Assert.Equal(new[] { "fc", "input", "pool", "res.add", "res.bn", "res.conv", "res.re_lu", "stem" }, titles.OrderBy(t => t, StringComparer.Ordinal));

        // PNG: the SVG's picture at its size, every box in its own fill.
        var png = CnnTool.Run(folder, "plot", "net.cnn", "--model", "Net", "-o", "net.png");
        Assert.True(png.ExitCode == 0, png.ToString());
        var svg = System.Xml.Linq.XDocument.Parse(File.ReadAllText(Path.Combine(folder, "net.svg"))).Root!;
        using var bitmap = SkiaSharp.SKBitmap.Decode(Path.Combine(folder, "net.png"));
        Assert.Equal((int)Math.Ceiling(double.Parse(svg.Attribute("width")!.Value, System.Globalization.CultureInfo.InvariantCulture)), bitmap.Width);
        foreach (var box in svg.Descendants().Where(e => e.Name.LocalName == "rect" && e.Attribute("rx") != null))
        {
            double x = double.Parse(box.Attribute("x")!.Value, System.Globalization.CultureInfo.InvariantCulture), y = double.Parse(box.Attribute("y")!.Value, System.Globalization.CultureInfo.InvariantCulture);
            double width = double.Parse(box.Attribute("width")!.Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(SkiaSharp.SKColor.Parse(box.Attribute("fill")!.Value), bitmap.GetPixel((int)(x + width / 2), (int)Math.Ceiling(y + 2)));
        }
    }

    [Theory]
    [InlineData("plot|net.cnn|--model|Net|-o|net.jpg", "-o 'net.jpg': cnn plot writes SVG or PNG; give a file ending in .svg or .png")]
    [InlineData("plot|net.cnn|-o|net.svg", "net.cnn has 2 models; choose one with --model (models: Net, Other)")]
    [InlineData("plot|missing.cnn|-o|net.svg", "'missing.cnn' does not exist")]
    public void Mistakes_are_one_line_and_exit_code_2(string arguments, string expected)
    {
        File.WriteAllText(Path.Combine(folder, "net.cnn"), Models);
        var result = CnnTool.Run(folder, arguments.Split('|'));
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(expected, result.Error.Trim().Split('\n').Single());
        Assert.False(File.Exists(Path.Combine(folder, "net.svg")));
    }

    [Fact]
    public void A_model_with_an_error_is_reported_at_its_line_and_draws_nothing()
    {
        File.WriteAllText(Path.Combine(folder, "bad.cnn"), "model Bad\n  input 1x8x8\n  conv2d 4, 9\n");
        var result = CnnTool.Run(folder, "plot", "bad.cnn", "-o", "bad.svg");
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith("bad.cnn(3,3): error CNN2011:", result.Error);
        Assert.False(File.Exists(Path.Combine(folder, "bad.svg")));
    }
}
