using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnDsl.Training;
using ScottPlot;
using SkiaSharp;

namespace CnnDsl.Plots
{
    /// <summary>Where things landed in a curves picture, in pixels of the PNG (for checks and for annotating it further).</summary>
    /// <param name="DataLeft">The left edge of the loss panel's data area.</param>
    /// <param name="DataRight">The right edge of the loss panel's data area.</param>
    /// <param name="EpochMin">The epoch at <paramref name="DataLeft"/>.</param>
    /// <param name="EpochMax">The epoch at <paramref name="DataRight"/>.</param>
    /// <param name="MarkerX">The x of the marked epoch's line in the loss panel, or null.</param>
    public sealed record CurvesLayout(double DataLeft, double DataRight, double EpochMin, double EpochMax, double? MarkerX)
    {
        /// <summary>The top edge of the panels' data areas (the legends lie below <see cref="DataBottom"/>).</summary>
        public double DataTop { get; init; }

        /// <summary>The bottom edge of the panels' data areas.</summary>
        public double DataBottom { get; init; }
    }

    /// <summary>Training curves from a <see cref="History"/>: loss and accuracy, training against validation, as PNG or SVG.</summary>
    public static class TrainingCurves
    {
        /// <summary>The marker's colour: a red used by nothing else in the picture.</summary>
        public static readonly SKColor MarkerColor = new(0xE0, 0x10, 0x10);

        /// <summary>
        /// Saves loss (left) and accuracy (right, when the loss has one) per epoch, as PNG or, where the path ends in
        /// .svg, SVG; the early-stopping epoch (the best epoch whose weights were restored, else the epoch training
        /// stopped at) is marked with a vertical red line. Each panel has its title, axis titles and a legend below its
        /// data area, where it covers no point.
        /// </summary>
        public static CurvesLayout Save(History history, string path, EarlyStopping? earlyStopping = null, int width = 1000, int height = 400) =>
            Save(history, path, earlyStopping?.RestoredEpoch ?? earlyStopping?.StoppedEpoch,
                earlyStopping?.RestoredEpoch != null ? "best epoch (restored)" : "early stop", width, height);

        /// <summary>Saves the curves with <paramref name="markedEpoch"/> (if any) marked and labelled.</summary>
        public static CurvesLayout Save(History history, string path, int? markedEpoch, string markLabel = "marked epoch", int width = 1000, int height = 400)
        {
            if (history.Epochs.Count == 0)
                throw new ArgumentException("The history has no epochs to plot.", nameof(history));
            var epochs = history.Epochs.Select(e => (double)e.Epoch).ToArray();
            bool accuracy = history.Epochs.Any(e => e.Accuracy != null);
            int panelWidth = accuracy ? width / 2 : width;
            double min = epochs.Min() - 0.5, max = epochs.Max() + 0.5;

            var loss = Panel("Loss", "loss", epochs, history.Epochs.Select(e => (double?)e.Loss), history.Epochs.Select(e => e.ValidationLoss), min, max, markedEpoch, markLabel);
            var accuracyPanel = accuracy
                ? Panel("Accuracy", "accuracy", epochs, history.Epochs.Select(e => e.Accuracy), history.Epochs.Select(e => e.ValidationAccuracy), min, max, markedEpoch, markLabel)
                : null;
            if (Figure.IsSvg(path))
            {
                // The panels side by side as nested SVG documents: the text stays text.
                var lossSvg = loss.GetSvgXml(panelWidth, height);
                var svgLayout = Layout(loss, markedEpoch, min, max);
                var svg = new System.Text.StringBuilder();
                svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"{width}\" height=\"{height}\">\n");
                svg.Append(Nested(lossSvg, 0));
                if (accuracyPanel != null)
                    svg.Append(Nested(accuracyPanel.GetSvgXml(width - panelWidth, height), panelWidth));
                svg.Append("</svg>\n");
                Weights.AtomicFile.Write(path, stream => { using var writer = new StreamWriter(stream, leaveOpen: true); writer.Write(svg.ToString()); });
                return svgLayout;
            }
            var lossPng = loss.GetImageBytes(panelWidth, height, ImageFormat.Png);
            var layout = Layout(loss, markedEpoch, min, max);

            using var bitmap = new SKBitmap(width, height);
            using (var canvas = new SKCanvas(bitmap))
            {
                canvas.Clear(SKColors.White);
                using (var image = SKBitmap.Decode(lossPng))
                    canvas.DrawBitmap(image, 0, 0);
                if (accuracyPanel != null)
                {
                    using var image = SKBitmap.Decode(accuracyPanel.GetImageBytes(width - panelWidth, height, ImageFormat.Png));
                    canvas.DrawBitmap(image, panelWidth, 0);
                }
            }
            Pictures.SavePng(bitmap, path);
            return layout;
        }

        static CurvesLayout Layout(Plot loss, int? markedEpoch, double min, double max)
        {
            var rect = loss.RenderManager.LastRender.DataRect;
            double? markerX = markedEpoch is int m ? loss.GetPixel(new Coordinates(m, 0)).X : null;
            return new CurvesLayout(rect.Left, rect.Right, min, max, markerX) { DataTop = rect.Top, DataBottom = rect.Bottom };
        }

        // A panel's SVG document placed at x = left inside the figure's, its ids (clip paths) made its own.
        static string Nested(string svg, int left)
        {
            int start = svg.IndexOf("<svg", StringComparison.Ordinal);
            var body = "<svg x=\"" + left + "\" y=\"0\"" + svg.Substring(start + 4);
            var prefix = "panel" + left + "_";
            return System.Text.RegularExpressions.Regex.Replace(body, "(id=\"|url\\(#|href=\"#)", m => m.Value + prefix);
        }

        static Plot Panel(string title, string measure, double[] epochs, IEnumerable<double?> training, IEnumerable<double?> validation, double min, double max, int? marked, string markLabel)
        {
            var plot = Figure.New();
            plot.Title(title);
            plot.XLabel("Epoch");
            plot.YLabel(measure);
            void Line(IEnumerable<double?> values, string label, string color)
            {
                var points = epochs.Zip(values).Where(p => p.Second != null).ToArray();
                if (points.Length == 0)
                    return;
                var scatter = plot.Add.Scatter(points.Select(p => p.First).ToArray(), points.Select(p => p.Second!.Value).ToArray());
                scatter.LegendText = label;
                scatter.Color = Color.FromHex(color);
                scatter.LineWidth = 2;
                scatter.MarkerSize = 6;
            }
            Line(training, "training", "#1f77b4");
            Line(validation, "validation", "#ff7f0e");
            if (marked is int epoch)
            {
                var line = plot.Add.VerticalLine(epoch);
                line.Color = new Color(MarkerColor.Red, MarkerColor.Green, MarkerColor.Blue);
                line.LineWidth = 2;
                line.LegendText = $"{markLabel}: {epoch}";
            }
            // Below the data area, never over a point (matplotlib's "best" place can still cover one).
            plot.ShowLegend(Edge.Bottom);
            // One row, so that the data keeps the height.
            plot.Legend.Orientation = Orientation.Horizontal;
            plot.Axes.SetLimitsX(min, max);
            // Epochs are whole numbers; a tick every epoch up to 20, fewer after.
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(Math.Max(1, Math.Ceiling((max - min) / 20)));
            return plot;
        }
    }

    /// <summary>Writing pictures.</summary>
    internal static class Pictures
    {
        public static void SavePng(SKBitmap bitmap, string path)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder != null)
                Directory.CreateDirectory(folder);
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            Weights.AtomicFile.Write(path, stream => data.SaveTo(stream));
        }
    }
}
