using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using static TorchSharp.torch;

namespace CnnDsl.Training
{
    /// <summary>
    /// Logs training to TensorBoard as Keras' <c>callbacks.TensorBoard</c> does: two runs, <c>train</c> and
    /// <c>validation</c>, under <c>logDirectory</c>, so their curves share one chart. Every epoch (step = epoch
    /// from 0) writes <c>epoch_loss</c>, <c>epoch_accuracy</c> and every metric of <c>FitOptions.Metrics</c> (by its name)
    /// to both runs, and <c>epoch_learning_rate</c>, <c>epoch_data_wait_seconds</c> and <c>epoch_images_per_second</c> to
    /// <c>train</c>. With <c>batchLogInterval</c> N, every Nth step also writes <c>batch_loss</c> and
    /// <c>batch_learning_rate</c> (step = the step across training): reading a loss waits for the device, so only the logged
    /// steps wait. With <c>histogramFrequency</c> N, every Nth epoch writes a histogram of each parameter (tags
    /// as the state_dict names them); <c>images</c> gives images to log at the end of each epoch (samples, a
    /// Grad-CAM tensor). Open with <c>tensorboard --logdir DIR</c>.
    /// </summary>
    public sealed class TensorBoard : Callback
    {
        readonly string logDirectory;
        readonly int batchLogInterval;
        readonly int histogramFrequency;
        readonly Func<TrainingContext, EpochMetrics, IEnumerable<(string Tag, Tensor Image)>>? images;
        TensorBoardWriter? train, validation;

        /// <param name="logDirectory">The folder that receives the runs <c>train</c> and <c>validation</c> (created when missing).</param>
        /// <param name="batchLogInterval">Log the batch loss and learning rate every this many steps; 0 logs epochs only (Keras' <c>update_freq="epoch"</c>).</param>
        /// <param name="histogramFrequency">Log weight histograms every this many epochs; 0 logs none (Keras' <c>histogram_freq</c>).</param>
        /// <param name="images">Images (C, H, W) in [0, 1] to log at the end of each epoch, by tag; the caller keeps them (they are not disposed).</param>
        public TensorBoard(string logDirectory, int batchLogInterval = 0, int histogramFrequency = 0,
            Func<TrainingContext, EpochMetrics, IEnumerable<(string Tag, Tensor Image)>>? images = null)
        {
            if (string.IsNullOrWhiteSpace(logDirectory))
                throw new ArgumentException("Give TensorBoard a folder for its logs, e.g. \"runs/fashion\".", nameof(logDirectory));
            if (batchLogInterval < 0)
                throw new ArgumentOutOfRangeException(nameof(batchLogInterval), batchLogInterval, "Log every N steps with N at least 1, or 0 for epochs only.");
            if (histogramFrequency < 0)
                throw new ArgumentOutOfRangeException(nameof(histogramFrequency), histogramFrequency, "Log histograms every N epochs with N at least 1, or 0 for none.");
            this.logDirectory = logDirectory;
            this.batchLogInterval = batchLogInterval;
            this.histogramFrequency = histogramFrequency;
            this.images = images;
        }

        /// <summary>The folder of the training run's event files.</summary>
        public string TrainDirectory => Path.Combine(logDirectory, "train");

        /// <summary>The folder of the validation run's event files (written only when there is validation data).</summary>
        public string ValidationDirectory => Path.Combine(logDirectory, "validation");

        public override void OnTrainBegin(TrainingContext context)
        {
            Close();
            train = new TensorBoardWriter(TrainDirectory);
        }

        public override void OnTrainBatchEnd(TrainingContext context, TrainBatch batch)
        {
            if (batchLogInterval == 0 || (batch.GlobalStep + 1) % batchLogInterval != 0 || train == null)
                return;
            if (batch.Loss is Tensor loss)
                train.AddScalar("batch_loss", loss.item<float>(), batch.GlobalStep);
            train.AddScalar("batch_learning_rate", context.LearningRate, batch.GlobalStep);
        }

        public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
        {
            if (train == null)
                return;
            long step = metrics.Epoch - 1;
            train.AddScalar("epoch_loss", metrics.Loss, step);
            if (metrics.Accuracy is double accuracy)
                train.AddScalar("epoch_accuracy", accuracy, step);
            foreach (var (name, value) in metrics.Extra.Where(e => !e.Key.StartsWith("val_", StringComparison.Ordinal)))
                train.AddScalar("epoch_" + name, value, step);
            train.AddScalar("epoch_learning_rate", metrics.LearningRate, step);
            train.AddScalar("epoch_data_wait_seconds", metrics.DataWaitSeconds, step);
            train.AddScalar("epoch_images_per_second", metrics.ImagesPerSecond, step);
            if (metrics.ValidationLoss is double validationLoss)
            {
                validation ??= new TensorBoardWriter(ValidationDirectory);
                validation.AddScalar("epoch_loss", validationLoss, step);
                if (metrics.ValidationAccuracy is double validationAccuracy)
                    validation.AddScalar("epoch_accuracy", validationAccuracy, step);
                foreach (var (name, value) in metrics.Extra.Where(e => e.Key.StartsWith("val_", StringComparison.Ordinal)))
                    validation.AddScalar("epoch_" + name.Substring(4), value, step);
                validation.Flush();
            }
            if (histogramFrequency > 0 && metrics.Epoch % histogramFrequency == 0)
                foreach (var (name, parameter) in context.Model.named_parameters())
                    train.AddHistogram(name, parameter, step);
            if (images != null)
                foreach (var (tag, image) in images(context, metrics))
                    train.AddImage(tag, image, step);
            train.Flush();
        }

        public override void OnTrainEnd(TrainingContext context) => Close();

        void Close()
        {
            train?.Dispose();
            validation?.Dispose();
            train = validation = null;
        }
    }
}
