using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace CnnDsl.Training
{
    /// <summary>
    /// A metric computed while training and evaluating: updated every batch on the device (no host synchronisation; a
    /// tensor kept between batches must be detached from the batch's dispose scope, and disposed by Reset),
    /// read once at the end of an epoch or evaluation. <c>Fit</c> reports it under <see cref="Name"/> (and <c>val_</c> +
    /// name on validation data), in <see cref="History"/>, on the progress line, and to callbacks that monitor it.
    /// </summary>
    public interface IMetric
    {
        /// <summary>The name in histories and progress lines, as Keras names it (accuracy, f1_score, mae).</summary>
        string Name { get; }

        /// <summary>Whether higher values are better: what <c>MonitorMode.Auto</c> of early stopping and checkpoints follows.</summary>
        bool HigherIsBetter { get; }

        /// <summary>Adds a batch: the model's outputs (as the activation says they are) and the targets.</summary>
        void Update(Tensor output, Tensor target, OutputActivation activation);

        /// <summary>The value over every batch since the last <see cref="Reset"/>.</summary>
        double Compute();

        void Reset();
    }

    /// <summary>The built-in metrics.</summary>
    public static class Metrics
    {
        /// <summary>The share of samples whose target class is among the <paramref name="k"/> highest scores (Keras' <c>sparse_top_k_categorical_accuracy</c>).</summary>
        public static IMetric TopKAccuracy(int k = 5) => new TopK(k);

        /// <summary>Precision averaged over the classes (macro), with each class's in <see cref="ClassMetric.PerClass"/>; a class never predicted counts 0, as scikit-learn's zero_division=0.</summary>
        public static ClassMetric Precision(int classes) => new(classes, "precision", ClassMetric.Kind.Precision);

        /// <summary>Recall averaged over the classes (macro), with each class's in <see cref="ClassMetric.PerClass"/>.</summary>
        public static ClassMetric Recall(int classes) => new(classes, "recall", ClassMetric.Kind.Recall);

        /// <summary>F1 score averaged over the classes (macro, Keras' <c>F1Score(average="macro")</c>), with each class's in <see cref="ClassMetric.PerClass"/>.</summary>
        public static ClassMetric F1Score(int classes) => new(classes, "f1_score", ClassMetric.Kind.F1);

        /// <summary>The mean absolute difference between outputs and targets (Keras' <c>mae</c>), for regression.</summary>
        public static IMetric MeanAbsoluteError() => new AbsoluteError();

        // Predicted classes: the highest score (any activation keeps the order).
        internal static Tensor Predicted(Tensor output) => output.argmax(1);

        internal static Tensor Truth(Tensor target) => target.dtype == ScalarType.Int64 ? target : target.argmax(1);

        sealed class TopK : IMetric
        {
            readonly int k;
            Tensor? hits;
            long count;

            public TopK(int k)
            {
                if (k < 1)
                    throw new ArgumentOutOfRangeException(nameof(k), k, "k is at least 1.");
                this.k = k;
            }

            public string Name => "top_" + k + "_accuracy";
            public bool HigherIsBetter => true;

            public void Update(Tensor output, Tensor target, OutputActivation activation)
            {
                if (output.dim() < 2 || output.shape[1] < k)
                    throw new ArgumentException($"Top-{k} accuracy needs at least {k} class scores per sample; the model gives ({string.Join(", ", output.shape.Skip(1))}).");
                using var scope = NewDisposeScope();
                var top = output.topk(k, dim: 1).indexes;
                var found = top.eq(Truth(target).unsqueeze(1)).any(1).sum();
                hits = hits is null ? found.DetachFromDisposeScope() : hits.add_(found);
                count += output.shape[0];
            }

            public double Compute() => count == 0 ? double.NaN : (double)hits!.item<long>() / count;

            public void Reset()
            {
                hits?.Dispose();
                hits = null;
                count = 0;
            }
        }

        sealed class AbsoluteError : IMetric
        {
            Tensor? sum;
            long count;

            public string Name => "mae";
            public bool HigherIsBetter => false;

            public void Update(Tensor output, Tensor target, OutputActivation activation)
            {
                using var scope = NewDisposeScope();
                var error = (output - target.to_type(output.dtype).reshape(output.shape)).abs().sum().to_type(ScalarType.Float64);
                sum = sum is null ? error.DetachFromDisposeScope() : sum.add_(error);
                count += output.numel();
            }

            public double Compute() => count == 0 ? double.NaN : sum!.item<double>() / count;

            public void Reset()
            {
                sum?.Dispose();
                sum = null;
                count = 0;
            }
        }
    }

    /// <summary>
    /// Precision, recall or F1 from a confusion table counted on the device: the macro average, and after
    /// <see cref="IMetric.Compute"/> each class's value in <see cref="PerClass"/>.
    /// </summary>
    public sealed class ClassMetric : IMetric
    {
        internal enum Kind { Precision, Recall, F1 }

        readonly int classes;
        readonly Kind kind;
        Tensor? table;

        internal ClassMetric(int classes, string name, Kind kind)
        {
            if (classes < 2)
                throw new ArgumentOutOfRangeException(nameof(classes), classes, "A classification metric needs at least 2 classes.");
            this.classes = classes;
            this.kind = kind;
            Name = name;
        }

        public string Name { get; }
        public bool HigherIsBetter => true;

        /// <summary>Each class's value at the last <see cref="Compute"/>.</summary>
        public IReadOnlyList<double> PerClass { get; private set; } = Array.Empty<double>();

        public void Update(Tensor output, Tensor target, OutputActivation activation)
        {
            if (output.dim() < 2 || output.shape[1] != classes)
                throw new ArgumentException($"{Name} counts {classes} classes, but the model gives ({string.Join(", ", output.shape.Skip(1))}) scores per sample; give the number of classes the model has.");
            using var scope = NewDisposeScope();
            // Row: the true class; column: the predicted one.
            var cells = Metrics.Truth(target) * classes + Metrics.Predicted(output);
            var counts = cells.bincount(null, classes * classes).reshape(classes, classes);
            table = table is null ? counts.DetachFromDisposeScope() : table.add_(counts);
        }

        public double Compute()
        {
            if (table is null)
                return double.NaN;
            var counts = table.to_type(ScalarType.Float64).cpu().data<double>().ToArray();
            var values = new double[classes];
            for (int c = 0; c < classes; c++)
            {
                double truePositives = counts[c * classes + c];
                double predicted = Enumerable.Range(0, classes).Sum(r => counts[r * classes + c]);
                double actual = Enumerable.Range(0, classes).Sum(p => counts[c * classes + p]);
                double precision = predicted == 0 ? 0 : truePositives / predicted;
                double recall = actual == 0 ? 0 : truePositives / actual;
                values[c] = kind switch
                {
                    Kind.Precision => precision,
                    Kind.Recall => recall,
                    _ => precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall),
                };
            }
            PerClass = values;
            return values.Average();
        }

        public void Reset()
        {
            table?.Dispose();
            table = null;
        }
    }
}
