using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using CnnDsl;
using CnnDsl.Data;
using CnnDsl.Plots;
using CnnDsl.Training;
using CnnDsl.Vision;
using CnnDsl.Weights;
using static TorchSharp.torch;

namespace TransferLearning
{
    /// <summary>How much of the experiment runs: the quick run by default; <see cref="Full"/> compares three ways over seeds.</summary>
    public sealed record CourseOptions
    {
        /// <summary>The four IDX files of Fashion-MNIST (the shipped subset or the official files).</summary>
        public required string Data { get; init; }
        public string Output { get; init; } = "out";
        /// <summary>Where the pictures go (default: pictures/ in <see cref="Output"/>).</summary>
        public string? Pictures { get; init; }
        /// <summary>Task B three ways (frozen backbone, fine-tuned, from scratch) for every seed, with mean and spread.</summary>
        public bool Full { get; init; }
        public int[] Seeds { get; init; } = { 1 };
        /// <summary>Pretraining epochs at most (early stopping on validation loss may end it sooner).</summary>
        public int PretrainEpochs { get; init; } = 8;
        /// <summary>Task B epochs at most (early stopping on validation loss may end it sooner).</summary>
        public int TransferEpochs { get; init; } = 40;
        /// <summary>Task B's training images per class: few, as in the course's small image folders.</summary>
        public int TransferImagesPerClass { get; init; } = 100;
        /// <summary>Validation images per class, for both tasks.</summary>
        public int ValidationImagesPerClass { get; init; } = 100;
        /// <summary>Task A's training images per class (all but the validation images when null).</summary>
        public int? PretrainImagesPerClass { get; init; }
        /// <summary>Test images per class (all when null).</summary>
        public int? TestImagesPerClass { get; init; }
        public int Workers { get; init; } = 1;
        public ProgressMode Progress { get; init; } = ProgressMode.None;
    }

    /// <summary>One task B run: how the backbone was treated, the seed, its test accuracy and training time.</summary>
    public sealed record TransferRun(string Variant, int Seed, double TestAccuracy, int Epochs, int? BestEpoch, double Seconds);

    /// <summary>What the course flow measured and where it put its files.</summary>
    public sealed record CourseResult(double PretrainAccuracy, int PretrainEpochs, double PretrainSeconds, string Backbone, string Transferred,
        IReadOnlyList<TransferRun> Runs, ImagePrediction Prediction, CoursePictures Pictures, double Seconds);

    /// <summary>The pictures' files by name, and the Grad-CAM picture's layout with the test files it shows (a right and a wrong prediction).</summary>
    public sealed record CoursePictures(IReadOnlyDictionary<string, string> Files, GridLayout GradCam, IReadOnlyList<string> GradCamFiles);

    /// <summary>
    /// The course's chapter 5.3 and 5.4 in one flow: image folders written from Fashion-MNIST; a small ResNet pretrained
    /// on five clothing classes (task A) and saved as safetensors with its facts; the five other classes (task B) on the
    /// same backbone with a new head: loaded with <c>skip: "fc.*"</c>, frozen, fitted with validation and early stopping,
    /// evaluated, saved, reloaded, asked about one image file; then the pictures: training curves, confusion matrix,
    /// samples, feature maps at two depths, first-layer filters, Grad-CAM on a right and a wrong prediction.
    /// </summary>
    public static class CourseFlow
    {
        /// <summary>The course's training transforms, at 32x32: random crop and flip, then ImageNet's normalisation.</summary>
        public static Transform TrainingTransform() =>
            new Compose(new RandomResizedCrop(32, scale: (0.7, 1.0)), new RandomHorizontalFlip(), new ToTensor(), Normalize.ImageNet);

