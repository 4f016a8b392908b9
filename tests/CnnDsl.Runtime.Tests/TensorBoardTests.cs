using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using CnnDsl.Data;
using CnnDsl.Runtime.Tests.Infrastructure;
using CnnDsl.Runtime.Tests.Models;
using CnnDsl.Training;
using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Runtime.Tests;

/// <summary>
/// The TensorBoard callback's event files, read back by the test's own reader (Infrastructure/EventFileReader.cs, written
/// from the TFRecord and Event formats): every scalar at every step, histograms of every parameter, images by content;
/// and a schedule composed with ReduceLROnPlateau.
/// </summary>
public class TensorBoardTests : IDisposable
{
    static readonly string Shipped = Path.Combine(AppContext.BaseDirectory, "data");
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-tensorboard-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    sealed class StepRecorder : Callback
    {
        public readonly List<(long Step, float Loss, double Rate)> Steps = new();
        public readonly List<(int Epoch, IReadOnlyDictionary<string, double> Values)> Validations = new();
        public override void OnTrainBatchEnd(TrainingContext context, TrainBatch batch) => Steps.Add((batch.GlobalStep, batch.Loss!.item<float>(), context.LearningRate));
        public override void OnValidationEnd(TrainingContext context, int epoch, IReadOnlyDictionary<string, double> metrics) => Validations.Add((epoch, metrics));
    }

    [Fact]
    public void The_readers_crc_is_crc32c()
    {
        // The check value of CRC-32C (Castagnoli) for the nine ASCII digits.
        Assert.Equal(0xE3069283u, EventFileReader.Crc32C(Encoding.ASCII.GetBytes("123456789"), 0, 9));
    }

