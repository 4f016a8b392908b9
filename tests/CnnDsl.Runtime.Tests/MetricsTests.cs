using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnDsl.Data;
using CnnDsl.Runtime.Tests.Models;
using CnnDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Runtime.Tests;

/// <summary>
/// The built-in metrics against values worked out by hand on a small confusion table, and a metric of the user's own
/// used by Fit, Evaluate and EarlyStopping.
/// </summary>
public class MetricsTests
{
    static readonly string Shipped = Path.Combine(AppContext.BaseDirectory, "data");

    // Nine samples of three classes. Rows are true classes, columns predicted ones:
    //   true 0: 2 predicted 0, 1 predicted 1
    //   true 1: 1 predicted 1, 1 predicted 2
    //   true 2: 1 predicted 0, 1 predicted 1, 2 predicted 2
    static readonly long[] Truth = { 0, 0, 0, 1, 1, 2, 2, 2, 2 };
    static readonly long[] Predicted = { 0, 1, 0, 1, 2, 2, 2, 0, 1 };

    // Scores whose highest is the predicted class and whose second highest is the class after it (mod 3).
    static Tensor Scores(long[] predicted) => tensor(predicted.SelectMany(p => Enumerable.Range(0, 3).Select(c => c == p ? 3f : c == (p + 1) % 3 ? 2f : 1f)).ToArray(), new long[] { predicted.Length, 3 });

    static double Run(IMetric metric, int split = 4)
    {
        metric.Reset();
        using var scores = Scores(Predicted);
        using var targets = tensor(Truth);
        // Two batches: the metric accumulates, it does not average per batch.
        metric.Update(scores[..split], targets[..split], OutputActivation.None);
        metric.Update(scores[split..], targets[split..], OutputActivation.None);
        return metric.Compute();
    }

    [Fact]
    public void Precision_recall_and_f1_equal_the_values_worked_out_by_hand()
    {
        // Precision per class: true positives over the column (2/3, 1/3, 2/3); recall over the row (2/3, 1/2, 2/4).
        var precision = Metrics.Precision(3);
        Assert.Equal(5.0 / 9, Run(precision), 12);
        Assert.Equal(2.0 / 3, precision.PerClass[0], 12);
        Assert.Equal(1.0 / 3, precision.PerClass[1], 12);
        Assert.Equal(2.0 / 3, precision.PerClass[2], 12);
        var recall = Metrics.Recall(3);
        Assert.Equal(5.0 / 9, Run(recall, split: 7), 12);
        Assert.Equal(2.0 / 3, recall.PerClass[0], 12);
        Assert.Equal(0.5, recall.PerClass[1], 12);
        Assert.Equal(0.5, recall.PerClass[2], 12);
        // F1 per class: 2PR / (P + R) = 2/3, 2/5, 4/7.
        var f1 = Metrics.F1Score(3);
        Assert.Equal((2.0 / 3 + 0.4 + 4.0 / 7) / 3, Run(f1), 12);
        Assert.Equal(0.4, f1.PerClass[1], 12);
        Assert.Equal(4.0 / 7, f1.PerClass[2], 12);
    }

    [Fact]
    public void Top_k_accuracy_and_mean_absolute_error_equal_the_values_worked_out_by_hand()
    {
        // Top 1: 5 of 9 right. The second choice is the class after the prediction; the four misses are (true 0,
        // predicted 1), (true 1, predicted 2), (true 2, predicted 0) and (true 2, predicted 1), with second choices
        // 2, 0, 1 and 2: only the last is caught by top 2.
        Assert.Equal(5.0 / 9, Run(Metrics.TopKAccuracy(1)), 12);
        Assert.Equal(6.0 / 9, Run(Metrics.TopKAccuracy(2)), 12);
        Assert.Equal(1.0, Run(Metrics.TopKAccuracy(3)), 12);
        var mae = Metrics.MeanAbsoluteError();
        mae.Update(tensor(new[] { 1f, 2f, 3f }), tensor(new[] { 1.5f, 2f, 1f }), OutputActivation.None);
        mae.Update(tensor(new[] { -1f }), tensor(new[] { 1f }), OutputActivation.None);
        Assert.Equal((0.5 + 0 + 2 + 2) / 4, mae.Compute(), 6);
        Assert.Contains("at least 4 class scores", Assert.Throws<ArgumentException>(() => Run(Metrics.TopKAccuracy(4))).Message);
    }

    /// <summary>Gives the values of a script, one per epoch (training and validation both read the epoch's value).</summary>
    sealed class Scripted(double[] values) : IMetric
    {
        int computed;
        public string Name => "scripted";
        public bool HigherIsBetter => true;
        public void Update(Tensor output, Tensor target, OutputActivation activation) { }
        public double Compute() => values[Math.Min(computed++ / 2, values.Length - 1)];
        public void Reset() { }
    }

    [Fact]
    public void A_metric_of_the_users_own_is_in_the_history_stops_training_early_and_is_evaluated()
    {
        var (train, test) = Dataset.FromIdxFolder(Shipped, trainLimit: 200, testLimit: 100);
        using (train)
        using (test)
        {
            using var model = CnnModel.Create<TinyCnn>(1);
            // Best at epoch 2; higher is better, which mode auto learns from the metric (a loss-like name would minimise).
            var stopping = new EarlyStopping("val_scripted", patience: 2);
            var history = model.Fit(train, new FitOptions
            {
                Epochs = 10, BatchSize = 50, Seed = 1, Progress = ProgressMode.None, Device = CPU, ValidationData = test,
                Metrics = new IMetric[] { new Scripted(new[] { 0.5, 0.6, 0.55, 0.54, 0.7 }), Metrics.F1Score(10) },
                Callbacks = new Callback[] { stopping },
            });
            Assert.Equal(4, history.Epochs.Count);
            Assert.Equal(new double?[] { 0.5, 0.6, 0.55, 0.54 }, history.Metric("val_scripted"));
            Assert.Equal(0.6, stopping.Best);
            Assert.All(history.Metric("f1_score").Concat(history.Metric("val_f1_score")), v => Assert.InRange(v!.Value, 0, 1));

            var values = model.Evaluate(test, new IMetric[] { Metrics.TopKAccuracy(10), Metrics.F1Score(10) });
            Assert.Equal(1.0, values["top_10_accuracy"]);
            Assert.Equal(model.Evaluate(test).Accuracy!.Value, values["accuracy"], 12);
            Assert.InRange(values["f1_score"], 0, 1);
            Assert.Throws<ArgumentException>(() => model.Evaluate(test, new IMetric[] { Metrics.F1Score(10), Metrics.F1Score(10) }));
            // Min said outright overrides the metric's direction: a higher value is then no improvement.
            Assert.False(new EarlyStopping("val_scripted", mode: MonitorMode.Min).Maximize);
            Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(mode: (MonitorMode)7));
        }
    }
}