        public static CourseResult Run(CourseOptions options, TextWriter log)
        {
            var total = Stopwatch.StartNew();
            var pictures = options.Pictures ?? Path.Combine(options.Output, "pictures");
            Directory.CreateDirectory(pictures);
            string folders;
            {
                var (train, test) = Dataset.FromIdxFolder(options.Data);
                using (train)
                using (test)
                {
                    folders = Path.Combine(options.Output, "data");
                    FashionFolders.Write(FashionFolders.TaskA, train, test, folders, options.ValidationImagesPerClass, options.PretrainImagesPerClass, options.TestImagesPerClass);
                    FashionFolders.Write(FashionFolders.TaskB, train, test, folders, options.ValidationImagesPerClass, options.TransferImagesPerClass, options.TestImagesPerClass);
                }
            }
            var transform = TrainingTransform();
            (ImageFolder Train, ImageFolder Validation, ImageFolder Test) Open(FolderTask task)
            {
                var train = new ImageFolder(Path.Combine(folders, task.Name, "train"), transform);
                // Validation and test folders are numbered by the training folder's classes (an error if they differ).
                return (train, new ImageFolder(Path.Combine(folders, task.Name, "val"), transform, classNames: train.ClassNames),
                    new ImageFolder(Path.Combine(folders, task.Name, "test"), transform, classNames: train.ClassNames));
            }
            var taskA = Open(FashionFolders.TaskA);
            var taskB = Open(FashionFolders.TaskB);
            log.WriteLine($"Image folders in {folders}: task A {Describe(taskA.Train)}; task B {Describe(taskB.Train)}");

            // Task A: pretrain the backbone and save it with its facts.
            var backbone = Path.Combine(options.Output, "task-a.safetensors");
            var clock = Stopwatch.StartNew();
            double pretrainAccuracy, pretrainSeconds;
            int pretrainEpochs;
            using (var pretrainNet = CnnModel.Create<PretrainNet>(seed: 1))
            {
                var stopping = new EarlyStopping("val_loss", patience: 2, restoreBestWeights: true);
                var history = pretrainNet.Fit(taskA.Train, Fitting(options, options.PretrainEpochs, seed: 1, OptimizerSpec.Adam(2e-3), taskA.Validation, stopping));
                pretrainSeconds = clock.Elapsed.TotalSeconds;
                pretrainAccuracy = pretrainNet.Evaluate(taskA.Test).Accuracy ?? 0;
                pretrainEpochs = history.Epochs.Count;
                pretrainNet.SaveSafeTensors(backbone);
                log.WriteLine($"Task A: PretrainNet ({Parameters(pretrainNet):N0} parameters) pretrained for {pretrainEpochs} epoch(s){Best(stopping)} in {pretrainSeconds:0} s: "
                    + $"{Percent(pretrainAccuracy)} on {taskA.Test.Count:N0} test images; saved to {backbone} with its facts:");
                log.WriteLine(Indent(pretrainNet.Facts.Describe()));
            }

            // Task B: the course's flow (frozen backbone, new head); --full also fine-tunes and trains from scratch.
            var variants = options.Full ? new[] { "frozen", "fine-tuned", "scratch" } : new[] { "frozen" };
            var runs = new List<TransferRun>();
            string? kept = null;
            History? keptHistory = null;
            EarlyStopping? keptStopping = null;
            foreach (var seed in options.Seeds)
                foreach (var variant in variants)
                {
                    using var model = CnnModel.Create<TransferNet>(seed);
                    // A new head on learnt features takes a large step; a network from scratch the usual 1e-3.
                    var optimizer = OptimizerSpec.Adam(variant == "scratch" ? 1e-3 : 1e-2);
                    if (variant != "scratch")
                    {
                        var report = model.LoadSafeTensors(backbone, skip: "fc.*");
                        if (runs.Count == 0)
                            log.WriteLine("Task B: TransferNet loads the backbone, its head left new: " + report
                                + (report.ModelDifference is string difference ? $" ({difference})" : ""));
                    }
                    if (variant == "frozen")
                        model.FreezeAllExcept("fc");
                    if (variant == "fine-tuned")
                        optimizer = optimizer.WithLearningRate("backbone", 1e-4);
                    var stopping = new EarlyStopping("val_loss", patience: 5, restoreBestWeights: true);
                    clock.Restart();
                    var history = model.Fit(taskB.Train, Fitting(options, options.TransferEpochs, seed, optimizer, taskB.Validation, stopping));
                    double seconds = clock.Elapsed.TotalSeconds;
                    var accuracy = model.Evaluate(taskB.Test).Accuracy ?? 0;
                    runs.Add(new TransferRun(variant, seed, accuracy, history.Epochs.Count, stopping.RestoredEpoch ?? stopping.BestEpoch, seconds));
                    log.WriteLine($"  seed {seed}, {variant,-10}: {Percent(accuracy)} on {taskB.Test.Count:N0} test images, {history.Epochs.Count} epoch(s){Best(stopping)}, {seconds:0.0} s");
                    if (kept == null && variant == "frozen")
                    {
                        kept = Path.Combine(options.Output, "task-b.safetensors");
                        model.SaveSafeTensors(kept);
                        (keptHistory, keptStopping) = (history, stopping);
                    }
                }
            if (options.Full)
            {
                log.WriteLine($"Task B on {taskB.Train.Count:N0} training images, seeds {string.Join(", ", options.Seeds)}: mean test accuracy (sd, min - max), time per run");
                foreach (var group in runs.GroupBy(r => r.Variant))
                {
                    var accuracies = group.Select(r => r.TestAccuracy).ToArray();
                    double mean = accuracies.Average(), sd = accuracies.Length > 1 ? Math.Sqrt(accuracies.Sum(a => (a - mean) * (a - mean)) / (accuracies.Length - 1)) : 0;
                    log.WriteLine($"  {group.Key,-10}: {Percent(mean)} (sd {sd * 100:0.00} points, {Percent(accuracies.Min())} - {Percent(accuracies.Max())}), {group.Average(r => r.Seconds):0.0} s");
                }
            }

            // A fresh process would start here: the saved model knows its classes, transforms and normalisation.
            using var reloaded = CnnModel.Create<TransferNet>(seed: 0);
            reloaded.LoadSafeTensors(kept!);
            var file = taskB.Test.Samples[taskB.Test.Samples.Count / 3].Path;
            var prediction = reloaded.PredictImage(file);
            log.WriteLine($"Predicted from the saved file: {prediction}");

            var drawn = Draw(reloaded, taskB.Test, keptHistory!, keptStopping!, file, pictures);
            log.WriteLine($"Pictures in {pictures}: {string.Join(", ", drawn.Files.Values.Select(Path.GetFileName))}");
            if (drawn.GradCam.NoPositiveEvidence.Count > 0)
                log.WriteLine($"Grad-CAM found no positive evidence for the predicted class in {string.Join(", ", drawn.GradCam.NoPositiveEvidence.Select(i => drawn.GradCamFiles[i]))}");
            log.WriteLine($"Done in {total.Elapsed.TotalSeconds:0} s");
            return new CourseResult(pretrainAccuracy, pretrainEpochs, pretrainSeconds, backbone, kept!, runs, prediction, drawn, total.Elapsed.TotalSeconds);
        }

