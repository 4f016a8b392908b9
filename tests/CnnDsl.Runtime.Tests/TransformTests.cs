using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnDsl.Runtime.Tests.Infrastructure;
using CnnDsl.Vision;
using Xunit;
using Xunit.Abstractions;

namespace CnnDsl.Runtime.Tests;

/// <summary>Transforms against torchvision 0.14 on the same PNG bytes (its PIL path).</summary>
public class TransformTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-transforms-").FullName;
    readonly ITestOutputHelper output;

    public TransformTests(ITestOutputHelper output) => this.output = output;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    const string Script = """
        import torch, torchvision
        from PIL import Image
        import torchvision.transforms as T
        import torchvision.transforms.functional as F
        img = Image.open('rgb.png').convert('RGB')
        def save(name, t):
            t.numpy().astype('float32').tofile(name + '.bin')
        tt = F.to_tensor
        save('resize_short', tt(F.resize(img, 64)))
        save('resize_exact', tt(F.resize(img, [50, 40])))
        save('resize_up', tt(F.resize(img, [150, 200])))
        save('center_crop', tt(F.center_crop(img, 60)))
        save('center_crop_odd', tt(F.center_crop(img, [51, 70])))
        save('resized_crop', tt(F.resized_crop(img, 10, 20, 50, 70, [32, 32])))
        save('hflip', tt(F.hflip(img)))
        save('rotate', tt(F.rotate(img, 30.0, interpolation=T.InterpolationMode.NEAREST, fill=0)))
        save('brightness', tt(F.adjust_brightness(img, 1.3)))
        save('contrast', tt(F.adjust_contrast(img, 0.6)))
        save('saturation', tt(F.adjust_saturation(img, 1.7)))
        save('normalize', F.normalize(tt(img), [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]))
        save('grey', tt(img.convert('L')))
        course = T.Compose([T.Resize([256, 256]), T.CenterCrop(224), T.ToTensor()])
        save('course', course(img))
        print('ok')
        """;

    [TorchVisionFact]
    public void Resize_crop_flip_rotate_jitter_and_normalize_match_torchvision_on_the_same_png()
    {
        TestImages.Write(Path.Combine(folder, "rgb.png"), TestImages.Pattern(131, 97, seed: 5), 131, 97);
        TorchVisionOracle.RunScript(Script, folder);
        var image = ImageData.Decode(Path.Combine(folder, "rgb.png"));
        var random = new Random(0);
        var tensor = new ToTensor();
        void Check(string name, ImageData actual, double tolerance = 1 / 255.0 + 1e-6, double exactFraction = 0)
        {
            var expected = TorchVisionOracle.ReadFloats(Path.Combine(folder, name + ".bin"));
            Assert.Equal(expected.Length, actual.Pixels.Length);
            double max = 0;
            int exact = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                double difference = Math.Abs(expected[i] - actual.Pixels[i]);
                max = Math.Max(max, difference);
                exact += difference < 1e-6 ? 1 : 0;
            }
            output.WriteLine($"{name}: max difference {max * 255:0.###}/255, {100.0 * exact / expected.Length:0.##}% exact");
            if (exactFraction > 0)
                Assert.True((double)exact / expected.Length >= exactFraction, $"{name}: only {100.0 * exact / expected.Length:0.##}% of the values are exact");
            else
                Assert.True(max <= tolerance, $"{name}: differs from torchvision by {max * 255:0.###}/255");
        }
        // PIL's fixed-point filter is reproduced to the bit, so resizing is exact, not merely within 1/255.
        Check("resize_short", new Resize(64).Apply(image, random), tolerance: 0);
        Assert.Equal((64, 86), (new Resize(64).Apply(image, random).Height, new Resize(64).Apply(image, random).Width));
        Check("resize_exact", new Resize(50, 40).Apply(image, random), tolerance: 0);
        Check("resize_up", new Resize(150, 200).Apply(image, random), tolerance: 0);
        Check("center_crop", new CenterCrop(60).Apply(image, random));
        Check("center_crop_odd", new CenterCrop(51, 70).Apply(image, random));
        Check("resized_crop", ImageFunctions.ResizedCrop(image, 10, 20, 50, 70, 32, 32), tolerance: 0);
        // The same from the file: the crop's box decoded and resampled straight from the decoder's RGBA pixels.
        Check("resized_crop", ImageData.Decode(Path.Combine(folder, "rgb.png"), 3, (_, _) => (10, 20, 50, 70), box =>
        {
            var result = new byte[3 * 32 * 32];
            ImageFunctions.ResizedCrop(box, 32, 32, result);
            return new ImageData(3, 32, 32, result);
        }), tolerance: 0);
        Check("hflip", ImageFunctions.HorizontalFlip(image), tolerance: 0);
        Check("hflip", new RandomHorizontalFlip(p: 1).Apply(image, random), tolerance: 0);
        Check("rotate", ImageFunctions.Rotate(image, 30), exactFraction: 0.99);
        Check("brightness", ImageFunctions.AdjustBrightness(image, 1.3));
        Check("contrast", ImageFunctions.AdjustContrast(image, 0.6));
        Check("saturation", ImageFunctions.AdjustSaturation(image, 1.7));
        Check("normalize", new Compose(tensor, Normalize.ImageNet).Apply(image, random), tolerance: 1e-5);
        Check("grey", ImageData.Decode(Path.Combine(folder, "rgb.png"), channels: 1));
        Check("course", new Compose(new Resize(256, 256), new CenterCrop(224), tensor).Apply(image, random));
    }

    [Fact]
    public void Random_transforms_repeat_with_the_random_state_and_have_deterministic_evaluation_forms()
    {
        var rgb = TestImages.Pattern(80, 60, seed: 1);
        var image = new ImageData(3, 60, 80, Enumerable.Range(0, 3 * 60 * 80).Select(i => rgb[3 * (i % 4800) + i / 4800] / 255f).ToArray());
        var course = new Compose(new Resize(64, 64), new RandomResizedCrop(48), new RandomHorizontalFlip(), new RandomRotation(10), new ColorJitter(0.4, 0.4, 0.4), new ToTensor());
        var a = course.Apply(image, new Random(3)).Pixels;
        var b = course.Apply(image, new Random(3)).Pixels;
        var c = course.Apply(image, new Random(4)).Pixels;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.True(course.IsRandom);
        var evaluation = course.ForEvaluation();
        Assert.False(evaluation.IsRandom);
        Assert.Equal(evaluation.Apply(image, new Random(1)).Pixels, evaluation.Apply(image, new Random(2)).Pixels);
        Assert.Equal((48, 48), evaluation.OutputSize((60, 80)));
        Assert.Equal((48, 48), course.OutputSize(null));

        // RandomResizedCrop's boxes stay inside the image and cover the requested share of its area.
        var crop = new RandomResizedCrop(32);
        var random = new Random(9);
        for (int i = 0; i < 200; i++)
        {
            var (top, left, h, w) = crop.GetParams(60, 80, random);
            Assert.InRange(top, 0, 60 - h);
            Assert.InRange(left, 0, 80 - w);
            Assert.InRange(h * w, 0.08 * 4800 * 0.9, 4800);
        }
        Assert.Equal("Normalize works on tensors, as in torchvision: put ToTensor() before Normalize(...) in the transforms.",
            Assert.Throws<InvalidOperationException>(() => Normalize.ImageNet.Apply(image, random)).Message);
    }

    /// <summary>
    /// A JPEG is decoded only in the box a crop keeps (rows above it skipped, columns outside it cropped by libjpeg):
    /// the result must be the full decode's, pixel for pixel, for every box, chroma subsampling and channel count.
    /// </summary>
    [Fact]
    public void Crops_from_a_file_decode_only_their_box_and_equal_a_full_decode_then_the_crop()
    {
        var files = new List<string>();
        foreach (var (width, height) in new[] { (131, 97), (301, 203) })
        {
            var rgb = TestImages.Pattern(width, height, seed: width);
            foreach (var (name, downsample) in new[] { ("420", SkiaSharp.SKJpegEncoderDownsample.Downsample420), ("422", SkiaSharp.SKJpegEncoderDownsample.Downsample422), ("444", SkiaSharp.SKJpegEncoderDownsample.Downsample444) })
            {
                files.Add(Path.Combine(folder, $"{width}-{name}.jpg"));
                TestImages.WriteJpeg(files[^1], rgb, width, height, quality: 90, downsample);
            }
            files.Add(Path.Combine(folder, $"{width}-grey.jpg"));
            TestImages.WriteGrey(files[^1], Enumerable.Range(0, width * height).Select(i => rgb[3 * i + 1]).ToArray(), width, height, SkiaSharp.SKEncodedImageFormat.Jpeg);
            files.Add(Path.Combine(folder, $"{width}.png"));
            TestImages.Write(files[^1], rgb, width, height);
        }
        AssertBoxDecodesEqualFullDecodes(files);
    }

    /// <summary>The same for JPEG files written by PIL: progressive, restart markers, 4:2:2, CMYK, grey.</summary>
    [TorchVisionFact]
    public void Crops_from_progressive_restart_marker_and_cmyk_jpegs_equal_a_full_decode_then_the_crop()
    {
        TorchVisionOracle.RunScript("""
            import numpy as np
            from PIL import Image
            y, x = np.mgrid[0:211, 0:293]
            rgb = np.stack([x * 255 // 292, y * 255 // 210, (128 + 100 * np.sin((x + 2 * y) / 5.0)).astype(int)], axis=-1)
            rgb = np.clip(rgb + np.random.RandomState(3).randint(-40, 41, rgb.shape), 0, 255).astype('uint8')
            image = Image.fromarray(rgb)
            image.save('progressive.jpg', quality=88, progressive=True)
            image.save('restart.jpg', quality=88, restart_marker_blocks=5)
            image.save('subsampled422.jpg', quality=88, subsampling='4:2:2')
            image.convert('CMYK').save('cmyk.jpg', quality=88)
            image.convert('L').save('grey-progressive.jpg', quality=88, progressive=True)
            print('ok')
            """, folder);
        AssertBoxDecodesEqualFullDecodes(new[] { "progressive", "restart", "subsampled422", "cmyk", "grey-progressive" }.Select(n => Path.Combine(folder, n + ".jpg")).ToList());
    }

    [Fact]
    public void A_truncated_jpeg_is_an_error_whatever_box_a_crop_draws()
    {
        // Cut off the last third: the top rows are intact, so a box there would decode; the file must still be refused,
        // as a full decode refuses it (and PIL does), not sometimes read and sometimes not.
        var path = Path.Combine(folder, "whole.jpg");
        TestImages.WriteJpeg(path, TestImages.Pattern(120, 90, seed: 2), 120, 90, quality: 90, SkiaSharp.SKJpegEncoderDownsample.Downsample420);
        var bytes = File.ReadAllBytes(path);
        var truncated = Path.Combine(folder, "truncated.jpg");
        File.WriteAllBytes(truncated, bytes.AsSpan(0, bytes.Length * 2 / 3).ToArray());
        Assert.Contains("the file is truncated", Assert.Throws<InvalidDataException>(() => ImageData.Decode(truncated)).Message);
        var top = Assert.Throws<InvalidDataException>(() => ImageData.Decode(truncated, 3, (_, _) => (0, 0, 10, 20), view => view.ToPlanar()));
        Assert.StartsWith($"{truncated} cannot be decoded: the decoder says IncompleteInput (the file is truncated).", top.Message);
        for (int seed = 0; seed < 20; seed++)
            Assert.Throws<InvalidDataException>(() => new RandomResizedCrop(32).ApplyToFile(truncated, 3, new Random(seed)));
    }

    static void AssertBoxDecodesEqualFullDecodes(IReadOnlyList<string> files)
    {
        foreach (var file in files)
            foreach (int channels in new[] { 3, 1 })
            {
                var full = ImageData.Decode(file, channels);
                // Random boxes of every size and place (RandomResizedCrop's own draws), and boxes on each edge.
                // Boxes on each edge and corner, and one pixel wide or high.
                foreach (var (top, left, height, width) in new[] { (0, 0, 20, 30), (0, full.Width - 30, 20, 30), (full.Height - 20, 0, 20, 30), (full.Height - 20, full.Width - 30, 20, 30),
                    (1, 33, 40, 1), (full.Height - 1, 5, 1, full.Width - 5), (0, 0, full.Height, full.Width - 1), (0, 17, full.Height, 9) })
                {
                    var box = ImageData.Decode(file, channels, (_, _) => (top, left, height, width), view => new ImageData(view.Channels, view.Height, view.Width, view.ToPlanar()));
                    Assert.True(ImageFunctions.Crop(full, top, left, height, width).Bytes!.AsSpan().SequenceEqual(box.Bytes),
                        $"{Path.GetFileName(file)}, {channels} channels: the box {height}x{width} at ({top}, {left}) differs from the full decode's");
                }
                // RandomResizedCrop's own boxes, of every size and place, and centre crops (one taller than the image: padded).
                var crops = Enumerable.Range(0, 60).Select(seed => ((Transform)new RandomResizedCrop(16 + seed % 5 * 12, 20 + seed % 3 * 17), seed))
                    .Append(((Transform)new CenterCrop(41, 57), 0))
                    .Append(((Transform)new CenterCrop(full.Height + 6, full.Width - 4), 0));   // taller than the image: padded
                foreach (var (crop, seed) in crops)
                {
                    var expected = crop.Apply(full, new Random(seed));
                    var actual = crop.ApplyToFile(file, channels, new Random(seed));
                    Assert.Equal((expected.Channels, expected.Height, expected.Width), (actual.Channels, actual.Height, actual.Width));
                    Assert.True(expected.Bytes!.AsSpan().SequenceEqual(actual.Bytes), $"{Path.GetFileName(file)}, {channels} channels, {crop.GetType().Name} (seed {seed}): the box decode differs from the full decode");
                }
            }
    }
}
