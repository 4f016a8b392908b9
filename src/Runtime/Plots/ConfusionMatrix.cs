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

        /// <summary>The fill of a cell holding <paramref name="count"/> of at most <paramref name="max"/>: white to dark blue.</summary>
        public static SKColor CellColor(long count, long max)
        {
            double f = max == 0 ? 0 : (double)count / max;
            byte Mix(int dark) => (byte)Math.Round(255 - (255 - dark) * f);
            return new SKColor(Mix(8), Mix(48), Mix(107));
        }

        /// <summary>
        /// Saves the matrix as PNG: one cell per pair, shaded by its count (<see cref="CellColor"/>), the count written in
        /// its top-left corner; class names along both axes. Returns the cells in row-major order.
        /// </summary>
        public GridLayout SavePng(string path, int cellSize = 44)
        {
            int n = ClassNames.Count;
            const int Left = 130, Top = 40;
            using var measure = new SKFont(SKTypeface.Default, 12);
            int labels = (int)Math.Ceiling(ClassNames.Select(name => measure.MeasureText(name)).DefaultIfEmpty(0).Max());
            var title = $"Confusion matrix ({Total} samples, accuracy {Accuracy:P1}); rows: true class, columns: predicted";
            // As wide as the title, so that it is never cut off for a few classes.
            int width = Math.Max(Left + n * cellSize + 10, 8 + (int)Math.Ceiling(measure.MeasureText(title)) + 8), height = Top + n * cellSize + labels + 16;
            long max = Counts.Cast<long>().DefaultIfEmpty(0).Max();
            var cells = new List<SKRectI>();
            using var bitmap = new SKBitmap(width, height);
            using (var canvas = new SKCanvas(bitmap))
            {
                canvas.Clear(SKColors.White);
                using var font = new SKFont(SKTypeface.Default, 12);
                using var fill = new SKPaint { Style = SKPaintStyle.Fill };
                using var text = new SKPaint { IsAntialias = true };
                text.Color = SKColors.Black;
                canvas.DrawText(title, 8, 20, SKTextAlign.Left, font, text);
                for (int row = 0; row < n; row++)
                {
                    text.Color = SKColors.Black;
                    canvas.DrawText(ClassNames[row], Left - 6, Top + row * cellSize + cellSize / 2 + 4, SKTextAlign.Right, font, text);
                    for (int column = 0; column < n; column++)
                    {
                        var rect = new SKRectI(Left + column * cellSize, Top + row * cellSize, Left + (column + 1) * cellSize, Top + (row + 1) * cellSize);
                        cells.Add(rect);
                        fill.Color = CellColor(Counts[row, column], max);
                        canvas.DrawRect(rect, fill);
                        text.Color = max > 0 && Counts[row, column] * 2 > max ? SKColors.White : SKColors.Black;
                        canvas.DrawText(Counts[row, column].ToString(), rect.Left + 3, rect.Top + 13, SKTextAlign.Left, font, text);
                    }
                }
                text.Color = SKColors.Black;
                for (int column = 0; column < n; column++)
                {
                    canvas.Save();
                    canvas.Translate(Left + column * cellSize + cellSize / 2 + 4, Top + n * cellSize + 6);
                    canvas.RotateDegrees(90);
                    canvas.DrawText(ClassNames[column], 0, 0, SKTextAlign.Left, font, text);
                    canvas.Restore();
                }
            }
            Pictures.SavePng(bitmap, path);
            return new GridLayout(cells, 1);
        }
    }
}
