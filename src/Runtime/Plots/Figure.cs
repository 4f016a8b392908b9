using System;
using System.IO;
using ScottPlot;

namespace CnnDsl.Plots
{
    /// <summary>
    /// The one style of the library's figures, and where they are written: PNG, or SVG where the path ends in
    /// <c>.svg</c>. Text is DejaVu Sans (the font matplotlib uses), titles 16 px, axis titles 14 px, tick labels and
    /// annotations 12 px, nothing under 10 px at 100%.
    /// </summary>
    public static class Figure
    {
        public const string FontName = "DejaVu Sans";
        public const float TitleSize = 16, AxisTitleSize = 14, TickSize = 12, SmallestSize = 10;

        /// <summary>Whether <paramref name="path"/> asks for SVG (its extension is .svg); anything else is PNG.</summary>
        public static bool IsSvg(string path) => string.Equals(Path.GetExtension(path), ".svg", StringComparison.OrdinalIgnoreCase);

        internal static Plot New()
        {
            var plot = new Plot();
            plot.Font.Set(FontName);
            plot.Axes.Title.Label.FontSize = TitleSize;
            plot.Axes.Title.Label.Bold = true;
            foreach (var axis in plot.Axes.GetAxes())
            {
                axis.Label.FontSize = AxisTitleSize;
                axis.Label.Bold = false;
                axis.TickLabelStyle.FontSize = TickSize;
            }
            plot.Legend.FontSize = TickSize;
            return plot;
        }

        /// <summary>Renders the plot at the given size into <paramref name="path"/>, SVG or PNG by its extension, atomically.</summary>
        internal static void Save(Plot plot, string path, int width, int height)
        {
            if (IsSvg(path))
            {
                var svg = plot.GetSvgXml(width, height);
                Weights.AtomicFile.Write(path, stream => { using var writer = new StreamWriter(stream, leaveOpen: true); writer.Write(svg); });
            }
            else
            {
                var png = plot.GetImageBytes(width, height, ImageFormat.Png);
                Weights.AtomicFile.Write(path, stream => stream.Write(png));
            }
        }
    }
}
