using System.Collections.Generic;
using System.Linq;

namespace CnnDsl.Training
{
    /// <summary>The metrics of one epoch; validation metrics are null without validation data.</summary>
    public sealed record EpochMetrics(int Epoch, double Loss, double? Accuracy, double? ValidationLoss, double? ValidationAccuracy, double LearningRate, double Seconds, double ImagesPerSecond)
    {
        /// <summary>Seconds of the epoch the training step spent waiting for its next batch (reading, decoding, augmenting).</summary>
        public double DataWaitSeconds { get; init; }

        /// <summary>The values of <c>FitOptions.Metrics</c> by name, and on validation data as <c>val_</c> + name.</summary>
        public IReadOnlyDictionary<string, double> Extra { get; init; } = new Dictionary<string, double>();

        /// <summary>A metric by its Keras name: loss, accuracy, val_loss, val_accuracy, or a metric's name (with val_ on validation data).</summary>
        public double? this[string metric] => metric switch
        {
            "loss" => Loss,
            "accuracy" => Accuracy,
            "val_loss" => ValidationLoss,
            "val_accuracy" => ValidationAccuracy,
            _ when Extra.TryGetValue(metric, out var value) => value,
            _ => throw new KeyNotFoundException($"Unknown metric '{metric}'; use loss, accuracy, val_loss, val_accuracy"
                + string.Concat(Extra.Keys.Select(k => ", " + k)) + "."),
        };
    }

    /// <summary>What <c>Fit</c> returns, as Keras' History: one entry per epoch trained.</summary>
    public sealed class History
    {
        public List<EpochMetrics> Epochs { get; } = new List<EpochMetrics>();

        /// <summary>What callbacks reported during training (e.g. early stopping restoring the best weights).</summary>
        public List<string> Notes { get; } = new List<string>();

        public IReadOnlyList<double> Loss => Epochs.Select(e => e.Loss).ToList();
        public IReadOnlyList<double?> Accuracy => Epochs.Select(e => e.Accuracy).ToList();
        public IReadOnlyList<double?> ValidationLoss => Epochs.Select(e => e.ValidationLoss).ToList();
        public IReadOnlyList<double?> ValidationAccuracy => Epochs.Select(e => e.ValidationAccuracy).ToList();
        public IReadOnlyList<double> LearningRate => Epochs.Select(e => e.LearningRate).ToList();

        /// <summary>A metric's value in every epoch, by name (<c>f1_score</c>, <c>val_f1_score</c>, or a built-in one).</summary>
        public IReadOnlyList<double?> Metric(string name) => Epochs.Select(e => e[name]).ToList();
    }
}
