using System;
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
        Check("resize_short", new Resize(64).Apply(image, random));
        Assert.Equal((64, 86), (new Resize(64).Apply(image, random).Height, new Resize(64).Apply(image, random).Width));
        Check("resize_exact", new Resize(50, 40).Apply(image, random));
        Check("resize_up", new Resize(150, 200).Apply(image, random));
        Check("center_crop", new CenterCrop(60).Apply(image, random));
        Check("center_crop_odd", new CenterCrop(51, 70).Apply(image, random));
        Check("resized_crop", ImageFunctions.ResizedCrop(image, 10, 20, 50, 70, 32, 32));
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
}
