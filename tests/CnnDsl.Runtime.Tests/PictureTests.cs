using System;
using System.IO;
using System.Linq;
using CnnDsl.Data;
using CnnDsl.Plots;
using CnnDsl.Runtime.Tests.Models;
using CnnDsl.Training;
using CnnDsl.Vision;
using CnnDsl.Weights;
using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Runtime.Tests;

/// <summary>Pictures are checked for what they show: decoded from the PNG files and compared with the data drawn.</summary>
public class PictureTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-pictures-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static SKColor Pixel(SKBitmap bitmap, int x, int y) => bitmap.GetPixel(x, y);

    static int Distance(SKColor a, SKColor b) => Math.Abs(a.Red - b.Red) + Math.Abs(a.Green - b.Green) + Math.Abs(a.Blue - b.Blue);

    [Fact]
    public void Training_curves_mark_the_early_stopping_epoch_at_its_x_position()
    {
        var history = new History();
        double[] losses = { 1.0, 0.7, 0.5, 0.55, 0.6, 0.7 };
        for (int e = 1; e <= 6; e++)
            history.Epochs.Add(new EpochMetrics(e, losses[e - 1], 0.5 + e * 0.05, losses[e - 1] + 0.1, 0.5 + e * 0.04, 1e-3, 1, 100));
        var path = Path.Combine(folder, "curves.png");
        var layout = TrainingCurves.Save(history, path, markedEpoch: 3, "best epoch (weights restored)");
        using var bitmap = SKBitmap.Decode(path);
        Assert.Equal((1000, 400), (bitmap.Width, bitmap.Height));
        bool IsMarker(SKColor c) => c.Red > 180 && c.Green < 90 && c.Blue < 90;
        int ColumnWithMostMarker(int from, int to) => Enumerable.Range(from, to - from)
            .OrderByDescending(x => Enumerable.Range(0, bitmap.Height).Count(y => IsMarker(Pixel(bitmap, x, y)))).First();
        double expected = layout.DataLeft + (3 - layout.EpochMin) / (layout.EpochMax - layout.EpochMin) * (layout.DataRight - layout.DataLeft);
        int found = ColumnWithMostMarker(0, 500);
        Assert.InRange(found, expected - 1.5, expected + 1.5);
        Assert.True(Enumerable.Range(0, bitmap.Height).Count(y => IsMarker(Pixel(bitmap, found, y))) > 150, "the marker is a line across the data area");
        // The accuracy panel on the right carries the same marker.
        int right = ColumnWithMostMarker(500, 1000);
        Assert.True(Enumerable.Range(0, bitmap.Height).Count(y => IsMarker(Pixel(bitmap, right, y))) > 150);
        Assert.InRange(right - 500, found - 3, found + 3);
    }

    [Fact]
    public void A_confusion_matrix_shows_the_counts_in_its_cells()
    {
        long[] truth = { 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 0 };
        long[] predicted = { 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 0, 1, 2 };
        var matrix = new ConfusionMatrix(truth, predicted, new[] { "cat", "dog", "bird" });
        Assert.Equal(new long[,] { { 3, 1, 1 }, { 0, 2, 1 }, { 1, 1, 4 } }, matrix.Counts);
        Assert.Equal(9.0 / 14, matrix.Accuracy, 10);
        var path = Path.Combine(folder, "confusion.png");
        var layout = matrix.SavePng(path);
        using var bitmap = SKBitmap.Decode(path);
        for (int row = 0; row < 3; row++)
            for (int column = 0; column < 3; column++)
            {
                var cell = layout.Tiles[row * 3 + column];
                // Away from the count's text in the middle: the fill alone, which encodes count / max on viridis.
                var color = Pixel(bitmap, cell.Left + 4, cell.Top + 4);
                Assert.Equal(ConfusionMatrix.CellColor(matrix[row, column], 4), color);
                long shown = Enumerable.Range(0, 5).OrderBy(k => Distance(ConfusionMatrix.CellColor(k, 4), color)).First();
                Assert.Equal(matrix[row, column], shown);
            }
        // The title, wider than three cells, is drawn whole: its ink starts and ends inside the picture.
        // Above the cells only the title has ink.
        var titleInk = Enumerable.Range(0, bitmap.Width).Where(x => Enumerable.Range(0, layout.Tiles[0].Top - 2).Any(y => Pixel(bitmap, x, y).Red < 128)).ToList();
        Assert.True(titleInk.Max() - titleInk.Min() > layout.Tiles[2].Right - layout.Tiles[0].Left + 100, "the title is longer than the cells are wide");
        Assert.True(titleInk.Min() > 4 && titleInk.Max() < bitmap.Width - 4, $"the title runs from x = {titleInk.Min()} to {titleInk.Max()} of {bitmap.Width}");
    }

    [Fact]
    public void Feature_map_tiles_equal_the_normalised_activations_and_filters_are_drawn_per_filter()
    {
        using var model = CnnModel.Create<TinyCnn>(3);
        using var x = rand(1, 1, 28, 28);
        var handle = new LayerHandle("conv2d_1", new long[] { 16, 14, 14 });
        var activations = model.Activations(x, handle);
        var activation = activations[0];
        Assert.Equal(new long[] { 1, 16, 14, 14 }, activation.shape);
        var path = Path.Combine(folder, "features.png");
        var layout = ImageGrid.SaveFeatureMaps(activation, path, columns: 4, scale: 3, colormap: Colormap.Grey);
        Assert.Equal(16, layout.Tiles.Count);
        using var bitmap = SKBitmap.Decode(path);
        for (int c = 0; c < 16; c++)
        {
            var values = activation[0, c].data<float>().ToArray();
            float min = values.Min(), max = values.Max();
            var tile = layout.Tiles[c];
            for (int y = 0; y < 14; y++)
                for (int xx = 0; xx < 14; xx++)
                {
                    byte expected = (byte)Math.Round(255 * (values[y * 14 + xx] - min) / (max - min));
                    var pixel = Pixel(bitmap, tile.Left + xx * 3 + 1, tile.Top + y * 3 + 1);
                    Assert.True(Math.Abs(pixel.Red - expected) <= 1 && pixel.Red == pixel.Green, $"channel {c} ({xx}, {y}): {pixel.Red} shown for {expected}");
                }
        }
        // Viridis, the default: each value's colour on matplotlib's map.
        var viridis = ImageGrid.SaveFeatureMaps(activation, Path.Combine(folder, "viridis.png"), columns: 4, scale: 3);
        using (var coloured = SKBitmap.Decode(Path.Combine(folder, "viridis.png")))
        {
            var values = activation[0, 5].data<float>().ToArray();
            float min = values.Min(), max = values.Max();
            for (int p = 0; p < values.Length; p += 7)
            {
                var (r, g, b) = ImageGrid.Viridis((float)Math.Round(255 * (values[p] - min) / (max - min)) / 255f);
                var pixel = Pixel(coloured, viridis.Tiles[5].Left + p % 14 * 3 + 1, viridis.Tiles[5].Top + p / 14 * 3 + 1);
                Assert.True(Distance(new SKColor(r, g, b), pixel) <= 6, $"({p % 14}, {p / 14}): {pixel} shown for viridis {r},{g},{b}");
            }
        }
        Assert.Throws<InvalidOperationException>(() => model.Activations(x, new LayerHandle("conv2d_1", new long[] { 32, 14, 14 })));
        Assert.StartsWith("TinyCnn has no layer 'conv3'; its layers are 'conv2d', ", Assert.Throws<ArgumentException>(() => model.Activations(x, "conv3")).Message);

        var filters = ImageGrid.SaveFilters(model.state_dict()["conv2d.weight"], Path.Combine(folder, "filters.png"), scale: 5);
        Assert.Equal(8, filters.Tiles.Count);
        using var drawn = SKBitmap.Decode(Path.Combine(folder, "filters.png"));
        var weights = model.state_dict()["conv2d.weight"][0, 0].data<float>().ToArray();
        int brightest = Array.IndexOf(weights, weights.Max()), darkest = Array.IndexOf(weights, weights.Min());
        Assert.Equal(255, Pixel(drawn, filters.Tiles[0].Left + brightest % 3 * 5 + 2, filters.Tiles[0].Top + brightest / 3 * 5 + 2).Red);
        Assert.Equal(0, Pixel(drawn, filters.Tiles[0].Left + darkest % 3 * 5 + 2, filters.Tiles[0].Top + darkest / 3 * 5 + 2).Red);
    }

    [Fact]
    public void A_sample_grid_shows_the_images_and_frames_the_mistakes()
    {
        using var images = rand(4, 3, 10, 12);
        var path = Path.Combine(folder, "samples.png");
        var layout = ImageGrid.SaveSamples(images, new long[] { 0, 1, 2, 1 }, new long[] { 0, 2, 2, 1 }, new[] { "cat", "dog", "bird" }, path, columns: 2, scale: 2);
        using var bitmap = SKBitmap.Decode(path);
        for (int i = 0; i < 4; i++)
        {
            var tile = layout.Tiles[i];
            var pixel = Pixel(bitmap, tile.Left + 2 * 5, tile.Top + 2 * 7);
            Assert.Equal((byte)Math.Round(255 * images[i, 1, 7, 5].item<float>()), pixel.Green);
            var frame = Pixel(bitmap, tile.Left - 2, tile.Top + tile.Height / 2);
            bool red = frame.Red > 180 && frame.Green < 80;
            Assert.Equal(i == 1, red);
        }
    }

    [Fact]
    public void Normalised_images_are_drawn_with_their_own_pixels_and_never_clamped_into_a_wrong_picture()
    {
        manual_seed(6);
        using var images = rand(4, 3, 10, 12);
        var normalization = Normalize.ImageNet;
        using var mean = tensor(normalization.Mean).reshape(1, 3, 1, 1);
        using var std = tensor(normalization.Std).reshape(1, 3, 1, 1);
        using var normalised = (images - mean) / std;
        using (var undone = normalization.Undo(normalised))
            Assert.True(undone.allclose(images, atol: 1e-6));
        var path = Path.Combine(folder, "normalised-samples.png");
        var layout = ImageGrid.SaveSamples(normalised, new long[] { 0, 1, 2, 1 }, null, new[] { "cat", "dog", "bird" }, path, columns: 2, scale: 2, normalization: normalization);
        using var bitmap = SKBitmap.Decode(path);
        for (int i = 0; i < 4; i++)
        {
            var pixel = Pixel(bitmap, layout.Tiles[i].Left + 2 * 5, layout.Tiles[i].Top + 2 * 7);
            // The tile's pixel is the source image's, within rounding to 8 bits.
            Assert.InRange(pixel.Red, (byte)Math.Round(255 * images[i, 0, 7, 5].item<float>()) - 1, (byte)Math.Round(255 * images[i, 0, 7, 5].item<float>()) + 1);
            Assert.InRange(pixel.Blue, (byte)Math.Round(255 * images[i, 2, 7, 5].item<float>()) - 1, (byte)Math.Round(255 * images[i, 2, 7, 5].item<float>()) + 1);
        }
        Assert.Equal(new[] { "cat", "dog", "bird", "dog" }, layout.Captions);
        // Without the normalisation the values are not pixels: an error that says what to pass, not a dark picture.
        var error = Assert.Throws<ArgumentException>(() => ImageGrid.SaveSamples(normalised, new long[] { 0, 1, 2, 1 }, null, null, path));
        Assert.Contains("they look normalised; pass the normalisation to undo", error.Message);
        // An image folder knows its normalisation from its evaluation transforms.
        Assert.Equal(normalization.Std, Normalize.In(new Compose(new Resize(8, 8), new ToTensor(), normalization))!.Std);
        Assert.Null(Normalize.In(new Compose(new ToTensor())));
    }

    [Fact]
    public void A_grad_cam_map_without_positive_evidence_is_flagged_on_its_tile_and_in_the_layout()
    {
        using var images = rand(3, 1, 8, 8);
        using var heat = stack(new[] { rand(8, 8), zeros(8, 8), rand(8, 8) });
        var path = Path.Combine(folder, "no-evidence.png");
        var layout = ImageGrid.SaveGradCam(images, heat, path);
        Assert.Equal(new[] { "input", "Grad-CAM", "input", "no positive evidence", "input", "Grad-CAM" }, layout.Captions);
        Assert.Equal(new[] { 1 }, layout.NoPositiveEvidence);
        using var bitmap = SKBitmap.Decode(path);
        // The blank map's overlay is framed in orange; the others have no frame (white gap).
        static bool Orange(SKColor c) => c.Red > 200 && c.Green is > 100 and < 180 && c.Blue < 60;
        SKColor FrameOf(int tile) => Pixel(bitmap, layout.Tiles[tile].Left - 2, layout.Tiles[tile].Top + layout.Tiles[tile].Height / 2);
        Assert.True(Orange(FrameOf(3)), $"frame of the blank map drawn as {FrameOf(3)}");
        Assert.Equal(SKColors.White, FrameOf(1));
        Assert.Equal(SKColors.White, FrameOf(5));
        // The caption is drawn in full: its cell is as wide as its text, so dark text pixels reach past the tile's width.
        var captionRow = Enumerable.Range(layout.Tiles[3].Bottom + 2, 14);
        int rightmostInk = Enumerable.Range(layout.Tiles[3].Left, bitmap.Width - layout.Tiles[3].Left)
            .Where(x => captionRow.Any(y => Pixel(bitmap, x, y).Red < 128)).Max();
        Assert.True(rightmostInk > layout.Tiles[3].Right + 20, "the caption is wider than the tile and drawn whole");
        Assert.True(rightmostInk < bitmap.Width - 2, "the caption ends inside the picture");
    }

    [Fact]
    public void Grad_cam_and_samples_given_the_model_are_drawn_with_the_normalisation_and_class_names_its_weights_carry()
    {
        manual_seed(11);
        // Source pixels on the 8-bit grid, so that the PNG can show them exactly.
        using var images = randint(0, 256, new long[] { 2, 3, 32, 32 }).to_type(ScalarType.Float32) / 255;
        var normalization = new Normalize(new[] { 0.3f, 0.5f, 0.2f }, new[] { 0.2f, 0.25f, 0.3f });
        using var normalised = normalization.Apply(images);
        var names = new[] { "T-Shirt", "Hose", "Pullover", "Kleid", "Mantel", "Sandale", "Hemd", "Turnschuh", "Tasche", "Stiefel" };
        var weights = Path.Combine(folder, "cifar.safetensors");
        using (var trained = CnnModel.Create<CifarCnn>(3))
        {
            trained.Facts = trained.Facts with { ClassNames = names, Normalization = InputNormalization.From(normalization) };
            trained.SaveSafeTensors(weights);
        }
        using var model = CnnModel.Create<CifarCnn>(4);
        model.LoadSafeTensors(weights);
        using var heat = model.GradCam(normalised, new LayerHandle("conv2d_2", new long[] { 64, 8, 8 }, "relu"));

        var path = Path.Combine(folder, "gradcam-from-facts.png");
        var layout = ImageGrid.SaveGradCam(model, normalised, heat, path, scale: 2);
        using var bitmap = SKBitmap.Decode(path);
        var source = images.mul(255).round().to_type(ScalarType.Int32);
        for (int i = 0; i < 2; i++)
        {
            var tile = layout.Tiles[2 * i];
            for (int y = 0; y < 32; y++)
                for (int x = 0; x < 32; x++)
                {
                    var pixel = Pixel(bitmap, tile.Left + 2 * x, tile.Top + 2 * y);
                    int[] expected = { source[i, 0, y, x].item<int>(), source[i, 1, y, x].item<int>(), source[i, 2, y, x].item<int>() };
                    Assert.True(Math.Abs(pixel.Red - expected[0]) <= 1 && Math.Abs(pixel.Green - expected[1]) <= 1 && Math.Abs(pixel.Blue - expected[2]) <= 1,
                        $"image {i} ({x}, {y}): {pixel} drawn for ({string.Join(", ", expected)})");
                }
        }

        // The sample grid asks the model for predictions and names them with its class names.
        model.eval();
        long[] predicted;
        using (no_grad())
        using (var output = model.call(normalised))
            predicted = output.argmax(1).data<long>().ToArray();
        long[] truth = { predicted[0], (predicted[1] + 1) % 10 };
        var samples = ImageGrid.SaveSamples(model, normalised, truth, Path.Combine(folder, "samples-from-facts.png"), scale: 1);
        Assert.Equal(new[] { names[predicted[0]], $"{names[truth[1]]} -> {names[predicted[1]]}" }, samples.Captions);
        using var drawn = SKBitmap.Decode(Path.Combine(folder, "samples-from-facts.png"));
        Assert.Equal(source[1, 2, 5, 7].item<int>(), Pixel(drawn, samples.Tiles[1].Left + 7, samples.Tiles[1].Top + 5).Blue, 1.0);

        // Without facts or an argument, normalised images are an error rather than a clamped picture.
        using var untrained = CnnModel.Create<CifarCnn>(5);
        var error = Assert.Throws<ArgumentException>(() => ImageGrid.SaveGradCam(untrained, normalised, heat, path));
        Assert.Contains("pass the normalisation to undo", error.Message);
    }

    [Fact]
    public void Normalize_has_an_inverse_for_images_and_tensors_and_a_normalised_image_file_is_saved_with_its_pixels()
    {
        var normalization = new Normalize(new[] { 0.3f, 0.5f, 0.2f }, new[] { 0.2f, 0.25f, 0.3f });
        var bytes = Enumerable.Range(0, 3 * 6 * 5).Select(i => (byte)(i * 37 % 256)).ToArray();
        var original = new ImageData(3, 6, 5, bytes);
        var normalised = new Compose(new ToTensor(), normalization).Apply(original, new Random(0));
        Assert.True(normalised.Pixels.Min() < -1 && normalised.Pixels.Max() > 1.5, "the normalised image leaves [0, 1]");

        // The inverse transform, on the image and on a tensor of it, gives back the pixels.
        var restored = normalization.Inverse().Apply(normalised, new Random(0));
        for (int i = 0; i < bytes.Length; i++)
            Assert.Equal(bytes[i] / 255f, restored.Pixels[i], 5);
        using (var asTensor = tensor(normalised.Pixels, new long[] { 1, 3, 6, 5 }))
        using (var back = normalization.Inverse().Apply(asTensor))
        using (var undone = normalization.Undo(asTensor))
        using (var expected = tensor(bytes.Select(b => b / 255f).ToArray(), new long[] { 1, 3, 6, 5 }))
        {
            Assert.True(back.allclose(expected, atol: 1e-5));
            Assert.True(undone.allclose(expected, atol: 1e-5));
        }

        var path = Path.Combine(folder, "normalised.png");
        var error = Assert.Throws<ArgumentException>(() => normalised.SavePng(path));
        Assert.Contains("pass the normalisation it went through", error.Message);
        Assert.False(File.Exists(path));
        normalised.SavePng(path, normalization);
        using var bitmap = SKBitmap.Decode(path);
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 5; x++)
            {
                var pixel = Pixel(bitmap, x, y);
                Assert.Equal(new[] { bytes[y * 5 + x], bytes[30 + y * 5 + x], bytes[60 + y * 5 + x] }, new[] { pixel.Red, pixel.Green, pixel.Blue });
            }
    }

    // A bright 7x7 patch at a random place in quadrant `quadrant` of a noisy 28x28 picture (no patch for -1).
    static void DrawPatch(float[] pixels, int offset, int quadrant, Random random)
    {
        for (int p = 0; p < 784; p++)
            pixels[offset + p] = (float)random.NextDouble() * 0.3f;
        if (quadrant < 0)
            return;
        int top = (quadrant / 2) * 14 + random.Next(0, 8), left = (quadrant % 2) * 14 + random.Next(0, 8);
        for (int y = top; y < top + 7; y++)
            for (int x = left; x < left + 7; x++)
                pixels[offset + y * 28 + x] = 0.8f + (float)random.NextDouble() * 0.2f;
    }

    // The share of each map's heat in the given quadrant, averaged, and how often that quadrant is the hottest.
    static (double Share, int Hottest) InQuadrant(Tensor heat, int[] quadrants)
    {
        double share = 0;
        int hottest = 0;
        for (int i = 0; i < quadrants.Length; i++)
        {
            var map = heat[i];
            double total = map.sum().item<float>();
            var sums = Enumerable.Range(0, 4).Select(q => (double)map.narrow(0, (q / 2) * 14, 14).narrow(1, (q % 2) * 14, 14).sum().item<float>()).ToArray();
            share += sums[quadrants[i]] / total / quadrants.Length;
            hottest += Array.IndexOf(sums, sums.Max()) == quadrants[i] ? 1 : 0;
        }
        return (share, hottest);
    }

    [Fact]
    public void Grad_cam_looks_at_the_bright_patch_that_decides_the_class()
    {
        // Class 1: a bright patch in some quadrant; class 0: noise only. Global average pooling before the classifier.
        static (Dataset Data, int[] Quadrants) Patches(int count, int seed)
        {
            var random = new Random(seed);
            var pixels = new float[count * 784];
            var labels = new long[count];
            var quadrants = new int[count];
            for (int i = 0; i < count; i++)
            {
                labels[i] = i % 2;
                quadrants[i] = random.Next(4);
                DrawPatch(pixels, i * 784, labels[i] == 1 ? quadrants[i] : -1, random);
            }
            return (new Dataset(tensor(pixels, new long[] { count, 1, 28, 28 }), tensor(labels)), quadrants);
        }
        var (train, _) = Patches(600, 1);
        var (test, quadrants) = Patches(80, 2);
        using (train)
        using (test)
        {
            using var model = CnnModel.Create<PatchCnn>(4);
            model.Fit(train, new FitOptions { Epochs = 3, BatchSize = 32, Seed = 4, Progress = ProgressMode.None, Device = CPU });
            Assert.True(model.Evaluate(test).Accuracy > 0.9);
            var positives = Enumerable.Range(0, 80).Where(i => i % 2 == 1).Select(i => (long)i).ToArray();
            using var inputs = test.Inputs.index_select(0, tensor(positives));
            using var heat = model.GradCam(inputs, new LayerHandle("conv2d_1", new long[] { 32, 14, 14 }, "relu"), classes: positives.Select(_ => 1L).ToArray());
            Assert.Equal(new long[] { 40, 28, 28 }, heat.shape);
            Assert.InRange(heat.min().item<float>(), 0, 1);
            var (share, hottest) = InQuadrant(heat, positives.Select(i => quadrants[i]).ToArray());
            Assert.True(share > 0.6, $"on average {share:P0} of the heat lies in the patch's quadrant");
            Assert.True(hottest >= 36, $"the hottest quadrant is the patch's for {hottest} of 40 pictures");

            var path = Path.Combine(folder, "gradcam.png");
            var layout = ImageGrid.SaveGradCam(inputs.narrow(0, 0, 2), heat.narrow(0, 0, 2), path);
            Assert.Equal(4, layout.Tiles.Count);
            using var bitmap = SKBitmap.Decode(path);
            // The hottest point of the first map is drawn in the overlay's warm end: more red than blue.
            var values = heat[0].data<float>().ToArray();
            int point = Array.IndexOf(values, values.Max());
            var overlay = Pixel(bitmap, layout.Tiles[1].Left + point % 28 * 4 + 1, layout.Tiles[1].Top + point / 28 * 4 + 1);
            Assert.True(overlay.Red > overlay.Blue + 60, $"hottest point drawn as {overlay}");
        }
    }

    [Fact]
    public void HiResCam_finds_the_quadrant_that_decides_the_class_behind_a_dense_head()
    {
        // Four classes: the quadrant of the patch. Flatten + dense sees where things are; per-position weights follow it.
        var random = new Random(1);
        Dataset Quadrants(int count)
        {
            var pixels = new float[count * 784];
            for (int i = 0; i < count; i++)
                DrawPatch(pixels, i * 784, i % 4, random);
            return new Dataset(tensor(pixels, new long[] { count, 1, 28, 28 }), tensor(Enumerable.Range(0, count).Select(i => (long)(i % 4)).ToArray()));
        }
        using var train = Quadrants(600);
        using var test = Quadrants(40);
        using var model = CnnModel.Create<TinyCnn>(4);
        model.Fit(train, new FitOptions { Epochs = 3, BatchSize = 32, Seed = 4, Progress = ProgressMode.None, Device = CPU });
        Assert.True(model.Evaluate(test).Accuracy > 0.9);
        using var heat = model.GradCam(test.Inputs, new LayerHandle("conv2d_1", new long[] { 16, 14, 14 }, "relu"), method: CamMethod.HiResCam);
        var (share, hottest) = InQuadrant(heat, Enumerable.Range(0, 40).Select(i => i % 4).ToArray());
        Assert.True(share > 0.6, $"on average {share:P0} of the heat lies in the patch's quadrant");
        Assert.True(hottest >= 36, $"the hottest quadrant is the patch's for {hottest} of 40 pictures");
    }
}
