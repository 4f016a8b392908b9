using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using CnnDsl.Cli;
using CnnDsl.Plots;
using CnnDsl.Training;
using CnnDsl.Weights;
using TorchSharp;

namespace CnnDsl.Train
{
    /// <summary>
    /// <c>cnn-train train model.cnn --data DIR</c>: builds the module from the checked model at run time and trains it
    /// with Fit (live progress, early stopping on the validation loss, checkpoints every epoch), then writes the weights,
    /// the history and the training curves.
    /// </summary>
    internal static class TrainCommand
    {
        public static Command Create()
        {
            var file = new Argument<string>("file") { Description = "the .cnn file" };
            var data = new Option<string>("--data") { Description = "an IDX folder (MNIST layout) or an image folder (one sub-folder per class; train/, val/ and test/ inside if it has them)", Required = true };
            var epochs = new Option<int>("--epochs") { Description = "the most epochs to train", DefaultValueFactory = _ => 10 };
            var batchSize = new Option<int>("--batch-size") { Description = "samples per step", DefaultValueFactory = _ => 32 };
            var device = new Option<string?>("--device") { Description = "cpu or cuda (default: cuda when available)" };
            var output = new Option<string?>("--out") { Description = "the folder for weights, history, curves and checkpoints (default: <model>-training)" };
            var learningRate = new Option<double>("--learning-rate") { Description = "Adam's learning rate", DefaultValueFactory = _ => 1e-3 };
            var patience = new Option<int>("--patience") { Description = "epochs without a better validation loss before stopping", DefaultValueFactory = _ => 3 };
            var validation = new Option<double>("--validation-split") { Description = "the fraction of the training data held out for validation when the data has no val/ folder", DefaultValueFactory = _ => 0.1 };
            var seed = new Option<int>("--seed") { Description = "seeds the weights, shuffling and dropout", DefaultValueFactory = _ => 0 };
            var model = new Option<string?>("--model") { Description = "the model's name, when the file has several" };
            var input = new Option<string?>("--input") { Description = "a fixed input shape such as 3x64x64 (needed for image folders when the model has size variables)" };
            var command = new Command("train", "Trains a .cnn model on IDX or image folders and writes its weights, history, training curves and TensorBoard logs.")
            {
                file, data, epochs, batchSize, device, output, learningRate, patience, validation, seed, model, input,
            };
            command.SetAction(result => Program.Guard(() =>
            {
                var bound = CnnDsl.Dsl.Project.CnnProject.Resolve(result.GetValue(file)!, result.GetValue(model), result.GetValue(input), Console.Error);
                if (bound == null)
                    return 1;
                if (result.GetValue(epochs) < 1 || result.GetValue(batchSize) < 1)
                    throw new UsageException("--epochs and --batch-size must be at least 1");
                var sources = TrainingData.Open(result.GetValue(data)!, bound);
                if (sources.Train.SampleShape is long[] shape && bound.InputShape.IsFixed && !shape.SequenceEqual(bound.InputShape.Sizes))
                    throw new UsageException($"{bound.Name} takes inputs of {bound.InputShape}, but the data in {result.GetValue(data)} are {string.Join("x", shape)}; change the model's input or pass --input {string.Join("x", shape)}");
                var folder = result.GetValue(output) ?? bound.Name + "-training";
                Directory.CreateDirectory(folder);
                Console.WriteLine($"Training {bound.Name} ({bound.ParameterCount:N0} parameters) on {sources.Description}");

                torch.manual_seed(result.GetValue(seed));
                using var module = new RuntimeModule(bound);
                var early = new EarlyStopping("val_loss", patience: result.GetValue(patience), restoreBestWeights: true);
                var options = new FitOptions
                {
                    Epochs = result.GetValue(epochs),
                    BatchSize = result.GetValue(batchSize),
                    Optimizer = OptimizerSpec.Adam(result.GetValue(learningRate)),
                    Loss = Loss.CrossEntropy,
                    // A val/ folder is the validation data; without one, a fraction of the training data is held out.
                    ValidationData = sources.Validation,
                    ValidationSplit = sources.Validation != null ? 0 : result.GetValue(validation),
                    Seed = result.GetValue(seed),
                    Device = Device(result.GetValue(device)),
                    OutputActivation = Enum.Parse<OutputActivation>(bound.OutputActivation),
                    CheckpointPath = Path.Combine(folder, "checkpoint"),
                    Callbacks = new Callback[] { early, new ModelCheckpoint(Path.Combine(folder, "best.weights"), "val_loss", saveBestOnly: true), new TensorBoard(Path.Combine(folder, "logs")) },
                };
                var history = module.Fit(sources.Train, options);

                var weights = Path.Combine(folder, bound.Name + ".safetensors");
                // The class names and evaluation transforms of the data travel in the file, as the model's facts.
                module.SaveSafeTensors(weights);
                WriteHistory(history, Path.Combine(folder, "history.csv"));
                TrainingCurves.Save(history, Path.Combine(folder, "curves.png"), early);
                Console.WriteLine($"Wrote {weights}, history.csv and curves.png in {folder}; tensorboard --logdir {Path.Combine(folder, "logs")} shows the curves");
                if (sources.Test != null)
                {
                    var (loss, accuracy) = module.Evaluate(sources.Test);
                    Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "Test: loss {0:F4}, accuracy {1:P2} on {2:N0} samples", loss, accuracy ?? double.NaN, sources.Test.Count));
                }
                return 0;
            }));
            return command;
        }

        static torch.Device? Device(string? name)
        {
            if (name == null)
                return null;
            if (name == "cuda" && !torch.cuda.is_available())
                throw new UsageException("--device cuda, but no CUDA device is available; use --device cpu");
            if (name != "cpu" && name != "cuda")
                throw new UsageException($"--device '{name}' is not cpu or cuda");
            return torch.device(name);
        }

        static void WriteHistory(History history, string path)
        {
            var text = new StringBuilder("epoch,loss,accuracy,val_loss,val_accuracy,learning_rate\n");
            for (int i = 0; i < history.Epochs.Count; i++)
            {
                var e = history.Epochs[i];
                text.AppendLine(string.Join(",", new object?[] { i + 1, e.Loss, e.Accuracy, e.ValidationLoss, e.ValidationAccuracy, e.LearningRate }
                    .Select(v => v is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : "")));
            }
            File.WriteAllText(path, text.ToString());
        }
    }
}
