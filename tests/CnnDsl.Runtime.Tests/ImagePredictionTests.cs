using System;
using System.IO;
using System.Linq;
using CnnDsl.Runtime.Tests.Infrastructure;
using CnnDsl.Runtime.Tests.Models;
using CnnDsl.Training;
using CnnDsl.Vision;
using CnnDsl.Weights;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Runtime.Tests;

/// <summary>One image file predicted as training read its images, with the transforms and class names the weights carry.</summary>
public class ImagePredictionTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-predict-image-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void An_image_file_is_read_through_the_evaluation_transforms_in_the_weights_and_named_by_their_classes()
    {
        var normalization = new Normalize(new[] { 0.4f, 0.45f, 0.5f }, new[] { 0.2f, 0.22f, 0.25f });
        var names = new[] { "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf" };
        var weights = Path.Combine(folder, "cifar.safetensors");
        using (var trained = CnnModel.Create<CifarCnn>(7))
        {
            trained.Facts = trained.Facts with
            {
                ClassNames = names,
                Normalization = InputNormalization.From(normalization),
                EvaluationTransforms = ModelFacts.Record(new Compose(new RandomResizedCrop(32), new ToTensor(), normalization)),
            };
            trained.SaveSafeTensors(weights);
        }
        using var model = CnnModel.Create<CifarCnn>(8);
        model.LoadSafeTensors(weights);

        // A 32x32 file: Resize(32) and CenterCrop(32) leave it as it is, so the input is its bytes normalised by hand.
        var rgb = TestImages.Pattern(32, 32, seed: 3);
        var path = Path.Combine(folder, "picture.png");
        TestImages.Write(path, rgb, 32, 32);
        var planar = new float[3 * 32 * 32];
        for (int p = 0; p < 32 * 32; p++)
            for (int c = 0; c < 3; c++)
                planar[c * 1024 + p] = (rgb[3 * p + c] / 255f - normalization.Mean[c]) / normalization.Std[c];
        float[] expected;
        model.eval();
        using (no_grad())
        using (var input = tensor(planar, new long[] { 1, 3, 32, 32 }))
        using (var logits = model.call(input))
            expected = logits.softmax(1)[0].data<float>().ToArray();
        int best = Array.IndexOf(expected, expected.Max());

        var prediction = model.PredictImage(path);
        Assert.Equal(best, prediction.Class);
        Assert.Equal(names[best], prediction.ClassName);
        Assert.Equal(expected[best], prediction.Probability, 5);
        Assert.Equal(expected, prediction.Probabilities.ToArray(), (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.EndsWith(string.Format(System.Globalization.CultureInfo.InvariantCulture, "picture.png: {0} ({1:0.0}%)", names[best], expected[best] * 100), prediction.ToString());

        // A file of another size is resized and cropped by the recorded transforms as in evaluation.
        var wide = Path.Combine(folder, "wide.png");
        TestImages.Write(wide, TestImages.Pattern(48, 40, seed: 4), 48, 40);
        Assert.Equal(10, model.PredictImage(wide).Probabilities.Count);

        // Without recorded transforms the model says what to give; a missing file is named.
        using var untrained = CnnModel.Create<CifarCnn>(9);
        Assert.Contains("has no recorded evaluation transforms", Assert.Throws<InvalidOperationException>(() => untrained.PredictImage(path)).Message);
        Assert.Contains("takes 3x32x32; resize it in the transforms",
            Assert.Throws<InvalidOperationException>(() => untrained.PredictImage(wide, new Compose(new ToTensor()))).Message);
        Assert.Contains("must end in a tensor image: put ToTensor()",
            Assert.Throws<InvalidOperationException>(() => untrained.PredictImage(wide, new Compose(new Resize(32), new CenterCrop(32)))).Message);
        Assert.Contains("missing.png does not exist", Assert.Throws<FileNotFoundException>(() => model.PredictImage(Path.Combine(folder, "missing.png"))).Message);
    }
}
