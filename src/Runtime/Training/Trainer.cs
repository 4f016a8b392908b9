using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using CnnDsl.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Training
{
    /// <summary>How <c>Fit</c> trains: Keras' arguments, with TorchSharp underneath.</summary>
    public sealed record FitOptions
    {
        public int Epochs { get; init; } = 1;
        public int BatchSize { get; init; } = 32;
        public OptimizerSpec Optimizer { get; init; } = OptimizerSpec.Adam();
        public Loss Loss { get; init; } = Loss.CrossEntropy;
        /// <summary>Validation data: a <see cref="Dataset"/>, an image folder, or any batch source (read with evaluation transforms).</summary>
        public IBatchSource? ValidationData { get; init; }
        /// <summary>A fraction of the training data held out for validation when no validation data is given.</summary>
        public double ValidationSplit { get; init; }
        public IReadOnlyList<Callback> Callbacks { get; init; } = Array.Empty<Callback>();
        /// <summary>Seeds libtorch and the shuffling, so that a run can be repeated exactly.</summary>
        public int? Seed { get; init; }
        public bool Shuffle { get; init; } = true;
        /// <summary>CUDA when available unless given.</summary>
        public Device? Device { get; init; }
        /// <summary>What the model's outputs are; read from generated models, logits for others unless given.</summary>
        public OutputActivation? OutputActivation { get; init; }
        public ProgressMode Progress { get; init; } = ProgressMode.Auto;
        /// <summary>Writes a training checkpoint (weights, optimizer, epoch, random state) here after every epoch.</summary>
        public string? CheckpointPath { get; init; }
        /// <summary>Resumes from a training checkpoint: training continues after the epochs it records.</summary>
        public string? ResumeFrom { get; init; }
        /// <summary>
        /// Threads that read, decode and augment batches ahead of the training step, as PyTorch's <c>num_workers</c>.
        /// For sources decoded per batch (image folders); in-memory datasets are gathered directly. The batches do not
        /// depend on the number of workers.
        /// </summary>
        public int Workers { get; init; }

        /// <summary>
        /// Scales the gradients so that their global L2 norm is at most this before each step (PyTorch's
        /// <c>clip_grad_norm_</c>, Keras' <c>global_clipnorm</c>); computed on the device, without a host synchronisation.
        /// </summary>
        public double? ClipGradientNorm { get; init; }

        /// <summary>
        /// Metrics beside loss and accuracy (<see cref="Metrics"/>, or the user's own <see cref="IMetric"/>), reported under
        /// their names and with <c>val_</c> on validation data, and monitorable by callbacks.
        /// </summary>
        public IReadOnlyList<IMetric> Metrics { get; init; } = Array.Empty<IMetric>();

        /// <summary>Random shifts and flips of each training batch (for in-memory data; image folders have their transforms).</summary>
        public Augmentation? Augmentation { get; init; }

        /// <summary>Clamps every gradient element to [-value, value] before each step (PyTorch's <c>clip_grad_value_</c>, Keras' <c>clipvalue</c>).</summary>
        public double? ClipGradientValue { get; init; }
    }

    /// <summary>Keras-style training for any TorchSharp module: <c>Fit</c>, <c>Evaluate</c>, <c>Predict</c>.</summary>
    public static class Trainer
    {
        public static Device DefaultDevice => cuda.is_available() ? CUDA : CPU;

        /// <summary>
        /// Trains the model in Keras' manner: <c>model.Fit(train, epochs: 5, batchSize: 64, validationSplit: 0.1)</c>.
        /// Every argument not given takes its <see cref="FitOptions"/> default.
        /// </summary>
        public static History Fit(this nn.Module<Tensor, Tensor> model, IBatchSource train, int epochs, int batchSize = 32,
            OptimizerSpec? optimizer = null, Loss? loss = null, IBatchSource? validationData = null, double validationSplit = 0,
            IReadOnlyList<Callback>? callbacks = null, int? seed = null, Device? device = null, ProgressMode progress = ProgressMode.Auto,
            bool shuffle = true, string? checkpointPath = null, string? resumeFrom = null, OutputActivation? outputActivation = null, int workers = 0) =>
            model.Fit(train, new FitOptions
            {
                Epochs = epochs,
                BatchSize = batchSize,
                Optimizer = optimizer ?? OptimizerSpec.Adam(),
                Loss = loss ?? Loss.CrossEntropy,
                ValidationData = validationData,
                ValidationSplit = validationSplit,
                Callbacks = callbacks ?? Array.Empty<Callback>(),
                Seed = seed,
                Device = device,
                Progress = progress,
                Shuffle = shuffle,
                CheckpointPath = checkpointPath,
                ResumeFrom = resumeFrom,
                OutputActivation = outputActivation,
                Workers = workers,
            });

        /// <summary>Trains on inputs and targets given as tensors (samples along the first dimension).</summary>
        public static History Fit(this nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor targets, FitOptions options)
        {
            using var data = new Dataset(inputs.alias(), targets.alias());
            return model.Fit(data, options);
        }

        /// <summary>Trains the model on <paramref name="train"/> as <paramref name="options"/> say; returns the per-epoch metrics.</summary>
        public static History Fit(this nn.Module<Tensor, Tensor> model, IBatchSource train, FitOptions options)
        {
            TorchRuntime.EnsureLoaded();
            var device = options.Device ?? DefaultDevice;
            var activation = options.OutputActivation ?? ModelFacts.Of(model).OutputActivation;
            if (options.Epochs < 1 || options.BatchSize < 1)
                throw new ArgumentOutOfRangeException(nameof(options), $"Fit needs at least 1 epoch and a batch size of at least 1 (got {options.Epochs} epochs, batch size {options.BatchSize}).");
            if (train.Count == 0)
                throw new ArgumentException("The training data is empty (0 samples); there is nothing to fit. Check the path or limit it was loaded with.", nameof(train));
            if (options.ValidationData is { Count: 0 })
                throw new ArgumentException("The validation data is empty (0 samples); give samples or leave ValidationData out.", nameof(options));
            var validation = options.ValidationData;
            var given = train;
            bool ownsSplit = false;
            if (validation == null && options.ValidationSplit > 0)
            {
                // A dataset in memory is copied (its batches are then slices); other sources are split as views. The
                // validation view is read with evaluation transforms, like any validation data.
                if (train is Dataset dataset)
                {
                    (train, validation) = dataset.Split(options.ValidationSplit, options.Seed ?? 0);
                    ownsSplit = true;
                }
                else
                {
                    (train, validation) = train.Split(options.ValidationSplit, options.Seed ?? 0);
                }
            }
            // Sizes the compiler leaves open (0 or less, for size variables) accept any size here; forward checks them.
            if (model is ICnnModel cnn && train.SampleShape is long[] sampleShape
                && (sampleShape.Length != cnn.Info.InputShape.Count || sampleShape.Where((d, i) => cnn.Info.InputShape[i] > 0 && cnn.Info.InputShape[i] != d).Any()))
                throw new ArgumentException($"{cnn.Info.Name} takes inputs of shape ({string.Join(", ", cnn.Info.InputShape)}), but the training data gives "
                    + $"({string.Join(", ", sampleShape)}); change the data's transforms (e.g. Resize/CenterCrop and Channels) or the model's input.", nameof(train));
            foreach (var (name, limit) in new[] { ("ClipGradientNorm", options.ClipGradientNorm), ("ClipGradientValue", options.ClipGradientValue) })
                if (limit is double value && !(value > 0))
                    throw new ArgumentOutOfRangeException(nameof(options), $"{name} must be positive, not {value}.");
            CheckMetricNames(options.Metrics);
            if (options.ClipGradientNorm != null && options.ClipGradientValue != null)
                throw new ArgumentException("Give ClipGradientNorm or ClipGradientValue, not both: which applies first changes the result.", nameof(options));
            if (options.Seed is int seed)
                manual_seed(seed);
            model.to(device);
            ModelFacts.Set(model, TrainingFacts(ModelFacts.Of(model), given, options.Loss, activation));
            using var optimizer = options.Optimizer.Create(model);
            // The shuffling order of an epoch is a function of this seed and the epoch number, so a checkpoint that
            // records the seed and the epochs done restores the shuffling exactly.
            int shuffleSeed = options.Seed ?? Random.Shared.Next();
            var history = new History();
            var context = new TrainingContext(model, optimizer, history) { Quiet = options.Progress == ProgressMode.None };
            foreach (var monitoring in options.Callbacks.OfType<MonitoringCallback>())
                monitoring.ResolveDirection(options.Metrics);
            foreach (var callback in options.Callbacks)
                callback.OnTrainBegin(context);
            int firstEpoch = 1;
            if (options.ResumeFrom != null)
            {
                // After OnTrainBegin, which resets the callbacks: the checkpoint restores their state.
                var (done, savedSeed) = Checkpoints.LoadTrainingCheckpoint(options.ResumeFrom, model, optimizer, options.Callbacks);
                firstEpoch = done + 1;
                shuffleSeed = savedSeed ?? shuffleSeed;
            }
            // After a resume, whose error about a model that does not fit the checkpoint says more.
            Labels.Check(model, given, options.Loss, "training data");
            if (options.ValidationData != null)
            {
                Labels.CheckSameClasses(given.ClassNames, "the training data", options.ValidationData, "validation data");
                Labels.Check(model, options.ValidationData, options.Loss, "validation data");
            }
            int steps = (int)((train.Count + options.BatchSize - 1) / options.BatchSize);
            context.StepsPerEpoch = steps;
            using var progress = new Progress(options.Progress, options.Epochs, steps);
            // On an accelerator the training data moves there once, so batches are gathered on the device.
            var resident = device.type == DeviceType.CPU || train is not Dataset inMemory ? null : new Dataset(inMemory.Inputs.to(device), inMemory.Targets.to(device));
            try
            {
                for (int epoch = firstEpoch; epoch <= options.Epochs && !context.StopTraining; epoch++)
                {
                    foreach (var callback in options.Callbacks)
                        callback.OnEpochBegin(context, epoch);
                    progress.BeginEpoch(epoch);
                    var clock = Stopwatch.StartNew();
                    double learningRate = context.LearningRate;
                    var (loss, accuracy, waited) = TrainEpoch(model, optimizer, resident ?? train, options, activation, device, epoch, shuffleSeed, progress, context, steps);
                    double seconds = clock.Elapsed.TotalSeconds;
                    // Training values are read before validation resets the metrics for its own pass.
                    var extra = options.Metrics.ToDictionary(m => m.Name, m => m.Compute());
                    double? validationLoss = null, validationAccuracy = null;
                    if (validation != null)
                    {
                        var result = EvaluateCore(model, validation, options.BatchSize, options.Loss, activation, device, options.Workers, options.Metrics);
                        (validationLoss, validationAccuracy) = (result.Loss, result.Accuracy);
                        foreach (var metric in options.Metrics)
                            extra["val_" + metric.Name] = result.Metrics[metric.Name];
                        if (options.Callbacks.Count > 0)
                        {
                            var values = new Dictionary<string, double> { ["val_loss"] = result.Loss };
                            if (result.Accuracy is double value)
                                values["val_accuracy"] = value;
                            foreach (var metric in options.Metrics)
                                values["val_" + metric.Name] = result.Metrics[metric.Name];
                            foreach (var callback in options.Callbacks)
                                callback.OnValidationEnd(context, epoch, values);
                        }
                    }
                    var metrics = new EpochMetrics(epoch, loss, accuracy, validationLoss, validationAccuracy, learningRate, seconds, train.Count / seconds)
                    {
                        DataWaitSeconds = waited,
                        Extra = extra,
                    };
                    history.Epochs.Add(metrics);
                    progress.EndEpoch(metrics, steps);
                    foreach (var callback in options.Callbacks)
                        callback.OnEpochEnd(context, metrics);
                    if (options.CheckpointPath != null)
                        Checkpoints.SaveTrainingCheckpoint(options.CheckpointPath, model, optimizer, epoch, shuffleSeed, options.Callbacks);
                }
            }
            finally
            {
                resident?.Dispose();
                if (ownsSplit)
                {
                    ((Dataset)train).Dispose();
                    ((Dataset)validation!).Dispose();
                }
            }
            foreach (var callback in options.Callbacks)
                callback.OnTrainEnd(context);
            return history;
        }

        // One pass over the data. Each step runs in its own dispose scope; loss and correct counts accumulate in
        // tensors on the device and are read once at the end, so the host never waits for the device inside the epoch.
        // An in-memory dataset is gathered with index_select on its tensors; other sources are read by a BatchLoader,
        // on worker threads when asked. The time spent obtaining batches is the data wait.
        static (double Loss, double? Accuracy, double DataWait) TrainEpoch(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, IBatchSource train,
            FitOptions options, OutputActivation activation, Device device, int epoch, int shuffleSeed, Progress progress, TrainingContext context, int stepsPerEpoch)
        {
            var parameters = options.ClipGradientNorm != null || options.ClipGradientValue != null ? model.parameters().Where(p => p.requires_grad).ToList() : null;
            foreach (var metric in options.Metrics)
                metric.Reset();
            int step = 0;
            model.train();
            Freezing.FrozenBatchNormToEval(model);
            long count = train.Count;
            using var lossSum = zeros(1, device: device);
            using var correct = zeros(1, dtype: ScalarType.Int64, device: device);
            var loader = new BatchLoader(train, options.BatchSize, options.Shuffle, shuffleSeed, train is Dataset ? 0 : options.Workers)
            {
                PinMemory = device.type == DeviceType.CUDA,
            };
            using var batches = (train is Dataset inMemory ? Gather(inMemory, loader.Order(epoch), options.BatchSize) : loader.Epoch(epoch)).GetEnumerator();
            double waited = 0;
            long seen = 0;
            while (true)
            {
                using var scope = NewDisposeScope();
                long waitStart = Stopwatch.GetTimestamp();
                bool more;
                try
                {
                    more = batches.MoveNext();
                }
                catch (Exception error) when (error is InvalidDataException or IOException)
                {
                    throw new TrainingDataException(error, epoch, step, stepsPerEpoch, options.CheckpointPath, context.History);
                }
                if (!more)
                    break;
                waited += Stopwatch.GetElapsedTime(waitStart).TotalSeconds;
                var (x, y) = batches.Current;
                long size = x.shape[0];
                if (x.device.type != device.type || x.device.index != device.index)
                {
                    x = x.to(device, non_blocking: true);
                    y = y.to(device, non_blocking: true);
                }
                var batch = new TrainBatch(epoch, step, (long)(epoch - 1) * stepsPerEpoch + step, stepsPerEpoch);
                if (options.Augmentation != null)
                    x = options.Augmentation.Apply(x, shuffleSeed, epoch, step);
                foreach (var callback in options.Callbacks)
                    callback.OnTrainBatchBegin(context, batch);
                optimizer.zero_grad();
                var output = model.call(x);
                var loss = options.Loss.Compute(output, y, activation);
                loss.backward();
                if (parameters != null)
                    GradientClipping.Clip(parameters, options.ClipGradientNorm, options.ClipGradientValue);
                optimizer.step();
                if (options.Callbacks.Count > 0)
                {
                    var done = batch with { Loss = loss.detach() };
                    foreach (var callback in options.Callbacks)
                        callback.OnTrainBatchEnd(context, done);
                }
                step++;
                using (no_grad())
                {
                    lossSum.add_(loss.detach(), alpha: size);
                    if (options.Loss.HasAccuracy)
                        correct.add_(options.Loss.Correct(output.detach(), y, activation));
                    foreach (var metric in options.Metrics)
                        metric.Update(output.detach(), y, activation);
                }
                seen += size;
                if (progress.WantsMetrics)
                    progress.ShowMetrics(lossSum.item<float>() / seen, options.Loss.HasAccuracy ? (double)correct.item<long>() / seen : null);
                progress.Step();
            }
            return (lossSum.item<float>() / count, options.Loss.HasAccuracy ? (double)correct.item<long>() / count : null, waited);
        }

        // In-memory batches: slices in order, index selections of a shuffle (on the data's own device).
        static IEnumerable<(Tensor, Tensor)> Gather(Dataset data, long[] order, int batchSize)
        {
            bool sequential = order.Length == 0 || (order[0] == 0 && order[^1] == order.Length - 1 && IsIdentity(order));
            // Created inside the first step's dispose scope, but needed by every step.
            using var orderTensor = sequential ? null : tensor(order, device: data.Inputs.device).DetachFromDisposeScope();
            for (long start = 0; start < data.Count; start += batchSize)
            {
                long size = Math.Min(batchSize, data.Count - start);
                if (orderTensor is null)
                {
                    yield return (data.Inputs.narrow(0, start, size), data.Targets.narrow(0, start, size));
                }
                else
                {
                    var indices = orderTensor.narrow(0, start, size);
                    yield return (data.Inputs.index_select(0, indices), data.Targets.index_select(0, indices));
                }
            }
        }

        static bool IsIdentity(long[] order)
        {
            for (int i = 0; i < order.Length; i++)
                if (order[i] != i)
                    return false;
            return true;
        }

        /// <summary>
        /// The mean loss and the accuracy on a dataset, in eval mode without gradients. The loss defaults to the one the
        /// model's last <c>Fit</c> used (cross-entropy for a model never fitted).
        /// </summary>
        public static (double Loss, double? Accuracy) Evaluate(this nn.Module<Tensor, Tensor> model, IBatchSource data, int batchSize = 256,
            Loss? loss = null, OutputActivation? activation = null, Device? device = null, int workers = 0)
        {
            var result = EvaluatePrepared(model, data, batchSize, loss, activation, device, workers, Array.Empty<IMetric>());
            return (result.Loss, result.Accuracy);
        }

        /// <summary>
        /// Loss, accuracy and the given metrics on a dataset, by name (<c>loss</c>, <c>accuracy</c> where the loss has one,
        /// and each metric's name), in eval mode without gradients.
        /// </summary>
        public static IReadOnlyDictionary<string, double> Evaluate(this nn.Module<Tensor, Tensor> model, IBatchSource data, IReadOnlyList<IMetric> metrics, int batchSize = 256,
            Loss? loss = null, OutputActivation? activation = null, Device? device = null, int workers = 0)
        {
            CheckMetricNames(metrics);
            var result = EvaluatePrepared(model, data, batchSize, loss, activation, device, workers, metrics);
            var values = new Dictionary<string, double> { ["loss"] = result.Loss };
            if (result.Accuracy is double accuracy)
                values["accuracy"] = accuracy;
            foreach (var (name, value) in result.Metrics)
                values[name] = value;
            return values;
        }

        static void CheckMetricNames(IReadOnlyList<IMetric> metrics)
        {
            var names = metrics.Select(m => m.Name).ToList();
            var taken = names.FirstOrDefault(n => n is "loss" or "accuracy" || n.StartsWith("val_", StringComparison.Ordinal) || names.Count(o => o == n) > 1);
            if (taken != null)
                throw new ArgumentException($"Two metrics or a metric and a built-in value share the name '{taken}'; metrics need names of their own (not loss, accuracy or val_...).", nameof(metrics));
        }

        static (double Loss, double? Accuracy, IReadOnlyDictionary<string, double> Metrics) EvaluatePrepared(nn.Module<Tensor, Tensor> model, IBatchSource data, int batchSize,
            Loss? loss, OutputActivation? activation, Device? device, int workers, IReadOnlyList<IMetric> metrics)
        {
            TorchRuntime.EnsureLoaded();
            if (data.Count == 0)
                throw new ArgumentException("The data to evaluate on is empty (0 samples).", nameof(data));
            var facts = ModelFacts.Of(model);
            loss ??= facts.TrainedLoss();
            var outputActivation = activation ?? facts.OutputActivation;
            device ??= model.parameters().FirstOrDefault()?.device ?? CPU;
            Labels.CheckSameClasses(facts.ClassNames, $"{facts.Model ?? model.GetName()} (as trained or loaded)", data, "data");
            Labels.Check(model, data, loss, "data");
            return EvaluateCore(model, data, batchSize, loss, outputActivation, device, workers, metrics);
        }

        static (double Loss, double? Accuracy, IReadOnlyDictionary<string, double> Metrics) EvaluateCore(nn.Module<Tensor, Tensor> model, IBatchSource data, int batchSize,
            Loss loss, OutputActivation outputActivation, Device device, int workers, IReadOnlyList<IMetric> metrics)
        {
            foreach (var metric in metrics)
                metric.Reset();
            bool wasTraining = model.training;
            model.eval();
            try
            {
                using var lossSum = zeros(1, device: device);
                using var correct = zeros(1, dtype: ScalarType.Int64, device: device);
                var order = Enumerable.Range(0, (int)data.Count).Select(i => (long)i).ToArray();
                using var batches = (data is Dataset inMemory ? Gather(inMemory, order, batchSize)
                    : new BatchLoader(data, batchSize, workers: workers).Epoch(0, training: false)).GetEnumerator();
                using (no_grad())
                {
                    while (true)
                    {
                        using var scope = NewDisposeScope();
                        if (!batches.MoveNext())
                            break;
                        long size = batches.Current.Item1.shape[0];
                        var x = batches.Current.Item1.to(device);
                        var y = batches.Current.Item2.to(device);
                        var output = model.call(x);
                        lossSum.add_(loss.Compute(output, y, outputActivation), alpha: size);
                        if (loss.HasAccuracy)
                            correct.add_(loss.Correct(output, y, outputActivation));
                        foreach (var metric in metrics)
                            metric.Update(output, y, outputActivation);
                    }
                }
                return (lossSum.item<float>() / data.Count, loss.HasAccuracy ? (double)correct.item<long>() / data.Count : null,
                    metrics.ToDictionary(m => m.Name, m => m.Compute()));
            }
            finally
            {
                model.train(wasTraining);
            }
        }

        /// <summary>
        /// The model's predictions for every input as probabilities, in batches, in eval mode, on the CPU: outputs that
        /// are already probabilities (softmax, sigmoid) as they are, log-probabilities exponentiated, logits through
        /// softmax over the classes (sigmoid when the model was fitted with binary cross-entropy). A model fitted for
        /// regression (mean squared error) returns its raw outputs. <see cref="PredictLogits"/> gives the raw outputs.
        /// </summary>
        public static Tensor Predict(this nn.Module<Tensor, Tensor> model, Tensor inputs, int batchSize = 256) =>
            Run(model, Slices(inputs, batchSize), Probabilities(model));

        /// <summary>Probabilities (as <see cref="Predict(nn.Module{Tensor, Tensor}, Tensor, int)"/>) for every sample of a batch source, read in order with evaluation transforms.</summary>
        public static Tensor Predict(this nn.Module<Tensor, Tensor> model, IBatchSource data, int batchSize = 256, int workers = 0) =>
            Run(model, new BatchLoader(data, batchSize, workers: workers).Epoch(0, training: false).Select(b => b.Inputs), Probabilities(model));

        /// <summary>The most probable class of every input, by name: the class names the model was trained or loaded with.</summary>
        public static string[] PredictClasses(this nn.Module<Tensor, Tensor> model, Tensor inputs, int batchSize = 256)
        {
            var names = model.ClassNames() ?? throw new InvalidOperationException(
                $"{model.GetName()} has no class names: fit it on data with class names (an image folder), load weights saved with them, or call model.SetClassNames(...).");
            using var probabilities = model.Predict(inputs, batchSize);
            using var best = probabilities.argmax(1);
            return best.data<long>().ToArray().Select(i => i < names.Count ? names[(int)i] : throw new InvalidOperationException(
                $"{model.GetName()} predicts class {i}, but it has only {names.Count} class names.")).ToArray();
        }

        /// <summary>The class names of the model's facts: from the data it was trained on, the weights it was loaded with, or the user; or null.</summary>
        public static IReadOnlyList<string>? ClassNames(this nn.Module model) => ModelFacts.Of(model).ClassNames;

        /// <summary>Gives the model class names (in class-index order) for <see cref="PredictClasses"/>, kept in its facts and saved with its weights.</summary>
        public static void SetClassNames(this nn.Module model, IReadOnlyList<string> names)
        {
            if (names.Any(n => string.IsNullOrEmpty(n)))
                throw new ArgumentException("Class names must not be empty.", nameof(names));
            ModelFacts.Set(model, ModelFacts.Of(model) with { ClassNames = names.ToArray() });
        }

        // What Fit records: the loss and output activation it trains with, and what the data says of its classes and inputs.
        static ModelFacts TrainingFacts(ModelFacts facts, IBatchSource data, Loss loss, OutputActivation activation)
        {
            facts = facts with { Loss = loss, LossName = loss.Name, OutputActivation = activation };
            if (data.ClassNames != null)
                facts = facts with { ClassNames = data.ClassNames.ToArray() };
            if (data.Normalization is Vision.Normalize normalization)
                facts = facts with { Normalization = InputNormalization.From(normalization) };
            if (data.EvaluationTransform is Vision.Transform transform)
                facts = facts with { EvaluationTransforms = ModelFacts.Record(transform) };
            return facts;
        }

        static Func<Tensor, Tensor> Probabilities(nn.Module model)
        {
            var facts = ModelFacts.Of(model);
            // The loss the model was trained with decides what its outputs mean (a loss of the user's own says so itself).
            var loss = facts.TrainedLoss();
            var activation = facts.OutputActivation;
            return output => loss.Probabilities(output, activation);
        }

        /// <summary>The model's raw outputs for every input (logits for a model that ends in a dense layer), on the CPU.</summary>
        public static Tensor PredictLogits(this nn.Module<Tensor, Tensor> model, Tensor inputs, int batchSize = 256) =>
            Run(model, Slices(inputs, batchSize), output => output);

        static IEnumerable<Tensor> Slices(Tensor inputs, int batchSize)
        {
            for (long start = 0; start < inputs.shape[0]; start += batchSize)
                yield return inputs.narrow(0, start, Math.Min(batchSize, inputs.shape[0] - start));
        }

        static Tensor Run(nn.Module<Tensor, Tensor> model, IEnumerable<Tensor> batches, Func<Tensor, Tensor> finish)
        {
            TorchRuntime.EnsureLoaded();
            var device = model.parameters().FirstOrDefault()?.device ?? CPU;
            bool wasTraining = model.training;
            model.eval();
            var outputs = new List<Tensor>();
            try
            {
                using var inputs = batches.GetEnumerator();
                using (no_grad())
                {
                    while (true)
                    {
                        using var scope = NewDisposeScope();
                        if (!inputs.MoveNext())
                            break;
                        var output = finish(model.call(inputs.Current.to(device))).cpu();
                        outputs.Add(output.MoveToOuterDisposeScope());
                    }
                }
                return cat(outputs, 0);
            }
            finally
            {
                model.train(wasTraining);
                foreach (var output in outputs)
                    output.Dispose();
            }
        }
    }

    /// <summary>
    /// Training stopped because a sample could not be read (a file that passed the checks at open but does not decode):
    /// names the file's problem, the epoch and step, and how to go on. The model keeps the weights of the last completed
    /// step; <see cref="History"/> holds the epochs completed before.
    /// </summary>
    public sealed class TrainingDataException : IOException
    {
        internal TrainingDataException(Exception error, int epoch, int step, int stepsPerEpoch, string? checkpointPath, History history)
            : base($"Training stopped in epoch {epoch} before step {step + 1} of {stepsPerEpoch}: {error.Message} "
                + $"The model keeps the weights of the last completed step ({(step == 0 ? "the end of the epoch before" : "step " + step + " of this epoch")}). "
                + (checkpointPath != null && history.Epochs.Count > 0
                    ? $"Fix or remove the file, then resume from the checkpoint {checkpointPath} (the end of epoch {history.Epochs[^1].Epoch}) with ResumeFrom; "
                    : "Fix or remove the file and train again; ")
                + "or open the folder with BadImagePolicy.Skip, which decodes every file at open and leaves out those that fail.", error)
        {
            Epoch = epoch;
            Step = step;
            History = history;
        }

        /// <summary>The epoch (from 1) in which training stopped.</summary>
        public int Epoch { get; }

        /// <summary>The steps of that epoch completed before the failure.</summary>
        public int Step { get; }

        /// <summary>The epochs completed before the failure.</summary>
        public History History { get; }
    }
}
