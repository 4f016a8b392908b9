using System;
using System.IO;
using System.Linq;
using CnnDsl.Data;
using CnnDsl.Runtime.Tests.Infrastructure;
using CnnDsl.Runtime.Tests.Models;
using CnnDsl.Training;
using CnnDsl.Vision;
using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Runtime.Tests;

/// <summary>Image folders on real image files written by the tests.</summary>
public class ImageFolderTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-images-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    string Root(string name) => Path.Combine(folder, name);

    [Fact]
    public void Every_format_decodes_to_its_pixels_and_classes_sort_by_name()
    {
        var root = Root("formats");
        var rgb = TestImages.Pattern(20, 12, seed: 2);
        var grey = rgb.Where((_, i) => i % 3 == 0).ToArray();
        TestImages.Write(Path.Combine(root, "b_png", "x.png"), rgb, 20, 12);
        TestImages.WriteBmp(Path.Combine(root, "a_bmp", "x.bmp"), rgb, 20, 12);
        Directory.CreateDirectory(Path.Combine(root, "C_gif"));
        TestImages.WriteGreyGif(Path.Combine(root, "C_gif", "x.gif"), grey, 20, 12);
        TestImages.Write(Path.Combine(root, "d_webp", "x.webp"), rgb, 20, 12, SKEncodedImageFormat.Webp);
        // JPEG subsamples colour: a smooth picture, so that lossy coding stays close to it.
        var smooth = TestImages.Pattern(20, 12, seed: 2, noise: 0);
        TestImages.Write(Path.Combine(root, "e_jpeg", "x.JPG"), smooth, 20, 12, SKEncodedImageFormat.Jpeg, quality: 100);
        File.WriteAllText(Path.Combine(root, "e_jpeg", "notes.txt"), "not an image");

        var images = new ImageFolder(root);
        // Ordinal order, as Python's sorted(): upper case first.
        Assert.Equal(new[] { "C_gif", "a_bmp", "b_png", "d_webp", "e_jpeg" }, images.ClassNames);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, images.Labels);
        Assert.Equal(new long[] { 3, 12, 20 }, images.SampleShape);
        var (x, y) = images.GetBatch(new long[] { 0, 1, 2, 3, 4 }, BatchContext.Evaluation);
        Assert.Equal(new long[] { 5, 3, 12, 20 }, x.shape);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, y.data<long>().ToArray());
        using var expected = tensor(rgb.Select(b => b / 255f).ToArray(), new long[] { 12, 20, 3 }).permute(2, 0, 1);
        Assert.True(Same(x[1], expected), "BMP pixels");
        Assert.True(Same(x[2], expected), "PNG pixels");
        Assert.True(Same(x[3], expected), "lossless WebP pixels");
        // JPEG is lossy (and subsamples colour): close on average, not exact.
        using var smoothExpected = tensor(smooth.Select(b => b / 255f).ToArray(), new long[] { 12, 20, 3 }).permute(2, 0, 1);
        float jpegError = (x[4] - smoothExpected).abs().mean().item<float>() * 255;
        Assert.True(jpegError < 6, $"JPEG pixels are off by {jpegError:0.0}/255 on average");
        using var greyExpected = tensor(grey.Select(b => b / 255f).ToArray(), new long[] { 1, 12, 20 }).expand(3, 12, 20);
        Assert.True(Same(x[0], greyExpected), "GIF grey pixels, repeated to three channels");

        // One channel: the colour images through PIL's luma weights, the grey GIF as it is.
        var greyImages = new ImageFolder(root, channels: 1);
        var (g, _) = greyImages.GetBatch(new long[] { 0, 2 }, BatchContext.Evaluation);
        Assert.Equal(new long[] { 2, 1, 12, 20 }, g.shape);
        Assert.True(Same(g[0], greyExpected.narrow(0, 0, 1)));
        int r = rgb[0], gr = rgb[1], b = rgb[2];
        Assert.Equal(((r * 19595 + gr * 38470 + b * 7471 + 0x8000) >> 16) / 255f, g[1, 0, 0, 0].item<float>());
    }

    [TorchVisionFact]
    public void Classes_and_sample_order_are_torchvisions()
    {
        var root = Root("order");
        foreach (var (cls, file) in new[] { ("dog", "b.png"), ("dog", "a.png"), ("Cat", "z.png"), ("cat", "sub/c.png"), ("cat", "B.png") })
            TestImages.Write(Path.Combine(root, cls, file), TestImages.Pattern(4, 4, 1), 4, 4);
        var script = "from torchvision.datasets import ImageFolder\nd = ImageFolder('order')\nprint(d.classes)\nfor p, l in d.samples: print(p, l)\n";
        var expected = TorchVisionOracle.RunScript(script, folder).Trim().Split('\n');
        var images = new ImageFolder(root);
        Assert.Equal(expected[0], "[" + string.Join(", ", images.ClassNames.Select(c => $"'{c}'")) + "]");
        Assert.Equal(expected.Skip(1), images.Samples.Select(s => $"{Path.GetRelativePath(folder, s.Path)} {s.Label}"));
    }

    [Fact]
    public void Bad_folders_and_files_are_errors_that_say_what_to_do()
    {
        var empty = Root("empty");
        Directory.CreateDirectory(empty);
        Assert.StartsWith($"{empty} has no class folders; ImageFolder expects one sub-folder per class",
            Assert.Throws<InvalidDataException>(() => new ImageFolder(empty)).Message);

        var root = Root("bad");
        TestImages.Write(Path.Combine(root, "a", "1.png"), TestImages.Pattern(8, 8, 1), 8, 8);
        Directory.CreateDirectory(Path.Combine(root, "b"));
        File.WriteAllText(Path.Combine(root, "b", "readme.txt"), "no images here");
        Assert.Equal($"The class folder {Path.Combine(root, "b")} has no images (.png, .jpg, .jpeg, .bmp, .gif, .webp); add images of that class or remove the folder.",
            Assert.Throws<InvalidDataException>(() => new ImageFolder(root)).Message);

        // A corrupt file: named, with the decoder's complaint; Skip leaves it out and says so.
        var corrupt = Path.Combine(root, "b", "2.png");
        File.WriteAllBytes(corrupt, new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3, 4, 5 });
        TestImages.Write(Path.Combine(root, "b", "3.png"), TestImages.Pattern(8, 8, 2), 8, 8);
        var error = Assert.Throws<InvalidDataException>(() => new ImageFolder(root)).Message;
        Assert.StartsWith($"{corrupt} cannot be decoded as an image: the decoder says ", error);
        var skipping = new ImageFolder(root, onBadImage: BadImagePolicy.Skip);
        Assert.Equal(2, skipping.Count);
        var (path, problem) = Assert.Single(skipping.Skipped);
        Assert.Equal(corrupt, path);
        Assert.StartsWith(corrupt, problem);

        // A truncated file has a good header: its missing end is found when the folder is opened, naming the file,
        // rather than part-way through the first epoch.
        var png = File.ReadAllBytes(Path.Combine(root, "b", "3.png"));
        File.WriteAllBytes(corrupt, png[..(png.Length / 2)]);
        Assert.Equal($"{corrupt} is truncated or damaged: no IEND chunk at its end; its header says 8x8, but the rest of the image is missing.",
            Assert.Throws<InvalidDataException>(() => new ImageFolder(root)).Message);
        // Skip decodes every file, and leaves this one out.
        Assert.Equal(corrupt, Assert.Single(new ImageFolder(root, onBadImage: BadImagePolicy.Skip).Skipped).Path);
        File.Delete(corrupt);
        foreach (var (format, name, complaint) in new[] { (SKEncodedImageFormat.Jpeg, "5.jpg", "no JPEG end-of-image marker (FF D9) at its end"), (SKEncodedImageFormat.Webp, "6.webp", "its header declares") })
        {
            var whole = Path.Combine(root, "b", name);
            TestImages.Write(whole, TestImages.Pattern(8, 8, 5), 8, 8, format);
            var bytes = File.ReadAllBytes(whole);
            new ImageFolder(root);
            File.WriteAllBytes(whole, bytes[..(bytes.Length - 40)]);
            Assert.StartsWith($"{whole} is truncated or damaged: {complaint}", Assert.Throws<InvalidDataException>(() => new ImageFolder(root)).Message);
            File.Delete(whole);
        }

        // Mixed sizes need a Resize.
        TestImages.Write(Path.Combine(root, "b", "4.png"), TestImages.Pattern(10, 6, 3), 10, 6);
        error = Assert.Throws<InvalidDataException>(() => new ImageFolder(root)).Message;
        Assert.Contains("holds images of different sizes", error);
        Assert.EndsWith("and the transform does not give them one size; add Resize(height, width), or Resize(size) then CenterCrop(size), to it.", error);
        var resized = new ImageFolder(root, new Compose(new Resize(8, 8), new ToTensor()));
        Assert.Equal(new long[] { 3, 8, 8 }, resized.SampleShape);
        Assert.Contains("end it with ToTensor()", Assert.Throws<ArgumentException>(() => new ImageFolder(root, new Resize(8, 8))).Message);

        // The model's input shape against the pipeline's output, when training starts.
        using var model = CnnModel.Create<TinyCnn>(1);
        Assert.StartsWith("TinyCnn takes inputs of shape (1, 28, 28), but the training data gives (3, 8, 8)",
            Assert.Throws<ArgumentException>(() => model.Fit(resized, new FitOptions { Progress = ProgressMode.None, Device = CPU })).Message);
    }

    [Fact]
    public void Augmented_batches_repeat_with_the_seed_differ_per_epoch_and_do_not_depend_on_workers()
    {
        var root = Root("augment");
        for (int i = 0; i < 24; i++)
            TestImages.Write(Path.Combine(root, $"class{i % 3}", $"{i}.png"), TestImages.Pattern(40, 30, i), 40, 30);
        var transform = new Compose(new Resize(32), new RandomResizedCrop(24), new RandomHorizontalFlip(), new ColorJitter(0.3, 0.3, 0.3), new ToTensor(), Normalize.ImageNet);
        var images = new ImageFolder(root, transform);
        Assert.Equal(new long[] { 3, 24, 24 }, images.SampleShape);
        Tensor[] Epoch(int workers, int seed, int epoch) =>
            new BatchLoader(images, 5, shuffle: true, seed: seed, workers: workers).Epoch(epoch).Select(b => b.Inputs.clone()).ToArray();
        var here = Epoch(0, 7, 1);
        var ahead = Epoch(2, 7, 1);
        Assert.Equal(5, here.Length);
        for (int b = 0; b < here.Length; b++)
            Assert.True(Same(here[b], ahead[b]), $"batch {b} differs between 0 and 2 workers");
        var again = Epoch(2, 7, 1);
        Assert.True(Same(here[0], again[0]));
        // Another epoch: another order and other augmentations of the same images.
        var next = new BatchLoader(images, 24, seed: 7).Epoch(2).Single().Inputs.clone();
        var first = new BatchLoader(images, 24, seed: 7).Epoch(1).Single().Inputs.clone();
        Assert.False(Same(first, next));
        // Evaluation batches are not augmented: the same in every epoch, and Resize(24) + CenterCrop(24) of the image.
        var evaluation = new BatchLoader(images, 24, seed: 7).Epoch(1, training: false).Single().Inputs.clone();
        Assert.True(Same(evaluation, new BatchLoader(images, 24, seed: 8).Epoch(5, training: false).Single().Inputs));
        var expected = new Compose(new Resize(32), new Resize(24), new CenterCrop(24), new ToTensor(), Normalize.ImageNet)
            .Apply(ImageData.Decode(images.Samples[0].Path), new Random(0));
        Assert.Equal(expected.Pixels, evaluation[0].flatten().data<float>().ToArray());
    }

    [Fact]
    public void A_batch_holds_exactly_what_each_sample_gives_through_the_whole_pipeline()
    {
        // The loader decodes only the crop's box, resamples from the decoder's pixels, reuses the crops' memory and
        // flips while it writes the batch: each row must still be the pipeline's result for that sample, grey and RGB.
        var root = Root("fused");
        for (int i = 0; i < 12; i++)
        {
            var rgb = TestImages.Pattern(90 + 7 * i, 70 + 5 * i, i);
            var path = Path.Combine(root, $"class{i % 2}", $"{i:D2}.jpg");
            if (i % 4 == 3)
                TestImages.WriteGrey(path, Enumerable.Range(0, rgb.Length / 3).Select(p => rgb[3 * p]).ToArray(), 90 + 7 * i, 70 + 5 * i, SkiaSharp.SKEncodedImageFormat.Jpeg);
            else
                TestImages.Write(path, rgb, 90 + 7 * i, 70 + 5 * i, SkiaSharp.SKEncodedImageFormat.Jpeg, quality: 90);
        }
        foreach (var transform in new Transform[]
        {
            new Compose(new RandomResizedCrop(40), new RandomHorizontalFlip(), new ToTensor(), Normalize.ImageNet),
            new Compose(new RandomResizedCrop(36, 44), new RandomHorizontalFlip(0.7), new ToTensor()),
            new Compose(new CenterCrop(60), new RandomHorizontalFlip(), new ToTensor(), new RandomRotation(15)),
        })
        {
            var images = new ImageFolder(root, transform);
            var context = new BatchContext(Training: true, Seed: 5, Epoch: 2);
            var indices = Enumerable.Range(0, 12).Select(i => (long)i).ToArray();
            for (int pass = 0; pass < 2; pass++)   // the second pass reads into reused crop memory
            {
                var (inputs, _) = images.GetBatch(indices, context);
                using (inputs)
                    for (int i = 0; i < indices.Length; i++)
                        Assert.Equal(images.Load(indices[i], context).Pixels, inputs[i].flatten().data<float>().ToArray());
            }
        }
    }

    [Fact]
    public void A_folder_larger_than_the_memory_budget_streams_through_the_loader()
    {
        // 120 PNGs of 400x400 RGB decode to 120 x 1.92 MB = 230 MB of float pixels; live managed memory must stay
        // under a 40 MB budget while every batch is read, so nothing decoded is kept.
        const long Budget = 40L << 20;
        var root = Root("large");
        var rgb = TestImages.Pattern(400, 400, 1, noise: 3);
        for (int i = 0; i < 120; i++)
            TestImages.Write(Path.Combine(root, $"c{i % 2}", $"{i:D3}.png"), rgb, 400, 400);
        var images = new ImageFolder(root, new Compose(new Resize(32, 32), new ToTensor()));
        long decodedBytes = images.Count * 3 * 400 * 400 * sizeof(float);
        Assert.True(decodedBytes > 5 * Budget);
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0, seen = 0;
        foreach (var (x, y) in new BatchLoader(images, 12, shuffle: true, seed: 1, workers: 2).Epoch(1))
        {
            seen += x.shape[0];
            peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
        }
        Assert.Equal(120, seen);
        Assert.True(peak < Budget, $"live managed memory grew by {peak >> 20} MB reading a folder of {decodedBytes >> 20} MB decoded");
    }

    [Fact]
    public void Fit_trains_on_an_image_folder_with_workers_and_predicts_its_class_names()
    {
        // Bright or dark 16x16 grey pictures with noise; the model sees them at 28x28.
        var root = Root("bright");
        var random = new Random(3);
        for (int i = 0; i < 80; i++)
        {
            bool bright = i % 2 == 0;
            var grey = Enumerable.Range(0, 256).Select(_ => (byte)Math.Clamp((bright ? 170 : 80) + random.Next(-60, 61), 0, 255)).ToArray();
            TestImages.WriteGrey(Path.Combine(root, bright ? "bright" : "dark", $"{i}.png"), grey, 16, 16);
        }
        var images = new ImageFolder(root, new Compose(new Resize(28, 28), new RandomHorizontalFlip(), new ToTensor()), channels: 1);
        using var model = CnnModel.Create<TinyCnn>(5);
        var history = model.Fit(images, new FitOptions { Epochs = 3, BatchSize = 16, Seed = 5, Workers = 2, ValidationSplit = 0.25, Progress = ProgressMode.None, Device = CPU });
        Assert.True(history.Epochs[^1].ValidationAccuracy >= 0.9, $"validation accuracy {history.Epochs[^1].ValidationAccuracy}");
        Assert.All(history.Epochs, e => Assert.True(e.DataWaitSeconds > 0 && e.DataWaitSeconds < e.Seconds));
        Assert.Equal(new[] { "bright", "dark" }, model.ClassNames());
        var (inputs, _) = images.GetBatch(new long[] { 0, 79 }, BatchContext.Evaluation);
        Assert.Equal(new[] { images.ClassNames[(int)images.Labels[0]], images.ClassNames[(int)images.Labels[79]] }, model.PredictClasses(inputs));
        // Predicting from the folder reads it with the evaluation transforms (no flips): the same as from its decoded images.
        using var fromFolder = model.Predict(images.Subset(new long[] { 0, 79 }));
        using var fromTensor = model.Predict(inputs);
        Assert.True(fromFolder.allclose(fromTensor));
    }
}
