using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnDsl.Data;
using CnnDsl.Vision;
using static TorchSharp.torch;

namespace TransferLearning
{
    /// <summary>One image-folder task: the Fashion-MNIST classes it keeps, by label, and the folder names they get.</summary>
    public sealed record FolderTask(string Name, IReadOnlyList<(int Label, string Folder)> Classes);

    /// <summary>
    /// Writes Fashion-MNIST images as the course's data comes: PNG files in train/, val/ and test/, one sub-folder per
    /// class. Each 28x28 grey image is padded with 2 black pixels to 32x32 and stored as RGB, so the pixels stay exact.
    /// </summary>
    public static class FashionFolders
    {
        /// <summary>Task A, pretraining: five classes with clothes, shoes and bags, so that the backbone learns the whole domain (as ImageNet covers photos).</summary>
        public static readonly FolderTask TaskA = new("task-a", new[] { (0, "T-shirt-top"), (1, "Trouser"), (2, "Pullover"), (5, "Sandal"), (8, "Bag") });

        /// <summary>Task B, the transfer: the other five classes, none of which task A has seen.</summary>
        public static readonly FolderTask TaskB = new("task-b", new[] { (3, "Dress"), (4, "Coat"), (6, "Shirt"), (7, "Sneaker"), (9, "Ankle boot") });

        /// <summary>
        /// Writes the task's folders under <paramref name="root"/>/task name: per class the first <paramref name="valPerClass"/>
        /// training images into val/, the next <paramref name="trainPerClass"/> (all the rest when null) into train/, and
        /// up to <paramref name="testPerClass"/> test images into test/. A folder already written with the same numbers is kept.
        /// </summary>
        public static string Write(FolderTask task, Dataset train, Dataset test, string root, int valPerClass, int? trainPerClass, int? testPerClass = null)
        {
            var folder = Path.Combine(root, task.Name);
            var settings = $"val {valPerClass}, train {trainPerClass?.ToString() ?? "rest"}, test {testPerClass?.ToString() ?? "all"}, from {train.Count} + {test.Count} images";
            var marker = Path.Combine(folder, "written.txt");
            if (File.Exists(marker) && File.ReadAllText(marker) == settings)
                return folder;
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
            foreach (var (label, name) in task.Classes)
            {
                var trainIndices = Indices(train, label);
                if (trainIndices.Length <= valPerClass)
                    throw new InvalidDataException($"Class {name} has {trainIndices.Length} training images, not more than the {valPerClass} held out for validation.");
                WriteImages(train, trainIndices.Take(valPerClass), Path.Combine(folder, "val", name));
                WriteImages(train, trainIndices.Skip(valPerClass).Take(trainPerClass ?? int.MaxValue), Path.Combine(folder, "train", name));
                WriteImages(test, Indices(test, label).Take(testPerClass ?? int.MaxValue), Path.Combine(folder, "test", name));
            }
            File.WriteAllText(marker, settings);
            return folder;
        }

        static long[] Indices(Dataset data, int label) =>
            data.Labels!.Select((l, i) => (l, (long)i)).Where(p => p.l == label).Select(p => p.Item2).ToArray();

        static void WriteImages(Dataset data, IEnumerable<long> indices, string folder)
        {
            Directory.CreateDirectory(folder);
            const int size = 32, pad = 2;
            foreach (var index in indices)
            {
                using var bytes = data.Inputs[index, 0].mul(255).round().to_type(ScalarType.Byte);
                var grey = bytes.data<byte>().ToArray();
                var rgb = new byte[3 * size * size];
                for (int y = 0; y < 28; y++)
                    for (int x = 0; x < 28; x++)
                        for (int c = 0; c < 3; c++)
                            rgb[(c * size + y + pad) * size + x + pad] = grey[y * 28 + x];
                new ImageData(3, size, size, rgb).SavePng(Path.Combine(folder, $"{index:D5}.png"));
            }
        }
    }
}
