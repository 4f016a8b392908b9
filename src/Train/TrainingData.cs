using System;
using System.IO;
using System.Linq;
using CnnDsl.Cli;
using CnnDsl.Dsl.Binding;
using CnnDsl.Data;
using CnnDsl.Vision;

namespace CnnDsl.Train
{
    /// <summary>
    /// What --data names: an IDX folder (MNIST, Fashion-MNIST: train-images-idx3-ubyte[.gz] and the rest), or an image
    /// folder with one sub-folder per class, either with train/, val/ (or valid/, validation/) and test/ inside, as
    /// torchvision's and Keras' datasets name them, or as the training images alone. Images are resized to the model's
    /// input size. The validation and test folders must have the training folder's classes: a class missing or extra is
    /// an error naming it, since class indices come from the folder names.
    /// </summary>
    internal sealed record TrainingData(IBatchSource Train, IBatchSource? Validation, IBatchSource? Test, string Description)
    {
        static readonly string[] ValidationFolders = { "val", "valid", "validation" };

        public static TrainingData Open(string folder, BoundModel model)
        {
            if (!Directory.Exists(folder))
                throw new UsageException($"--data '{folder}' is not a folder");
            if (Directory.EnumerateFiles(folder).Any(f => Path.GetFileName(f).Contains("idx3-ubyte")))
            {
                var (train, test) = Dataset.FromIdxFolder(folder);
                return new TrainingData(train, null, test, $"IDX files in {folder}: {train.Count:N0} training and {test.Count:N0} test images");
            }
            if (!model.InputShape.IsFixed || model.InputShape.Rank != 3)
                throw new UsageException($"{model.Name} takes input {model.InputShape}; image folders need a fixed (channels, height, width) input: give one with --input, e.g. --input 3x64x64");
            var sizes = model.InputShape.Sizes;
            if (sizes[0] != 1 && sizes[0] != 3)
                throw new UsageException($"{model.Name} takes {sizes[0]} channels; images have 1 (grey) or 3 (colour)");
            var transform = new Compose(new Resize((int)sizes[1], (int)sizes[2]), new ToTensor());
            var trainFolder = Path.Combine(folder, "train");
            if (Directory.Exists(trainFolder))
            {
                var train = new ImageFolder(trainFolder, transform, channels: (int)sizes[0]);
                ImageFolder? Beside(string? path) => path == null || !Directory.Exists(path) ? null : SameClasses(train, trainFolder, new ImageFolder(path, transform, channels: (int)sizes[0]), path);
                var validationFolder = ValidationFolders.Select(name => Path.Combine(folder, name)).FirstOrDefault(Directory.Exists);
                var testFolder = Path.Combine(folder, "test");
                var validation = Beside(validationFolder);
                var test = Beside(testFolder);
                return new TrainingData(train, validation, test, $"images in {trainFolder}" + (validation != null ? $", validation on {validationFolder}" : "")
                    + (test != null ? $", test on {testFolder}" : "") + $", resized to {sizes[1]}x{sizes[2]}");
            }
            return new TrainingData(new ImageFolder(folder, transform, channels: (int)sizes[0]), null, null, $"images in {folder}, resized to {sizes[1]}x{sizes[2]}");
        }

        // Class indices are the sorted folder names, so folders with other classes would score against shifted labels.
        static ImageFolder SameClasses(ImageFolder train, string trainFolder, ImageFolder other, string otherFolder)
        {
            var missing = train.ClassNames.Except(other.ClassNames).ToList();
            var extra = other.ClassNames.Except(train.ClassNames).ToList();
            if (missing.Count > 0 || extra.Count > 0)
                throw new UsageException($"{otherFolder} does not have the classes of {trainFolder}: "
                    + string.Join("; ", new[] { missing.Count > 0 ? "missing " + string.Join(", ", missing.Select(c => "'" + c + "'")) : null,
                        extra.Count > 0 ? "extra " + string.Join(", ", extra.Select(c => "'" + c + "'")) : null }.Where(t => t != null))
                    + "; give both folders the same class folders");
            return other;
        }
    }
}
