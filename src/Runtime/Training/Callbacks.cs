using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Training
{
    /// <summary>What a callback sees and may change while a model trains.</summary>
    public sealed class TrainingContext
    {
        internal TrainingContext(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, History history)
        {
            Model = model;
            Optimizer = optimizer;
            History = history;
        }

        /// <summary>Optimizer steps in one epoch.</summary>
        public int StepsPerEpoch { get; internal set; }

        public nn.Module<Tensor, Tensor> Model { get; }
        public optim.Optimizer Optimizer { get; }
        public History History { get; }

        /// <summary>Set to end training after this epoch.</summary>
        public bool StopTraining { get; set; }

        internal bool Quiet { get; init; }

        /// <summary>Tells the user something training did (printed unless progress output is off, and kept in <see cref="History.Notes"/>).</summary>
        public void Report(string message)
        {
            History.Notes.Add(message);
            if (!Quiet)
                Console.WriteLine(message);
        }

        /// <summary>
        /// The factor that <see cref="ReduceLROnPlateau"/> has applied so far (1 until it reduces): a
        /// <see cref="LearningRateScheduler"/> multiplies its schedule by it, so the two compose.
        /// </summary>
        public double LearningRateScale { get; internal set; } = 1;

        public double LearningRate
        {
            get => Optimizer.ParamGroups.First().LearningRate;
            // Groups keep their ratios (a backbone at a tenth of the head's rate stays at a tenth).
            set
            {
                double first = Optimizer.ParamGroups.First().LearningRate;
                foreach (var group in Optimizer.ParamGroups)
                    group.LearningRate = first == 0 || group.LearningRate == first ? value : group.LearningRate * (value / first);
            }
        }
    }

    /// <summary>
    /// One training step as a callback sees it: the epoch (from 1), the step within it and across training (from 0), and
    /// after the step its loss as a tensor on the training device (read it only when needed: reading waits for the device).
    /// </summary>
    public sealed record TrainBatch(int Epoch, int Step, long GlobalStep, int StepsPerEpoch)
    {
        /// <summary>The batch's mean loss, detached, on the device; null before the step.</summary>
        public Tensor? Loss { get; init; }
    }

    /// <summary>Hooks into training, as Keras callbacks do.</summary>
    public abstract class Callback
    {
        public virtual void OnTrainBegin(TrainingContext context) { }
        public virtual void OnEpochBegin(TrainingContext context, int epoch) { }
        /// <summary>Before each training step's forward pass (a per-step schedule sets the learning rate here).</summary>
        public virtual void OnTrainBatchBegin(TrainingContext context, TrainBatch batch) { }
        /// <summary>After each optimizer step, with the batch's loss.</summary>
        public virtual void OnTrainBatchEnd(TrainingContext context, TrainBatch batch) { }
        /// <summary>After each epoch's pass over the validation data, with its values by Keras name (val_loss, val_accuracy, val_ + each metric's name).</summary>
        public virtual void OnValidationEnd(TrainingContext context, int epoch, IReadOnlyDictionary<string, double> metrics) { }
        public virtual void OnEpochEnd(TrainingContext context, EpochMetrics metrics) { }
        public virtual void OnTrainEnd(TrainingContext context) { }

        /// <summary>
        /// Writes what the callback has learnt so far (a best value, epochs waited) into a training checkpoint, so that a
        /// resumed run continues exactly as an uninterrupted one. Callbacks that learn nothing write nothing.
        /// </summary>
        public virtual void SaveState(BinaryWriter writer) { }

        /// <summary>Restores what <see cref="SaveState"/> wrote; called after <see cref="OnTrainBegin"/> when training resumes.</summary>
        public virtual void LoadState(BinaryReader reader) { }

        protected static void WriteOptional(BinaryWriter writer, double? value)
        {
            writer.Write(value.HasValue);
            writer.Write(value ?? 0);
        }

        protected static double? ReadOptionalDouble(BinaryReader reader)
        {
            bool has = reader.ReadBoolean();
            double value = reader.ReadDouble();
            return has ? value : null;
        }

        protected static void WriteOptional(BinaryWriter writer, int? value)
        {
            writer.Write(value.HasValue);
            writer.Write(value ?? 0);
        }

        protected static int? ReadOptionalInt32(BinaryReader reader)
        {
            bool has = reader.ReadBoolean();
            int value = reader.ReadInt32();
            return has ? value : null;
        }
    }

    /// <summary>Which way a monitored metric improves.</summary>
    public enum MonitorMode
    {
        /// <summary>From the metric: up for accuracies and for metrics that say so (<see cref="IMetric.HigherIsBetter"/>), down for losses and the rest.</summary>
        Auto,
        Min,
        Max,
    }

    /// <summary>Tracks the best value of a monitored metric; down for losses, up for accuracies by default.</summary>
    public abstract class MonitoringCallback : Callback
    {
        protected MonitoringCallback(string monitor, double minDelta, MonitorMode mode)
        {
            if (!Enum.IsDefined(mode))
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "The mode is Auto, Min or Max.");
            Monitor = monitor;
            MinDelta = Math.Abs(minDelta);
            Mode = mode;
            Maximize = mode == MonitorMode.Max || (mode == MonitorMode.Auto && monitor.Contains("acc"));
        }

        public string Monitor { get; }
        public double MinDelta { get; }
        public MonitorMode Mode { get; }
        public bool Maximize { get; private set; }

        // With mode auto, a metric of the run says which way is better (f1_score up, mae down).
        internal void ResolveDirection(IReadOnlyList<IMetric> metrics)
        {
            var name = Monitor.StartsWith("val_", StringComparison.Ordinal) ? Monitor.Substring(4) : Monitor;
            if (Mode == MonitorMode.Auto && metrics.FirstOrDefault(m => m.Name == name) is { } metric)
                Maximize = metric.HigherIsBetter;
        }
        public double? Best { get; protected set; }

        protected double Value(EpochMetrics metrics) =>
            metrics[Monitor] ?? throw new InvalidOperationException($"Metric '{Monitor}' is not available; give Fit validation data to monitor val_ metrics.");

        protected bool IsImprovement(double value) =>
            Best == null || (Maximize ? value > Best.Value + MinDelta : value < Best.Value - MinDelta);

        public override void SaveState(BinaryWriter writer) => WriteOptional(writer, Best);

        public override void LoadState(BinaryReader reader) => Best = ReadOptionalDouble(reader);
    }

    /// <summary>Stops when the monitored metric has not improved for <c>patience</c> epochs, optionally restoring the best weights.</summary>
    public sealed class EarlyStopping : MonitoringCallback
    {
        readonly int patience;
        readonly bool restoreBestWeights;
        Dictionary<string, Tensor>? bestWeights;
        int wait;

        public EarlyStopping(string monitor = "val_loss", int patience = 0, double minDelta = 0, MonitorMode mode = MonitorMode.Auto, bool restoreBestWeights = false)
            : base(monitor, minDelta, mode)
        {
            this.patience = patience;
            this.restoreBestWeights = restoreBestWeights;
        }

        public int? StoppedEpoch { get; private set; }
        public int? BestEpoch { get; private set; }
        /// <summary>The epoch whose weights were restored when training ended, or null when none were.</summary>
        public int? RestoredEpoch { get; private set; }

        public override void OnTrainBegin(TrainingContext context)
        {
            wait = 0;
            Best = null;
            StoppedEpoch = null;
            BestEpoch = null;
            RestoredEpoch = null;
        }

        public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
        {
            double value = Value(metrics);
            if (IsImprovement(value))
            {
                Best = value;
                BestEpoch = metrics.Epoch;
                wait = 0;
                if (restoreBestWeights)
                    Snapshot(context.Model);
                return;
            }
            if (++wait >= patience)
            {
                StoppedEpoch = metrics.Epoch;
                context.StopTraining = true;
            }
        }

        public override void OnTrainEnd(TrainingContext context)
        {
            // Restored whenever training ends after a worse epoch than the best, stopped early or not.
            if (!restoreBestWeights || bestWeights == null || BestEpoch == context.History.Epochs.LastOrDefault()?.Epoch)
                return;
            using (no_grad())
                foreach (var (key, value) in context.Model.state_dict())
                    value.copy_(bestWeights[key]);
            RestoredEpoch = BestEpoch;
            context.Report($"Restoring model weights from the end of the best epoch: {BestEpoch} ({Monitor} {Best:0.####}); "
                + $"training ended after epoch {context.History.Epochs.LastOrDefault()?.Epoch}.");
        }

        public override void SaveState(BinaryWriter writer)
        {
            base.SaveState(writer);
            writer.Write(wait);
            WriteOptional(writer, BestEpoch);
            WriteOptional(writer, StoppedEpoch);
            writer.Write(bestWeights?.Count ?? -1);
            foreach (var (key, value) in bestWeights ?? new Dictionary<string, Tensor>())
            {
                writer.Write(key);
                TensorBytes.Write(writer, value);
            }
        }

        public override void LoadState(BinaryReader reader)
        {
            base.LoadState(reader);
            wait = reader.ReadInt32();
            BestEpoch = ReadOptionalInt32(reader);
            StoppedEpoch = ReadOptionalInt32(reader);
            DisposeBestWeights();
            int count = reader.ReadInt32();
            if (count < 0)
                return;
            bestWeights = new Dictionary<string, Tensor>();
            for (int i = 0; i < count; i++)
            {
                var key = reader.ReadString();
                bestWeights[key] = TensorBytes.Read(reader);
            }
        }

        void DisposeBestWeights()
        {
            if (bestWeights != null)
                foreach (var tensor in bestWeights.Values)
                    tensor.Dispose();
            bestWeights = null;
        }

        void Snapshot(nn.Module model)
        {
            DisposeBestWeights();
            bestWeights = model.state_dict().ToDictionary(e => e.Key, e => e.Value.detach().clone());
        }
    }

    /// <summary>Saves the model's weights after an epoch, with <c>saveBestOnly</c> only when the monitored metric improved.</summary>
    public sealed class ModelCheckpoint : MonitoringCallback
    {
        readonly string path;
        readonly bool saveBestOnly;

        public ModelCheckpoint(string path, string monitor = "val_loss", bool saveBestOnly = true, MonitorMode mode = MonitorMode.Auto)
            : base(monitor, 0, mode)
        {
            this.path = path;
            this.saveBestOnly = saveBestOnly;
        }

        public List<int> SavedEpochs { get; } = new List<int>();

        public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
        {
            double value = Value(metrics);
            if (saveBestOnly && !IsImprovement(value))
                return;
            Best = value;
            context.Model.SaveWeights(path);
            SavedEpochs.Add(metrics.Epoch);
        }

        public override void SaveState(BinaryWriter writer)
        {
            base.SaveState(writer);
            writer.Write(SavedEpochs.Count);
            foreach (int epoch in SavedEpochs)
                writer.Write(epoch);
        }

        public override void LoadState(BinaryReader reader)
        {
            base.LoadState(reader);
            SavedEpochs.Clear();
            int count = reader.ReadInt32();
            for (int i = 0; i < count; i++)
                SavedEpochs.Add(reader.ReadInt32());
        }
    }

    /// <summary>Multiplies the learning rate by <c>gamma</c> every <c>stepSize</c> epochs.</summary>
    public sealed class StepDecay : Callback
    {
        readonly int stepSize;
        readonly double gamma;

        public StepDecay(int stepSize, double gamma = 0.1)
        {
            this.stepSize = stepSize;
            this.gamma = gamma;
        }

        public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
        {
            if (metrics.Epoch % stepSize == 0)
                context.LearningRate *= gamma;
        }
    }

    /// <summary>
    /// Multiplies the learning rate by <c>factor</c> when the monitored metric has not improved for <c>patience</c> epochs
    /// (never below <c>minLearningRate</c>). Beside a <see cref="LearningRateScheduler"/> it scales the schedule from then
    /// on (through <see cref="TrainingContext.LearningRateScale"/>), as PyTorch's <c>ReduceLROnPlateau</c> stacked on another
    /// scheduler does; a checkpoint keeps the scale.
    /// </summary>
    public sealed class ReduceLROnPlateau : MonitoringCallback
    {
        readonly double factor;
        readonly int patience;
        readonly double minLearningRate;
        int wait;
        double scale = 1;
        TrainingContext? context;

        public ReduceLROnPlateau(string monitor = "val_loss", double factor = 0.1, int patience = 10, double minDelta = 1e-4, double minLearningRate = 0, MonitorMode mode = MonitorMode.Auto)
            : base(monitor, minDelta, mode)
        {
            if (!(factor > 0 && factor < 1))
                throw new ArgumentOutOfRangeException(nameof(factor), factor, "The factor that reduces the learning rate is between 0 and 1 (e.g. 0.1).");
            if (patience < 0)
                throw new ArgumentOutOfRangeException(nameof(patience), patience, "Patience is 0 or more epochs.");
            this.factor = factor;
            this.patience = patience;
            this.minLearningRate = minLearningRate;
        }

        public override void OnTrainBegin(TrainingContext context)
        {
            base.OnTrainBegin(context);
            this.context = context;
            wait = 0;
            scale = 1;
        }

        public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
        {
            double value = Value(metrics);
            if (IsImprovement(value))
            {
                Best = value;
                wait = 0;
                return;
            }
            if (++wait >= patience)
            {
                double before = context.LearningRate, after = Math.Max(minLearningRate, before * factor);
                if (after < before && before > 0)
                {
                    double change = after / before;
                    scale *= change;
                    context.LearningRateScale *= change;
                    context.LearningRate = after;
                }
                wait = 0;
            }
        }

        public override void SaveState(BinaryWriter writer)
        {
            base.SaveState(writer);
            writer.Write(wait);
            writer.Write(scale);
        }

        public override void LoadState(BinaryReader reader)
        {
            base.LoadState(reader);
            wait = reader.ReadInt32();
            // Checkpoints written before the scale was kept end here: nothing scaled a schedule then.
            scale = reader.BaseStream.Position < reader.BaseStream.Length ? reader.ReadDouble() : 1;
            // LoadState follows OnTrainBegin, which gave this run's context (its scale starts at 1).
            if (context != null)
                context.LearningRateScale *= scale;
        }
    }

    // A tensor as element type, shape and raw bytes, on the CPU: what a callback keeps across a checkpoint.
    static class TensorBytes
    {
        public static void Write(BinaryWriter writer, Tensor value)
        {
            using var contiguous = value.detach().cpu().contiguous();
            writer.Write((int)contiguous.dtype);
            writer.Write(contiguous.shape.Length);
            foreach (long size in contiguous.shape)
                writer.Write(size);
            var bytes = contiguous.bytes.ToArray();
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }

        public static Tensor Read(BinaryReader reader)
        {
            var type = (ScalarType)reader.ReadInt32();
            int rank = reader.ReadInt32();
            if (rank < 0 || rank > 64)
                throw new InvalidDataException($"a saved tensor has rank {rank}");
            var shape = new long[rank];
            for (int i = 0; i < rank; i++)
                shape[i] = reader.ReadInt64();
            int length = reader.ReadInt32();
            var bytes = reader.ReadBytes(length);
            if (bytes.Length != length)
                throw new EndOfStreamException();
            var result = empty(shape, type);
            if (result.bytes.Length != length)
            {
                result.Dispose();
                throw new InvalidDataException($"a saved {type} tensor of shape [{string.Join(", ", shape)}] has {length} bytes");
            }
            result.bytes = bytes;
            return result;
        }
    }
}
