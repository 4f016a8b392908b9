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
    /// folder with one sub-folder per class, either with train/ and test/ inside or as the training images alone.
    /// Images are resized to the model's input size.
    /// </summary>
    internal sealed record TrainingData(IBatchSource Train, IBatchSource? Test, string Description)
    {
        public static TrainingData Open(string folder, BoundModel model)
        {
            if (!Directory.Exists(folder))
                throw new UsageException($"--data '{folder}' is not a folder");
            if (Directory.EnumerateFiles(folder).Any(f => Path.GetFileName(f).Contains("idx3-ubyte")))
            {
                var (train, test) = Dataset.FromIdxFolder(folder);
                return new TrainingData(train, test, $"IDX files in {folder}: {train.Count:N0} training and {test.Count:N0} test images");
            }
            if (!model.InputShape.IsFixed || model.InputShape.Rank != 3)
                throw new UsageException($"{model.Name} takes input {model.InputShape}; image folders need a fixed (channels, height, width) input: give one with --input, e.g. --input 3x64x64");
            var sizes = model.InputShape.Sizes;
            if (sizes[0] != 1 && sizes[0] != 3)
                throw new UsageException($"{model.Name} takes {sizes[0]} channels; images have 1 (grey) or 3 (colour)");
            var transform = new Compose(new Resize((int)sizes[1], (int)sizes[2]), new ToTensor());
            var trainFolder = Path.Combine(folder, "train");
            var testFolder = Path.Combine(folder, "test");
            if (Directory.Exists(trainFolder))
            {
                var train = new ImageFolder(trainFolder, transform, channels: (int)sizes[0]);
                var test = Directory.Exists(testFolder) ? new ImageFolder(testFolder, transform, channels: (int)sizes[0]) : null;
                return new TrainingData(train, test, $"images in {trainFolder}" + (test != null ? $" and {testFolder}" : "") + $", resized to {sizes[1]}x{sizes[2]}");
            }
            return new TrainingData(new ImageFolder(folder, transform, channels: (int)sizes[0]), null, $"images in {folder}, resized to {sizes[1]}x{sizes[2]}");
        }
    }
}
