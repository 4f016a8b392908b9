using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using CnnDsl.Dsl.Project;
using CnnDsl.Inference;
using CnnDsl.Vision;

namespace CnnDsl.Cli
{
    /// <summary>
    /// <c>cnn predict model.cnn --weights W images...</c> (or <c>cnn predict model.onnx images...</c>): the most probable
    /// classes of each image, read as training read its images, run by ONNX Runtime without libtorch.
    /// </summary>
    public static class PredictCommand
    {
        static readonly string[] ImageExtensions = { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

        // Images preprocessed and predicted together: one ONNX Runtime call per batch, memory bounded for large folders.
        const int BatchSize = 32;

        public static Command Create()
        {
            var file = new Argument<string>("model") { Description = "the .cnn file (with --weights), or an .onnx file written by cnn export or ExportOnnx" };
            var images = new Argument<string[]>("images") { Description = "image files or folders of images (PNG, JPEG, BMP, GIF, WebP; folders are searched recursively)", Arity = ArgumentArity.OneOrMore };
            var weights = new Option<string?>("--weights") { Description = "the trained weights of a .cnn model (a safetensors file from SaveSafeTensors or cnn-train train, or PyTorch's state_dict)" };
            var model = new Option<string?>("--model") { Description = "the model's name, when the file has several" };
            var input = new Option<string?>("--input") { Description = "the fixed input shape the model was trained with, if its file has size variables" };
            var top = new Option<int>("--top") { Description = "how many of the most probable classes to show per image", DefaultValueFactory = _ => 1 };
            var json = new Option<bool>("--json") { Description = "write one JSON array: per image its file and its classes (index, name, probability)" };
            var command = new Command("predict", "Prints the most probable classes of each image, with the class names and preprocessing the model's facts record.")
                { file, images, weights, model, input, top, json };
            command.SetAction(result => Program.Guard(() => Run(result.GetValue(file)!, result.GetValue(images)!, result.GetValue(weights),
                result.GetValue(model), result.GetValue(input), result.GetValue(top), result.GetValue(json))));
            return command;
        }

        static int Run(string modelFile, string[] imageArguments, string? weightsFile, string? modelName, string? input, int top, bool json)
        {
            if (top < 1)
                throw new UsageException($"--top {top}: give at least 1");
            using var inference = Open(modelFile, weightsFile, modelName, input);
            if (inference == null)
                return 1;
            try
            {
                _ = inference.Preprocessing;
                _ = inference.ImageChannels;
            }
            catch (InvalidOperationException e)
            {
                // Recorded transforms of the user's own, or a model whose input is not an image.
                Console.Error.WriteLine("cnn: error: " + e.Message);
                return 1;
            }
            var paths = imageArguments.SelectMany(Expand).ToList();
            if (paths.Count == 0)
                throw new UsageException("no images found (" + string.Join(", ", ImageExtensions) + ")");
            int failed = 0;
            var results = new List<(string Path, IReadOnlyList<ClassScore> Classes)>();
            foreach (var chunk in paths.Chunk(BatchSize))
            {
                // A file that cannot be read or decoded is named and skipped; the others are still predicted.
                var images = new List<(string Path, ImageData Image)>();
                foreach (var path in chunk)
                {
                    try
                    {
                        images.Add((path, inference.Preprocess(ImageData.Decode(path, inference.ImageChannels), path)));
                    }
                    catch (InvalidDataException e)
                    {
                        Console.Error.WriteLine("cnn: error: " + e.Message);
                        failed++;
                    }
                }
                var sizes = images.GroupBy(i => (i.Image.Height, i.Image.Width));
                foreach (var group in sizes)
                {
                    var predictions = inference.PredictImages(group.Select(i => i.Image).ToList(), top);
                    results.AddRange(group.Select((image, k) => (image.Path, predictions[k])));
                }
                if (!json)
                {
                    foreach (var (path, classes) in results)
                        Console.WriteLine(path + ": " + string.Join(", ", classes.Select(c => string.Format(CultureInfo.InvariantCulture, "{0} ({1:F3})", c.Name, c.Probability))));
                    results.Clear();
                }
            }
            if (json)
                Console.WriteLine(JsonSerializer.Serialize(results.Select(r => new
                {
                    file = r.Path,
                    classes = r.Classes.Select(c => new { index = c.Index, name = c.Name, probability = c.Probability }),
                }), new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            return failed == 0 ? 0 : 1;
        }

        static InferenceModel? Open(string modelFile, string? weightsFile, string? modelName, string? input)
        {
            if (!File.Exists(modelFile))
                throw new UsageException($"'{modelFile}' does not exist");
            if (string.Equals(Path.GetExtension(modelFile), ".onnx", StringComparison.OrdinalIgnoreCase))
            {
                if (weightsFile != null || modelName != null || input != null)
                    throw new UsageException("an .onnx file carries its weights and its one model: --weights, --model and --input apply to .cnn files");
                return InferenceModel.Load(modelFile);
            }
            if (weightsFile == null)
                throw new UsageException($"give the trained weights of {modelFile} with --weights FILE (a safetensors file), or predict with an .onnx file");
            if (!File.Exists(weightsFile))
                throw new UsageException($"--weights '{weightsFile}' does not exist");
            var bound = CnnProject.Resolve(modelFile, modelName, input, Console.Error);
            if (bound == null)
                return null;
            if (!bound.InputShape.IsFixed || bound.InputShape.Rank != 3 || (bound.InputShape.Sizes[0] != 1 && bound.InputShape.Sizes[0] != 3))
                throw new UsageException($"{bound.Name} takes input {bound.InputShape}; predicting on images needs a fixed 1xHxW or 3xHxW input (--input)");
            return InferenceModel.FromDefinition(bound, weightsFile);
        }

        static IEnumerable<string> Expand(string path)
        {
            if (File.Exists(path))
                return new[] { path };
            if (Directory.Exists(path))
                return Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())).OrderBy(f => f, StringComparer.Ordinal);
            throw new UsageException($"'{path}' is neither an image file nor a folder");
        }
    }
}