        // The chapter 5.4 pictures of the transferred model, every input image un-normalised with the model's own facts.
        static CoursePictures Draw(TransferNet model, ImageFolder test, History history, EarlyStopping stopping, string file, string folder)
        {
            var paths = new[] { "curves", "confusion", "samples", "feature-maps-layer1", "feature-maps-layer3", "filters", "grad-cam" }
                .ToDictionary(name => name, name => Path.Combine(folder, name + ".png"));
            TrainingCurves.Save(history, paths["curves"], stopping);
            ConfusionMatrix.Of(model, test).Save(paths["confusion"]);

            using var probabilities = model.Predict(test);
            var predicted = probabilities.argmax(1).data<long>().ToArray();
            var spread = Enumerable.Range(0, 16).Select(i => (long)(i * test.Count / 16)).ToArray();
            var (samples, _) = test.GetBatch(spread, BatchContext.Evaluation);
            using (samples)
                ImageGrid.SaveSamples(model, samples, spread.Select(i => test.Labels[i]).ToArray(), paths["samples"], columns: 8, scale: 3);

            // Feature maps of one image at two depths: 32x32 after the first block, 8x8 after the last.
            var transform = model.Facts.EvaluationTransform()!;
            var image = transform.ApplyToFile(file, 3, new Random(0));
            using (var input = tensor(image.Pixels, new long[] { 1, 3, 32, 32 }))
            {
                var maps = model.Activations(input, TransferNet.Layers.backbone_layer1, TransferNet.Layers.backbone_layer3);
                var shown = Path.GetFileName(file);
                ImageGrid.SaveFeatureMaps(maps[0], paths["feature-maps-layer1"], columns: 8, scale: 3, title: $"After backbone.layer1: 16 maps of 32x32 for {shown}");
                ImageGrid.SaveFeatureMaps(maps[1], paths["feature-maps-layer3"], columns: 16, scale: 6, title: $"After backbone.layer3: 64 maps of 8x8 for {shown}");
                foreach (var map in maps)
                    map.Dispose();
            }
            // The images are grey repeated in R, G and B, so each filter acts as the sum of its three channels: drawn grey.
            using (var filters = model.state_dict()["backbone.stem.weight"].sum(1, keepdim: true))
                ImageGrid.SaveFilters(filters, paths["filters"], scale: 10, title: "First-layer filters (3x3, summed over R, G, B)");

            // Grad-CAM for the predicted class of one right and one wrong test prediction.
            var labels = test.Labels;
            long right = Enumerable.Range(0, predicted.Length).First(i => predicted[i] == labels[i]);
            long wrong = Enumerable.Range(0, predicted.Length).Cast<int?>().FirstOrDefault(i => predicted[i!.Value] != labels[i.Value]) ?? right;
            var chosen = new[] { right, wrong };
            var (inputs, _) = test.GetBatch(chosen, BatchContext.Evaluation);
            using (inputs)
            using (var heat = model.GradCam(inputs, TransferNet.Layers.backbone_layer3))
            {
                var names = test.ClassNames;
                var captions = chosen.Select(i => predicted[i] == labels[i]
                    ? $"{names[(int)labels[i]]}: right ({probabilities[i, predicted[i]].item<float>():0.00})"
                    : $"{names[(int)labels[i]]}, said {names[(int)predicted[i]]} ({probabilities[i, predicted[i]].item<float>():0.00})").ToArray();
                var layout = ImageGrid.SaveGradCam(model, inputs, heat, paths["grad-cam"], captions, scale: 4);
                return new CoursePictures(paths, layout, chosen.Select(i => test.Samples[(int)i].Path).ToArray());
            }
        }

        static FitOptions Fitting(CourseOptions options, int epochs, int seed, OptimizerSpec optimizer, IBatchSource validation, EarlyStopping stopping) => new()
        {
            Epochs = epochs, BatchSize = 64, Seed = seed, Optimizer = optimizer, ValidationData = validation, Callbacks = new Callback[] { stopping },
            Workers = options.Workers, Device = CPU, Progress = options.Progress,
        };

        static string Describe(ImageFolder folder) => $"{folder.Count:N0} training images of {string.Join(", ", folder.ClassNames)}";

        static string Percent(double fraction) => (fraction * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%";

        static string Best(EarlyStopping stopping) => stopping.RestoredEpoch is int epoch ? $" (weights of epoch {epoch} restored)" : "";

        static long Parameters(nn.Module model) => model.parameters().Sum(p => p.numel());

        static string Indent(string text) => string.Join(Environment.NewLine, text.TrimEnd().Split('\n').Select(line => "    " + line.TrimEnd('\r')));
    }
}
