using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Data;
using CnnDsl.Training;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Plots
{
    /// <summary>Counts of (true class, predicted class) pairs; rows are true classes, columns predictions.</summary>
    public sealed class ConfusionMatrix
    {
        public ConfusionMatrix(long[] truth, long[] predicted, IReadOnlyList<string> classNames)
        {
            if (truth.Length != predicted.Length)
                throw new ArgumentException($"{truth.Length} true labels but {predicted.Length} predictions.");
            ClassNames = classNames;
            int n = classNames.Count;
            Counts = new long[n, n];
            for (int i = 0; i < truth.Length; i++)
            {
                if (truth[i] < 0 || truth[i] >= n || predicted[i] < 0 || predicted[i] >= n)
                    throw new ArgumentException($"Sample {i} has true class {truth[i]} and prediction {predicted[i]}; there are {n} classes.");
                Counts[truth[i], predicted[i]]++;
            }
        }

        /// <summary>The model's predictions on every sample of <paramref name="data"/> (evaluation transforms), against its labels.</summary>
        public static ConfusionMatrix Of(nn.Module<Tensor, Tensor> model, IBatchSource data, int batchSize = 256)
        {
            var labels = data.Labels ?? throw new ArgumentException("A confusion matrix needs class-index labels.", nameof(data));
            using var probabilities = model.Predict(data, batchSize);
            using var best = probabilities.argmax(1);
            var names = data.ClassNames ?? model.ClassNames() ?? Enumerable.Range(0, (int)probabilities.shape[1]).Select(i => i.ToString()).ToArray();
            return new ConfusionMatrix(labels, best.data<long>().ToArray(), names);
        }

        public IReadOnlyList<string> ClassNames { get; }
        public long[,] Counts { get; }
        public long this[int truth, int predicted] => Counts[truth, predicted];
        public long Total => Counts.Cast<long>().Sum();
        public double Accuracy => Total == 0 ? 0 : (double)Enumerable.Range(0, ClassNames.Count).Sum(i => Counts[i, i]) / Total;

        /// <summary>The fill of a cell holding <paramref name="count"/> of at most <paramref name="max"/>: viridis, dark purple for none to yellow for the most.</summary>
        public static SKColor CellColor(long count, long max)
        {
            var color = Viridis.GetColor(max == 0 ? 0 : (double)count / max);
            return new SKColor(color.R, color.G, color.B);
        }

        static readonly ScottPlot.Colormaps.Viridis Viridis = new();

        /// <summary>Saves the matrix as PNG, or SVG where the path ends in .svg (see <see cref="Save"/>).</summary>
        public GridLayout SavePng(string path, int? cellSize = null) => Save(path, cellSize);

        /// <summary>
        /// Saves the matrix as a figure, PNG or SVG by the path's extension: one square cell per (true, predicted) pair,
        /// coloured by its count on a viridis scale with a colour bar, the count written in it (white on dark cells);
        /// class names along both axes (turned upright below the matrix when wider than a cell), the axes titled "True
        /// class" and "Predicted class", and the title giving the samples and the accuracy. Cells are 48 px for up to 10
        /// classes, smaller for more (36 px for 20), so that 20 classes stay under 1,200 x 1,100 px with names of up to 20
        /// characters. Returns the cells in row-major order, in pixels of the picture.
        /// </summary>
        public GridLayout Save(string path, int? cellSize = null)
        {
            int n = ClassNames.Count;
            int cell = cellSize ?? (n <= 10 ? 48 : Math.Max(28, 720 / n));
            long max = Counts.Cast<long>().DefaultIfEmpty(0).Max();
            var plot = Figure.New();
            var values = new double[n, n];
            for (int row = 0; row < n; row++)
                for (int column = 0; column < n; column++)
                    values[row, column] = Counts[row, column];
            var heatmap = plot.Add.Heatmap(values);
            heatmap.Colormap = Viridis;
            heatmap.ManualRange = new ScottPlot.Range(0, Math.Max(1, max));
            var colorBar = plot.Add.ColorBar(heatmap);
            colorBar.Label = "samples";
            colorBar.LabelStyle.FontSize = Figure.AxisTitleSize;
            colorBar.Axis.TickLabelStyle.FontSize = Figure.TickSize;

            // Counts in their cells at the tick size, or smaller down to 10 px where a cell is narrow; none where even
            // that does not fit (a cell under 28 px with four-digit counts).
            using var measure = new SKFont(SKTypeface.FromFamilyName(Figure.FontName), Figure.TickSize);
            float countSize = Figure.TickSize;
            float widest = measure.MeasureText(max.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
            while (countSize > Figure.SmallestSize && widest * countSize / Figure.TickSize > cell - 6)
                countSize--;
            if (widest * countSize / Figure.TickSize <= cell - 6)
                for (int row = 0; row < n; row++)
                    for (int column = 0; column < n; column++)
                    {
                        var text = plot.Add.Text(Counts[row, column].ToString("N0", System.Globalization.CultureInfo.InvariantCulture), column, n - 1 - row);
                        text.LabelAlignment = ScottPlot.Alignment.MiddleCenter;
                        text.LabelFontSize = countSize;
                        text.LabelFontName = Figure.FontName;
                        var fill = CellColor(Counts[row, column], max);
                        bool dark = 0.2126 * fill.Red + 0.7152 * fill.Green + 0.0722 * fill.Blue < 140;
                        text.LabelFontColor = dark ? ScottPlot.Colors.White : ScottPlot.Colors.Black;
                    }

            var positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, ClassNames.ToArray());
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions.Select(p => n - 1 - p).ToArray(), ClassNames.ToArray());
            if (ClassNames.Any(name => measure.MeasureText(name) > cell - 4))
            {
                plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
                plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
                // ScottPlot sizes the axis for upright labels: room for the longest turned one, then the axis title.
                plot.Axes.Bottom.MinimumSize = ClassNames.Max(name => measure.MeasureText(name)) + 12 + 2 * Figure.AxisTitleSize;
            }
            plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
            plot.Grid.IsVisible = false;
            plot.XLabel("Predicted class");
            plot.YLabel("True class");
            plot.Title(string.Format(System.Globalization.CultureInfo.InvariantCulture, "Confusion matrix: {0:N0} samples, accuracy {1:0.0%}", Total, Accuracy));

            // The panels (labels, colour bar, title) take what they need; the picture is sized so that the data area
            // is exactly n cells square: one render to measure them, then the final one.
            int guess = n * cell + 400;
            plot.GetImageBytes(guess, guess, ScottPlot.ImageFormat.Png);
            var data = plot.RenderManager.LastRender.DataRect;
            float left = (float)Math.Ceiling(data.Left), right = (float)Math.Ceiling(guess - data.Right);
            float top = (float)Math.Ceiling(data.Top), bottom = (float)Math.Ceiling(guess - data.Bottom);
            int width = (int)(left + n * cell + right), height = (int)(top + n * cell + bottom);
            // Wide enough for the title, which is never cut at the picture's edge; the cells stay square and centred.
            using var titleFont = new SKFont(SKTypeface.FromFamilyName(Figure.FontName, SKFontStyle.Bold), Figure.TitleSize);
            int extra = Math.Max(0, (int)Math.Ceiling(titleFont.MeasureText(plot.Axes.Title.Label.Text)) + 24 - width);
            width += extra;
            plot.Layout.Fixed(new ScottPlot.PixelPadding(left + extra / 2, right + extra - extra / 2, bottom, top));
            Figure.Save(plot, path, width, height);
            var cells = new List<SKRectI>();
            for (int row = 0; row < n; row++)
                for (int column = 0; column < n; column++)
                {
                    var topLeft = plot.GetPixel(new ScottPlot.Coordinates(column - 0.5, n - 0.5 - row));
                    var bottomRight = plot.GetPixel(new ScottPlot.Coordinates(column + 0.5, n - 1.5 - row));
                    cells.Add(new SKRectI((int)Math.Round(topLeft.X), (int)Math.Round(topLeft.Y), (int)Math.Round(bottomRight.X), (int)Math.Round(bottomRight.Y)));
                }
            return new GridLayout(cells, 1);
        }
    }
}