    [Fact]
    public void Every_scalar_of_every_step_and_epoch_histograms_and_images_are_in_the_event_files()
    {
        var (train, test) = Dataset.FromIdxFolder(Shipped, trainLimit: 200, testLimit: 100);
        using (train)
        using (test)
        {
            using var model = CnnModel.Create<TinyCnn>(1);
            var recorder = new StepRecorder();
            var schedule = Schedules.CosineDecay(3e-3, total: 12, warmup: 4, warmupStartFactor: 0.25);
            using var sample = test.Inputs[0].clone();
            var logs = Path.Combine(folder, "runs", "tiny");
            var board = new TensorBoard(logs, batchLogInterval: 1, histogramFrequency: 1, images: (_, _) => new[] { ("samples/first", sample) });
            var history = model.Fit(train, new FitOptions
            {
                Epochs = 3, BatchSize = 50, Seed = 4, Progress = ProgressMode.None, Device = CPU, ValidationData = test,
                Metrics = new IMetric[] { Metrics.F1Score(10) },
                Callbacks = new Callback[] { new LearningRateScheduler(schedule), recorder, board },
            });

            var trainEvents = EventFileReader.ReadFolder(Path.Combine(logs, "train"));
            var validationEvents = EventFileReader.ReadFolder(Path.Combine(logs, "validation"));
            Assert.Equal("brain.Event:2", trainEvents[0].FileVersion);
            Assert.Equal("brain.Event:2", validationEvents[0].FileVersion);
            double now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
            Assert.All(trainEvents, e => Assert.InRange(e.WallTime, now - 600, now + 1));

            // Every step: the loss the step computed and the rate it used.
            Assert.Equal(12, recorder.Steps.Count);
            Assert.Equal(recorder.Steps.Select(s => (s.Step, s.Loss)), EventFileReader.Scalars(trainEvents, "batch_loss"));
            Assert.Equal(recorder.Steps.Select(s => (s.Step, (float)schedule(s.Step))), EventFileReader.Scalars(trainEvents, "batch_learning_rate"));

            // Every epoch (step = epoch from 0), on both runs, as the history has them.
            var epochs = history.Epochs;
            void Expect(List<EventFileReader.Event> events, string tag, IEnumerable<double?> values) =>
                Assert.Equal(values.Select((v, i) => ((long)i, (float)v!.Value)), EventFileReader.Scalars(events, tag));
            Expect(trainEvents, "epoch_loss", epochs.Select(e => (double?)e.Loss));
            Expect(trainEvents, "epoch_accuracy", epochs.Select(e => e.Accuracy));
            Expect(trainEvents, "epoch_f1_score", history.Metric("f1_score"));
            Expect(trainEvents, "epoch_learning_rate", epochs.Select(e => (double?)e.LearningRate));
            Expect(trainEvents, "epoch_data_wait_seconds", epochs.Select(e => (double?)e.DataWaitSeconds));
            Expect(trainEvents, "epoch_images_per_second", epochs.Select(e => (double?)e.ImagesPerSecond));
            Expect(validationEvents, "epoch_loss", epochs.Select(e => e.ValidationLoss));
            Expect(validationEvents, "epoch_accuracy", epochs.Select(e => e.ValidationAccuracy));
            Expect(validationEvents, "epoch_f1_score", history.Metric("val_f1_score"));
            Assert.Empty(EventFileReader.Scalars(validationEvents, "batch_loss"));
            Assert.Equal((float)schedule(0), EventFileReader.Scalars(trainEvents, "epoch_learning_rate")[0].Value);

            // The validation hook saw each epoch's validation values once, by their Keras names.
            Assert.Equal(new[] { 1, 2, 3 }, recorder.Validations.Select(v => v.Epoch));
            Assert.All(recorder.Validations, v => Assert.Equal(new[] { "val_accuracy", "val_f1_score", "val_loss" }, v.Values.Keys.Order()));
            Assert.Equal(epochs.Select(e => e.ValidationLoss!.Value), recorder.Validations.Select(v => v.Values["val_loss"]));
            Assert.Equal(history.Metric("val_f1_score").Select(v => v!.Value), recorder.Validations.Select(v => v.Values["val_f1_score"]));

            // A histogram of each parameter every epoch; the last one describes the trained weights.
            var parameters = model.named_parameters().ToList();
            foreach (var (name, parameter) in parameters)
            {
                var histograms = trainEvents.SelectMany(e => e.Values.Where(v => v.Tag == name && v.Histogram != null).Select(v => (e.Step, v.Histogram!))).ToList();
                Assert.Equal(new long[] { 0, 1, 2 }, histograms.Select(h => h.Step));
                var last = histograms[^1].Item2;
                var values = parameter.detach().flatten().to_type(ScalarType.Float64).data<double>().ToArray();
                Assert.Equal(values.Length, last.Count);
                Assert.Equal(values.Min(), last.Min);
                Assert.Equal(values.Max(), last.Max);
                Assert.Equal(values.Sum(), last.Sum, 6);
                Assert.Equal(values.Sum(v => v * v), last.SumSquares, 6);
                Assert.Equal(values.Length, last.Buckets.Sum());
                Assert.Equal(last.Buckets.Length, last.BucketLimits.Length);
                Assert.Equal(values.Max(), last.BucketLimits[^1]);
                // The first bucket holds the values below its limit, by the reader's own count.
                if (last.Buckets.Length > 1)
                    Assert.Equal(values.Count(v => v < last.BucketLimits[0]), last.Buckets[0]);
            }

            // The image, decoded from its PNG, is the sample's pixels.
            var images = trainEvents.SelectMany(e => e.Values.Where(v => v.Tag == "samples/first").Select(v => v.Image!)).ToList();
            Assert.Equal(3, images.Count);
            var image = images[0];
            Assert.Equal((28, 28), (image.Height, image.Width));
            using var decoded = SKBitmap.Decode(image.Encoded);
            var pixels = sample[0];
            foreach (var (x, y) in new[] { (0, 0), (14, 14), (10, 20), (27, 27), (5, 13) })
            {
                byte expected = (byte)Math.Round(pixels[y, x].item<float>() * 255);
                var colour = decoded.GetPixel(x, y);
                Assert.Equal((expected, expected, expected), (colour.Red, colour.Green, colour.Blue));
            }
        }
    }

