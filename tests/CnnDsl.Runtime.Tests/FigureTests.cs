using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnDsl.Plots;
using CnnDsl.Runtime.Tests.Infrastructure;
using CnnDsl.Training;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CnnDsl.Runtime.Tests;

/// <summary>
/// The figures as a reader sees them, measured in the SVG files they are written as (the same drawing as the PNG): every
/// text inside the canvas, no two texts overlapping, nothing under 10 px; titles and axis titles present; a legend that
/// covers no data point; a 20-class confusion matrix within a stated size.
/// </summary>
public sealed class FigureTests(ITestOutputHelper output) : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-figures-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    List<SvgText> AssertReadable(string path, string figure)
    {
        var (width, height, texts) = SvgText.Read(path);
        Assert.NotEmpty(texts);
        foreach (var text in texts)
        {
            Assert.True(text.FontSize >= 10, $"{figure}: {text} is smaller than 10 px");
            Assert.True(text.Box.Left >= -0.5 && text.Box.Top >= -0.5 && text.Box.Right <= width + 0.5 && text.Box.Bottom <= height + 0.5,
                $"{figure}: {text} leaves the {width}x{height} canvas");
        }
        // The drawn areas too (cells, colour bars, tiles, legend boxes): inside the canvas.
        var shapes = SvgText.Shapes(path).ToList();
        Assert.True(shapes.Count > 0, $"{figure}: no rectangles or images read");
        foreach (var (kind, box) in shapes)
            Assert.True(box.Left >= -0.5 && box.Top >= -0.5 && box.Right <= width + 0.5 && box.Bottom <= height + 0.5, $"{figure}: a {kind} at {box} leaves the {width}x{height} canvas");
        var overlapping = SvgText.Overlapping(texts).ToList();
        Assert.True(overlapping.Count == 0, $"{figure}: texts overlap: " + string.Join("; ", overlapping.Take(5).Select(p => $"{p.A} and {p.B}")));
        output.WriteLine($"{figure}: {width}x{height}, {texts.Count} texts, smallest {texts.Min(t => t.FontSize)} px");
        return texts;
    }

    static ConfusionMatrix Matrix(int classes, Func<int, string> name, int seed)
    {
        var random = new Random(seed);
        var truth = new List<long>();
        var predicted = new List<long>();
        for (int i = 0; i < classes * 80; i++)
        {
            long label = random.Next(classes);
            truth.Add(label);
            predicted.Add(random.NextDouble() < 0.7 ? label : random.Next(classes));
        }
        return new ConfusionMatrix(truth.ToArray(), predicted.ToArray(), Enumerable.Range(0, classes).Select(name).ToArray());
    }

    [Fact]
    public void A_confusion_matrix_of_4_or_20_classes_has_its_titles_counts_and_colour_bar_readable_and_within_its_size()
    {
        foreach (var (classes, name) in new (int, Func<int, string>)[] { (4, i => new[] { "cat", "dog", "bird", "ankle boot" }[i]), (20, i => $"garment class {i:00}") })
        {
            var matrix = Matrix(classes, name, seed: classes);
            var path = Path.Combine(folder, $"confusion-{classes}.svg");
            var layout = matrix.Save(path);
            var texts = AssertReadable(path, $"{classes}-class confusion matrix");
            var (width, height, _) = SvgText.Read(path);
            // The stated bound: 20 classes with names of 16 characters fit in 1,200 x 1,100 px.
            Assert.True(width <= 1200 && height <= 1100, $"{classes} classes: {width}x{height}");
            Assert.Contains(texts, t => t.Text.StartsWith($"Confusion matrix: {matrix.Total:N0} samples, accuracy", StringComparison.Ordinal));
            Assert.Single(texts, t => t.Text == "True class");
            Assert.Single(texts, t => t.Text == "Predicted class");
            Assert.Single(texts, t => t.Text == "samples");
            // Each class name twice (both axes); each count inside its own cell.
            for (int c = 0; c < classes; c++)
                Assert.Equal(2, texts.Count(t => t.Text == name(c)));
            for (int row = 0; row < classes; row++)
                for (int column = 0; column < classes; column++)
                {
                    var cell = layout.Tiles[row * classes + column];
                    var inside = texts.Where(t => cell.Contains((int)t.Box.MidX, (int)t.Box.MidY) && t.Box.Width < cell.Width).ToList();
                    Assert.True(inside.Count == 1 && inside[0].Text == matrix[row, column].ToString("N0"),
                        $"cell ({row}, {column}) holds {string.Join(", ", inside)}; its count is {matrix[row, column]}");
                    Assert.True(inside[0].Box.Left >= cell.Left && inside[0].Box.Right <= cell.Right, $"the count {inside[0]} runs out of its cell {cell}");
                }
        }
    }

    [Fact]
    public void Training_curves_have_titles_axis_titles_and_a_legend_below_the_data_that_covers_no_point()
    {
        foreach (var epochs in new[] { 2, 12 })
        {
            var history = new History();
            for (int e = 1; e <= epochs; e++)
                history.Epochs.Add(new EpochMetrics(e, 1.0 / e, 1 - 0.5 / e, 1.1 / e, 1 - 0.55 / e, 1e-3, 1, 100));
            var path = Path.Combine(folder, $"curves-{epochs}.svg");
            var layout = TrainingCurves.Save(history, path, markedEpoch: epochs, "best epoch (weights restored)");
            var texts = AssertReadable(path, $"curves of {epochs} epochs");
            foreach (var title in new[] { "Loss", "Accuracy", "loss", "accuracy" })
                Assert.Single(texts, t => t.Text == title);
            Assert.Equal(2, texts.Count(t => t.Text == "Epoch"));
            // The legend of each panel: below its data area, so no point or line lies under it.
            foreach (var entry in new[] { "training", "validation", $"best epoch (weights restored): {epochs}" })
            {
                var legends = texts.Where(t => t.Text == entry).ToList();
                Assert.Equal(2, legends.Count);
                Assert.All(legends, legend => Assert.True(legend.Box.Top > layout.DataBottom + 10, $"{legend} is not below the data area (bottom {layout.DataBottom:0.#})"));
            }
            // Every epoch has its tick under each panel, up to 20 epochs.
            for (int e = 1; e <= epochs; e++)
                Assert.Equal(2, texts.Count(t => t.Text == e.ToString() && t.Box.Top > layout.DataBottom && t.Box.Top < layout.DataBottom + 20));
        }
    }

    [Fact]
    public void Tile_figures_are_titled_captioned_and_have_a_colour_bar_where_colour_means_a_value()
    {
        manual_seed(4);
        // 64 feature maps, 64 RGB filters, 20 samples with long class names, Grad-CAM captioned with class and score.
        ImageGrid.SaveFeatureMaps(randn(64, 7, 7), Path.Combine(folder, "maps.svg"), columns: 8, scale: 4, title: "Feature maps of conv2d_1 for test image 3");
        var maps = AssertReadable(Path.Combine(folder, "maps.svg"), "64 feature maps");
        Assert.Contains(maps, t => t.Text == "Feature maps of conv2d_1 for test image 3");
        for (int c = 0; c < 64; c++)
            Assert.Single(maps, t => t.Text == c.ToString());
        Assert.Single(maps, t => t.Text == "highest value of each map");

        ImageGrid.SaveFilters(randn(64, 3, 5, 5), Path.Combine(folder, "filters.svg"), scale: 6);
        var filters = AssertReadable(Path.Combine(folder, "filters.svg"), "64 RGB filters");
        Assert.Contains(filters, t => t.Text == "Filters: 64 of 5x5 (RGB)");
        Assert.DoesNotContain(filters, t => t.Text.Contains("weight of each filter"));

        var names = Enumerable.Range(0, 20).Select(i => $"garment class {i:00}").ToArray();
        ImageGrid.SaveSamples(rand(20, 1, 28, 28), Enumerable.Range(0, 20).Select(i => (long)i).ToArray(), Enumerable.Range(0, 20).Select(i => (long)(i % 3 == 0 ? (i + 1) % 20 : i)).ToArray(),
            names, Path.Combine(folder, "samples.svg"), columns: 5, scale: 2);
        var samples = AssertReadable(Path.Combine(folder, "samples.svg"), "20 samples");
        Assert.Contains(samples, t => t.Text == "garment class 00 -> garment class 01");
        Assert.Contains(samples, t => t.Text.StartsWith("Samples: 13 of 20 right", StringComparison.Ordinal));

        ImageGrid.SaveGradCam(rand(2, 3, 28, 28), rand(2, 28, 28), Path.Combine(folder, "grad-cam.svg"), new[] { "Sneaker (0.93)", "Bag, said Sandal (0.51)" });
        var gradCam = AssertReadable(Path.Combine(folder, "grad-cam.svg"), "Grad-CAM");
        Assert.Contains(gradCam, t => t.Text == "Sneaker (0.93)");
        Assert.Contains(gradCam, t => t.Text == "most evidence for the class");
        Assert.Contains(gradCam, t => t.Text == "none");
    }
}
