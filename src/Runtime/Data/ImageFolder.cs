using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnDsl.Vision;
using static TorchSharp.torch;

namespace CnnDsl.Data
{
    /// <summary>What to do with an image file that cannot be decoded.</summary>
    public enum BadImagePolicy
    {
        /// <summary>Stop with an error naming the file and the decoder's complaint; each file's header and end are checked when the folder is opened.</summary>
        Error,
        /// <summary>Leave the file out and list it in <see cref="ImageFolder.Skipped"/> (every image is decoded once, when the folder is opened).</summary>
        Skip,
    }

    /// <summary>
    /// Images in one sub-folder per class, as torchvision's ImageFolder: classes sorted by folder name, files found
    /// recursively and sorted by path. Files are read and decoded per batch, never kept in memory. Training batches run
    /// <see cref="Transform"/>; validation, evaluation and prediction run <see cref="EvaluationTransform"/> (by default
    /// the training transforms with the random ones made deterministic).
    /// </summary>
    public sealed class ImageFolder : IBatchSource
    {
        /// <summary>The file extensions read (case-insensitive).</summary>
        public static IReadOnlyList<string> Extensions { get; } = new[] { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

        readonly List<(string Path, long Label)> samples = new();
        readonly List<(string Path, string Problem)> skipped = new();

        /// <param name="root">The folder holding one sub-folder per class.</param>
        /// <param name="transform">Training transforms; must produce a tensor image (end with ToTensor(), then Normalize if wanted). Default: ToTensor().</param>
        /// <param name="evaluationTransform">Transforms for validation, evaluation and prediction; default: <paramref name="transform"/>'s ForEvaluation().</param>
        /// <param name="channels">3 for RGB (grey images are repeated), 1 for grey (colour images converted with PIL's luma weights).</param>
        /// <param name="onBadImage">Fail on an undecodable file (default) or skip it and report it in <see cref="Skipped"/>.</param>
        /// <param name="classNames">The classes in index order, e.g. the training folder's for a validation or test folder:
        /// labels then follow these names, a class without a folder has no samples (<see cref="ClassesWithoutImages"/>), and a
        /// folder that is not one of them is an error. Default: the sub-folders' names, sorted.</param>
        public ImageFolder(string root, Transform? transform = null, Transform? evaluationTransform = null, int channels = 3, BadImagePolicy onBadImage = BadImagePolicy.Error,
            IReadOnlyList<string>? classNames = null)
        {
            if (channels != 1 && channels != 3)
                throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channels must be 1 (grey) or 3 (RGB).");
            if (!Directory.Exists(root))
                throw new DirectoryNotFoundException($"{root} does not exist; ImageFolder needs a folder with one sub-folder of images per class.");
            Root = root;
            Channels = channels;
            Transform = transform ?? new ToTensor();
            EvaluationTransform = evaluationTransform ?? Transform.ForEvaluation();
            OnBadImage = onBadImage;
            CheckMakesTensor(Transform, nameof(transform));
            CheckMakesTensor(EvaluationTransform, nameof(evaluationTransform));

            var folders = Directory.GetDirectories(root).Select(d => Path.GetFileName(d)!).OrderBy(n => n, StringComparer.Ordinal).ToList();
            if (folders.Count == 0)
                throw new InvalidDataException($"{root} has no class folders; ImageFolder expects one sub-folder per class ({Path.Combine(root, "cat", "1.png")}, {Path.Combine(root, "dog", "2.png")}, ...).");
            if (classNames != null)
            {
                if (classNames.Count == 0 || classNames.Distinct().Count() != classNames.Count)
                    throw new ArgumentException("The class names are one name per class, each once.", nameof(classNames));
                var unknown = folders.Except(classNames).ToList();
                if (unknown.Count > 0)
                    throw new InvalidDataException($"{root} has class folders that are not among the classes given: {string.Join(", ", unknown.Select(n => "'" + n + "'"))}; "
                        + "remove them, or train on data with these classes too.");
                ClassesWithoutImages = classNames.Except(folders).ToList();
            }
            ClassNames = classNames?.ToList() ?? folders!;
            var sizes = new Dictionary<(int Height, int Width), string>();
            for (int label = 0; label < ClassNames.Count; label++)
            {
                var folder = Path.Combine(root, ClassNames[label]);
                if (!Directory.Exists(folder))
                    continue;
                var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                    .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .OrderBy(f => f, StringComparer.Ordinal).ToList();
                int kept = 0;
                foreach (var file in files)
                {
                    (int Width, int Height) size;
                    try
                    {
                        // Skip decodes every image now, so that no bad file turns up in the middle of training; otherwise each
                        // file's header and end are checked, which finds truncated files at once for the cost of two reads.
                        size = onBadImage == BadImagePolicy.Skip ? Size(ImageData.Decode(file, channels)) : ImageData.ReadCheckedSize(file);
                    }
                    catch (InvalidDataException error) when (onBadImage == BadImagePolicy.Skip)
                    {
                        skipped.Add((file, error.Message));
                        continue;
                    }
                    sizes.TryAdd((size.Height, size.Width), file);
                    samples.Add((file, label));
                    kept++;
                }
                if (kept == 0)
                    throw new InvalidDataException($"The class folder {folder} has no " + (files.Count == 0 ? "images" : "decodable images") + $" ({string.Join(", ", Extensions)}); "
                        + "add images of that class or remove the folder." + (files.Count > 0 ? $" All {files.Count} of its files were skipped as bad images." : ""));
            }
            SampleShape = OutputShape(Transform, sizes, "transform");
            OutputShape(EvaluationTransform, sizes, "evaluation transform");
            Labels = samples.Select(s => s.Label).ToArray();
            if (skipped.Count > 0)
                Console.Error.WriteLine($"warning: {root}: skipped {skipped.Count} image(s) that cannot be decoded: "
                    + string.Join("; ", skipped.Take(5).Select(s => s.Problem)) + (skipped.Count > 5 ? $"; and {skipped.Count - 5} more (see ImageFolder.Skipped)" : ""));
        }

        static (int Width, int Height) Size(ImageData image) => (image.Width, image.Height);

        public string Root { get; }
        public int Channels { get; }
        public Transform Transform { get; }
        public Transform EvaluationTransform { get; }
        public BadImagePolicy OnBadImage { get; }

        /// <summary>The normalisation the evaluation transforms end with, for pictures that undo it; null without one.</summary>
        public Normalize? Normalization => Normalize.In(EvaluationTransform);
        public IReadOnlyList<string> ClassNames { get; }

        /// <summary>With <c>classNames</c> given: the classes this folder has no folder for (they have no samples here).</summary>
        public IReadOnlyList<string> ClassesWithoutImages { get; } = Array.Empty<string>();
        public long Count => samples.Count;
        public long[] Labels { get; }
        public long[]? SampleShape { get; }

        /// <summary>Every image file and its class index, in sample order.</summary>
        public IReadOnlyList<(string Path, long Label)> Samples => samples;

        /// <summary>The files left out with <see cref="BadImagePolicy.Skip"/>, with the decoder's complaint.</summary>
        public IReadOnlyList<(string Path, string Problem)> Skipped => skipped;

        /// <summary>One sample, decoded and transformed as a batch would have it.</summary>
        public ImageData Load(long index, BatchContext context)
        {
            var (path, _) = samples[(int)index];
            return (context.Training ? Transform : EvaluationTransform).ApplyToFile(path, Channels, new Random(SampleSeed(context, index)));
        }

        public (Tensor Inputs, Tensor Targets) GetBatch(long[] indices, BatchContext context)
        {
            if (indices.Length == 0)
                throw new ArgumentException("A batch needs at least one index.", nameof(indices));
            Tensor? inputs = null;
            ImageData? first = null;
            try
            {
                var (head, tail) = FusedTail.Split(context.Training ? Transform : EvaluationTransform);
                for (int i = 0; i < indices.Length; i++)
                {
                    var (path, _) = samples[(int)indices[i]];
                    var random = new Random(SampleSeed(context, indices[i]));
                    var image = head.ApplyToFile(path, Channels, random);
                    // The tail's own random draw, after the head's, as the whole pipeline would draw it.
                    bool flip = tail.Flip?.Flips(random) == true;
                    if (image.Bytes == null)
                        image = tail.Apply(flip ? ImageFunctions.HorizontalFlip(image) : image, random);
                    if (first == null)
                    {
                        first = image;
                        inputs = empty(new long[] { indices.Length, image.Channels, image.Height, image.Width });
                    }
                    else if (image.Height != first.Height || image.Width != first.Width || image.Channels != first.Channels)
                    {
                        throw new InvalidDataException($"{samples[(int)indices[i]].Path} becomes {image.Channels}x{image.Height}x{image.Width} but "
                            + $"{samples[(int)indices[0]].Path} becomes {first.Channels}x{first.Height}x{first.Width}; images in a batch must have one size: "
                            + "add Resize(height, width) (or Resize(size) then CenterCrop(size)) to the transforms.");
                    }
                    // Straight into the batch tensor's memory: no batch-sized array in between.
                    int length = image.Channels * image.Height * image.Width;
                    var target = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(inputs!.bytes).Slice(i * length, length);
                    if (image.Bytes is byte[] bytes)
                    {
                        tail.Write(bytes, image.Channels, image.Height, image.Width, flip, target);
                        if (head.ApplyToFileMakesOwnImage)
                            ImageBuffers.Return(bytes);
                    }
                    else
                        image.Pixels.AsSpan().CopyTo(target);
                }
            }
            catch
            {
                inputs?.Dispose();
                throw;
            }
            var targets = tensor(indices.Select(i => samples[(int)i].Label).ToArray());
            return (inputs!, targets);
        }

        // The pipeline split before its final [RandomHorizontalFlip,] ToTensor [, Normalize]: GetBatch does those in one
        // pass from the 8-bit image into the batch tensor, with exactly the values (and the random draw) they would give.
        sealed class FusedTail
        {
            // The 256 results of ToTensor (+ Normalize) per channel (one table for every channel without Normalize),
            // computed once per batch rather than once per image.
            readonly float[][] tables;

            FusedTail(RandomHorizontalFlip? flip, Normalize? normalize)
            {
                (Flip, Normalize) = (flip, normalize);
                tables = Enumerable.Range(0, normalize?.Mean.Length ?? 1)
                    .Select(c => Enumerable.Range(0, 256).Select(b => normalize == null ? b / 255f : (b / 255f - normalize.Mean[c]) / normalize.Std[c]).ToArray())
                    .ToArray();
            }

            public RandomHorizontalFlip? Flip { get; }
            public Normalize? Normalize { get; }

            public static (Transform Head, FusedTail Tail) Split(Transform transform)
            {
                var list = transform is Compose compose ? compose.Transforms.ToList() : new List<Transform> { transform };
                Normalize? normalize = null;
                if (list.Count >= 2 && list[^1] is Normalize last && list[^2] is ToTensor)
                {
                    normalize = last;
                    list.RemoveAt(list.Count - 1);
                }
                if (list.Count == 0 || list[^1] is not ToTensor)
                    return (transform, new FusedTail(null, null));
                list.RemoveAt(list.Count - 1);
                RandomHorizontalFlip? flip = null;
                if (list.Count >= 1 && list[^1] is RandomHorizontalFlip f)
                {
                    flip = f;
                    list.RemoveAt(list.Count - 1);
                }
                return (list.Count == 1 ? list[0] : new Compose(list.ToArray()), new FusedTail(flip, normalize));
            }

            // For a head that ended with a tensor image (a transform after ToTensor it could not see): the rest as usual.
            public ImageData Apply(ImageData image, Random random)
            {
                image = new ToTensor().Apply(image, random);
                return Normalize?.Apply(image, random) ?? image;
            }

            public void Write(byte[] bytes, int channels, int height, int width, bool flip, Span<float> target)
            {
                if (Normalize != null && Normalize.Mean.Length != channels)
                    throw new ArgumentException($"Normalize has {Normalize.Mean.Length} means for an image of {channels} channels; give one per channel (or set the folder's Channels).");
                for (int c = 0; c < channels; c++)
                {
                    var table = tables[Normalize == null ? 0 : c];
                    for (int y = 0; y < height; y++)
                    {
                        var source = new ReadOnlySpan<byte>(bytes, (c * height + y) * width, width);
                        var output = target.Slice((c * height + y) * width, width);
                        if (flip)
                            for (int x = 0; x < width; x++)
                                output[width - 1 - x] = table[source[x]];
                        else
                            for (int x = 0; x < width; x++)
                                output[x] = table[source[x]];
                    }
                }
            }
        }

        // A sample's random augmentation depends only on the run's seed, the epoch and the sample (SplitMix64).
        static int SampleSeed(BatchContext context, long index)
        {
            ulong z = unchecked((ulong)context.Seed * 0x9E3779B97F4A7C15UL ^ (ulong)context.Epoch * 0xBF58476D1CE4E5B9UL ^ (ulong)index * 0x94D049BB133111EBUL);
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
        }

        static void CheckMakesTensor(Transform transform, string name)
        {
            if (transform.MakesTensor != true)
                throw new ArgumentException($"The {name} must turn images into tensors: end it with ToTensor() (then Normalize(...) if wanted), as in torchvision.", name);
        }

        long[]? OutputShape(Transform transform, Dictionary<(int Height, int Width), string> sizes, string what)
        {
            var outputs = sizes.Select(s => (Size: transform.OutputSize(s.Key), File: s.Value, Input: s.Key)).ToList();
            var distinct = outputs.Select(o => o.Size).Distinct().ToList();
            if (distinct.Count > 1)
            {
                var a = outputs[0];
                var b = outputs.First(o => o.Size != a.Size);
                throw new InvalidDataException($"{Root} holds images of different sizes ({a.File} is {a.Input.Width}x{a.Input.Height}, {b.File} is {b.Input.Width}x{b.Input.Height}) "
                    + $"and the {what} does not give them one size; add Resize(height, width), or Resize(size) then CenterCrop(size), to it.");
            }
            return distinct.Count == 1 && distinct[0] is var (h, w) ? new long[] { Channels, h, w } : null;
        }
    }
}