    [Fact]
    public void A_log_interval_writes_every_nth_step_and_no_validation_run_without_validation_data()
    {
        using var data = new Dataset(randn(40, 1, 28, 28), randint(0, 10, 40));
        using var model = CnnModel.Create<TinyCnn>(1);
        var recorder = new StepRecorder();
        var logs = Path.Combine(folder, "interval");
        model.Fit(data, new FitOptions
        {
            Epochs = 2, BatchSize = 4, Seed = 1, Progress = ProgressMode.None, Device = CPU,
            Callbacks = new Callback[] { recorder, new TensorBoard(logs, batchLogInterval: 3) },
        });
        var events = EventFileReader.ReadFolder(Path.Combine(logs, "train"));
        var expected = recorder.Steps.Where(s => (s.Step + 1) % 3 == 0).Select(s => (s.Step, s.Loss)).ToList();
        Assert.Equal(new long[] { 2, 5, 8, 11, 14, 17 }, expected.Select(s => s.Step));
        Assert.Equal(expected, EventFileReader.Scalars(events, "batch_loss"));
        Assert.Equal(2, EventFileReader.Scalars(events, "epoch_loss").Count);
        Assert.DoesNotContain(EventFileReader.Scalars(events, "epoch_accuracy"), s => float.IsNaN(s.Value));
        Assert.False(Directory.Exists(Path.Combine(logs, "validation")));
        Assert.DoesNotContain(events, e => e.Values.Any(v => v.Histogram != null || v.Image != null));
        // A second run in the same folder adds a file; TensorBoard shows both.
        model.Fit(data, new FitOptions { Epochs = 1, BatchSize = 4, Progress = ProgressMode.None, Device = CPU, Callbacks = new Callback[] { new TensorBoard(logs) } });
        Assert.Equal(2, Directory.GetFiles(Path.Combine(logs, "train"), "*tfevents*").Length);
        Assert.Equal(3, EventFileReader.Scalars(EventFileReader.ReadFolder(Path.Combine(logs, "train")), "epoch_loss").Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TensorBoard(logs, batchLogInterval: -1));
        Assert.Throws<ArgumentException>(() => new TensorBoard(" "));
    }

    [Fact]
    public void Images_outside_zero_to_one_and_non_finite_histograms_are_errors_not_wrong_pictures()
    {
        using var writer = new TensorBoardWriter(Path.Combine(folder, "bad"));
        using var normalised = full(new long[] { 1, 4, 4 }, -0.5f);
        Assert.Contains("outside [0, 1]", Assert.Throws<ArgumentException>(() => writer.AddImage("x", normalised, 0)).Message);
        using var nan = tensor(new[] { 1f, float.NaN });
        Assert.Contains("not finite", Assert.Throws<ArgumentException>(() => writer.AddHistogram("w", nan, 0)).Message);
        var notPng = Path.Combine(folder, "not.png");
        File.WriteAllText(notPng, "GIF89a and more bytes than a header");
        Assert.Contains("not a PNG", Assert.Throws<InvalidDataException>(() => writer.AddImageFile("x", notPng, 0)).Message);
    }

    /// <summary>Gives the values of a script, one per epoch.</summary>
    sealed class Scripted(double[] values) : IMetric
    {
        int computed;
        public string Name => "scripted";
        public bool HigherIsBetter => false;
        public void Update(Tensor output, Tensor target, OutputActivation activation) { }
        public double Compute() => values[Math.Min(computed++, values.Length - 1)];
        public void Reset() { }
    }

    [Fact]
    public void Reduce_on_plateau_state_saved_before_the_scale_was_kept_still_loads()
    {
        // The state as earlier versions wrote it: the best value (present, 0.25) and the epochs waited (1), no scale.
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(true);
            writer.Write(0.25);
            writer.Write(1);
        }
        stream.Position = 0;
        var plateau = new ReduceLROnPlateau("loss", factor: 0.5, patience: 1);
        plateau.LoadState(new BinaryReader(stream));
        Assert.Equal(0.25, plateau.Best);
        Assert.Equal(stream.Length, stream.Position);
    }

    [Fact]
    public void A_schedule_and_reduce_on_plateau_compose_the_plateau_scales_the_schedule_from_its_reduction_on()
    {
        using var data = new Dataset(randn(40, 1, 28, 28), randint(0, 10, 40));
        using var model = CnnModel.Create<TinyCnn>(1);
        var recorder = new StepRecorder();
        var schedule = Schedules.CosineDecay(1e-2, total: 50, warmup: 5);
        // Lower is better: epoch 2 does not improve on epoch 1 (patience 1: halve), epoch 3 improves, epochs 4 and 5 do not.
        model.Fit(data, new FitOptions
        {
            Epochs = 5, BatchSize = 4, Seed = 2, Progress = ProgressMode.None, Device = CPU,
            Metrics = new IMetric[] { new Scripted(new[] { 0.5, 0.6, 0.4, 0.45, 0.41 }) },
            Callbacks = new Callback[] { new LearningRateScheduler(schedule), new ReduceLROnPlateau("scripted", factor: 0.5, patience: 1, minDelta: 0), recorder },
        });
        // Scales per epoch: 1, 1, 0.5 (after epoch 2), 0.5, 0.25 (after epoch 4).
        double[] scales = { 1, 1, 0.5, 0.5, 0.25 };
        Assert.Equal(50, recorder.Steps.Count);
        foreach (var (step, _, rate) in recorder.Steps)
            Assert.Equal(schedule(step) * scales[step / 10], rate, 15);
    }
}
