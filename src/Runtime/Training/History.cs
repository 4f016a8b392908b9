using System.Collections.Generic;
using System.Linq;

namespace CnnDsl.Training
{
    /// <summary>The metrics of one epoch; validation metrics are null without validation data.</summary>
    public sealed record EpochMetrics(int Epoch, double Loss, double? Accuracy, double? ValidationLoss, double? ValidationAccuracy, double LearningRate, double Seconds, double ImagesPerSecond)
    {
        /// <summary>Seconds of the epoch the training step spent waiting for its next batch (reading, decoding, augmenting).</summary>
        public double DataWaitSeconds { get; init; }

        /// <summary>A metric by its Keras name: loss, accuracy, val_loss, val_accuracy.</summary>
        public double? this[string metric] => metric switch
        {
            "loss" => Loss,
            "accuracy" => Accuracy,
            "val_loss" => ValidationLoss,
            "val_accuracy" => ValidationAccuracy,
            _ => throw new KeyNotFoundException($"Unknown metric '{metric}'; use loss, accuracy, val_loss or val_accuracy."),
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
    }
}
