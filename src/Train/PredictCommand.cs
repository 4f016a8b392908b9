using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using CnnDsl.Cli;
using CnnDsl.Training;
using CnnDsl.Vision;
using CnnDsl.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Train
{
    /// <summary><c>cnn-train predict model.cnn --weights W images...</c>: the most likely class of each image, with its probability.</summary>
    internal static class PredictCommand
    {
        static readonly string[] ImageExtensions = { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

        public static Command Create()
        {
            var file = new Argument<string>("file") { Description = "the .cnn file" };
            var images = new Argument<string[]>("images") { Description = "image files or folders of images", Arity = ArgumentArity.OneOrMore };
            var weights = new Option<string>("--weights") { Description = "the trained weights (a safetensors file from cnn-train train)", Required = true };
            var model = new Option<string?>("--model") { Description = "the model's name, when the file has several" };
            var input = new Option<string?>("--input") { Description = "the fixed input shape the model was trained with, if its file has size variables" };
            var command = new Command("predict", "Prints the most likely class of each image and its probability.") { file, images, weights, model, input };
            command.SetAction(result => Program.Guard(() =>
            {
                var bound = CnnDsl.Dsl.Project.CnnProject.Resolve(result.GetValue(file)!, result.GetValue(model), result.GetValue(input), Console.Error);
                if (bound == null)
                    return 1;
                if (!bound.InputShape.IsFixed || bound.InputShape.Rank != 3 || (bound.InputShape.Sizes[0] != 1 && bound.InputShape.Sizes[0] != 3))
                    throw new UsageException($"{bound.Name} takes input {bound.InputShape}; predicting on images needs a fixed 1xHxW or 3xHxW input (--input)");
                var sizes = bound.InputShape.Sizes;
                var weightsFile = result.GetValue(weights)!;
                if (!File.Exists(weightsFile))
                    throw new UsageException($"--weights '{weightsFile}' does not exist");
                using var module = new RuntimeModule(bound);
                module.LoadSafeTensors(weightsFile);
                // The weights' facts say how training read its images (resize, crop, normalisation) and name the classes;
                // weights without them (from PyTorch) are read resized to the input, with values in [0, 1].
                var facts = module.Facts;
                var transform = facts.EvaluationTransform() ?? new Compose(new Resize((int)sizes[1], (int)sizes[2]), new ToTensor());
                var paths = result.GetValue(images)!.SelectMany(Expand).ToList();
                if (paths.Count == 0)
                    throw new UsageException("no images found (" + string.Join(", ", ImageExtensions) + ")");
                foreach (var path in paths)
                {
                    // The library's prediction of one file, as a program's PredictImage gives it.
                    var prediction = module.PredictImage(path, transform);
                    Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0}: {1} ({2:F3})", path,
                        prediction.ClassName ?? prediction.Class.ToString(CultureInfo.InvariantCulture), prediction.Probability));
                }
                return 0;
            }));
            return command;
        }

        static System.Collections.Generic.IEnumerable<string> Expand(string path)
        {
            if (File.Exists(path))
                return new[] { path };
            if (Directory.Exists(path))
                return Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())).OrderBy(f => f, StringComparer.Ordinal);
            throw new UsageException($"'{path}' is neither an image file nor a folder");
        }
    }
}
