using System;
using System.IO;
using System.Linq;
using CnnDsl.Dsl;
using CnnDsl.Inference;
using CnnDsl.Onnx;
using CnnDsl.Runtime.Tests.Infrastructure;
using CnnDsl.Tests.Shared;
using CnnDsl.Runtime.Tests.Models;
using CnnDsl.Training;
using CnnDsl.Vision;
using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Runtime.Tests;

/// <summary>
/// The inference library's side of images: files preprocessed as torchvision 0.14 preprocesses them, a trained module
/// handed to ONNX Runtime in memory, and uploads that are not images or declare absurd sizes refused before decoding.
/// </summary>
public sealed class InferenceTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-inference-images-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static InferenceModel Untrained(string text, SavedFacts facts)
    {
        var model = CnnCompilation.Compile(text, "net.cnn").Models[0];
        return InferenceModel.FromWeights(model, ModelWeights.Initialize(model, seed: 1), facts, options: new InferenceOptions { IntraOpThreads = 1 });
    }

    const string Script = """
        import numpy as np
        from PIL import Image
        import torchvision.transforms as T
        colour = T.Compose([T.Resize(36), T.CenterCrop(32), T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
        grey = T.Compose([T.Resize([28, 28]), T.ToTensor(), T.Normalize([0.286], [0.353])])
        for name in ['wide.png', 'tall.bmp', 'grey.png']:
            image = Image.open(name)
            colour(image.convert('RGB')).numpy().astype('float32').tofile(name + '.rgb.bin')
            grey(image.convert('L')).numpy().astype('float32').tofile(name + '.l.bin')
        print('ok')
        """;

    [TorchVisionFact]
    public void Image_files_are_preprocessed_as_torchvision_preprocesses_them_with_the_recorded_transforms_or_the_input_size()
    {
        TestImages.Write(Path.Combine(folder, "wide.png"), TestImages.Pattern(131, 97, seed: 5), 131, 97);
        TestImages.WriteBmp(Path.Combine(folder, "tall.bmp"), TestImages.Pattern(41, 77, seed: 6), 41, 77);
        var grey = TestImages.Pattern(50, 45, seed: 7).Where((_, i) => i % 3 == 0).ToArray();
        TestImages.WriteGrey(Path.Combine(folder, "grey.png"), grey, 50, 45);
        TorchVisionOracle.RunScript(Script, folder);

        // A colour model trained on an image folder records its evaluation transforms; a grey model trained on tensors
        // (Fashion-MNIST's IDX files) records only its normalisation, and its images are resized to its input.
        var recorded = TransformStep.Record(new Compose(new RandomResizedCrop(32), new ToTensor(), new Normalize(new[] { 0.485f, 0.456f, 0.406f }, new[] { 0.229f, 0.224f, 0.225f })));
        Assert.Equal("Resize(32)", recorded[0].ToString());
        recorded = TransformStep.Record(new Compose(new Resize(36), new CenterCrop(32), new ToTensor(), new Normalize(new[] { 0.485f, 0.456f, 0.406f }, new[] { 0.229f, 0.224f, 0.225f })));
        using var colour = Untrained("model Colour\n  input 3x32x32\n  conv2d 4, 3\n  flatten\n  dense 5\n",
            new SavedFacts { EvaluationTransforms = recorded.Select(s => new SavedTransform(s.Name, s.Values, s.Restorable)).ToArray() });
        using var greyModel = Untrained("model Grey\n  input 1x28x28\n  conv2d 4, 3\n  flatten\n  dense 5\n",
            new SavedFacts { NormalizationMean = new[] { 0.286f }, NormalizationStd = new[] { 0.353f } });
        Assert.Equal(3, colour.ImageChannels);
        Assert.Equal(1, greyModel.ImageChannels);

        foreach (var name in new[] { "wide.png", "tall.bmp", "grey.png" })
            foreach (var (model, suffix) in new[] { (colour, ".rgb.bin"), (greyModel, ".l.bin") })
            {
                var path = Path.Combine(folder, name);
                var expected = TorchVisionOracle.ReadFloats(path + suffix);
                var actual = model.Preprocess(ImageData.Decode(path, model.ImageChannels), path).Pixels;
                Assert.Equal(expected.Length, actual.Length);
                double worst = expected.Zip(actual, (a, b) => Math.Abs((double)a - b)).Max();
                // PIL's resampling is reproduced to the bit; what remains is float rounding in the normalisation.
                Assert.True(worst <= 1e-5, $"{name} for {model.Facts.Model ?? model.Source}: differs from torchvision by {worst:G3}");
            }
    }

    [Fact]
    public void Preprocessing_that_does_not_make_the_model_s_input_is_refused_with_the_fix()
    {
        const string Text = "model Colour\n  input 3x32x32\n  conv2d 4, 3\n  flatten\n  dense 5\n";
        SavedFacts Recorded(params Transform[] steps) =>
            new() { EvaluationTransforms = TransformStep.Record(new Compose(steps)).Select(s => new SavedTransform(s.Name, s.Values, s.Restorable)).ToArray() };
        var upload = new ImageData(3, 40, 48, new byte[3 * 40 * 48]);

        using var bytesOnly = Untrained(Text, Recorded(new Resize(32), new CenterCrop(32)));
        Assert.Contains("must end in a tensor image: put ToTensor() (then Normalize, if training had it) at their end",
            Assert.Throws<InvalidOperationException>(() => bytesOnly.Preprocess(upload, "upload.png")).Message);
        using var tooLarge = Untrained(Text, Recorded(new Resize(36), new ToTensor()));
        Assert.Contains("upload.png becomes 3x36x43 through the transforms, but Colour takes 3x32x32; resize it in the transforms",
            Assert.Throws<InvalidOperationException>(() => tooLarge.Preprocess(upload, "upload.png")).Message);
    }

    [Fact]
    public void A_trained_module_handed_to_onnx_runtime_predicts_as_it_does_and_keeps_its_weights_when_training_goes_on()
    {
        var names = new[] { "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf" };
        var normalization = new Normalize(new[] { 0.4f, 0.45f, 0.5f }, new[] { 0.2f, 0.22f, 0.25f });
        using var model = CnnModel.Create<CifarCnn>(7);
        model.Facts = model.Facts with
        {
            ClassNames = names,
            Normalization = InputNormalization.From(normalization),
            EvaluationTransforms = ModelFacts.Record(new Compose(new Resize(32), new CenterCrop(32), new ToTensor(), normalization)),
        };
        var paths = Enumerable.Range(0, 3).Select(i =>
        {
            var path = Path.Combine(folder, $"picture{i}.png");
            TestImages.Write(path, TestImages.Pattern(40 + 7 * i, 35, seed: i), 40 + 7 * i, 35);
            return path;
        }).ToArray();

        using var inference = model.ToInference(new InferenceOptions { IntraOpThreads = 1 });
        Assert.Equal(names, inference.Facts.ClassNames);
        var batch = inference.PredictImages(paths, top: 10);
        for (int i = 0; i < paths.Length; i++)
        {
            var expected = model.PredictImage(paths[i]);
            var byIndex = batch[i].OrderBy(c => c.Index).ToArray();
            Assert.Equal(expected.Probabilities.ToArray(), byIndex.Select(c => c.Probability).ToArray(), (a, b) => Math.Abs(a - b) < 1e-5);
            Assert.Equal(expected.ClassName, batch[i][0].Name);
            Assert.Equal(expected.Class, batch[i][0].Index);
        }

        // Training goes on in TorchSharp: the handed-over model keeps the weights it was given.
        using (no_grad())
            foreach (var parameter in model.parameters())
                parameter.zero_();
        var after = inference.PredictImage(paths[0], top: 10).OrderBy(c => c.Index).Select(c => c.Probability).ToArray();
        Assert.Equal(batch[0].OrderBy(c => c.Index).Select(c => c.Probability).ToArray(), after);
        Assert.True(model.PredictImage(paths[0]).Probabilities.All(p => Math.Abs(p - 0.1f) < 1e-6), "zeroed weights give every class 1/10");
    }

    [Fact]
    public void Uploads_that_are_not_images_or_declare_absurd_sizes_are_refused_before_decoding()
    {
        using var model = Untrained("model Colour\n  input 3x16x16\n  conv2d 4, 3\n  flatten\n  dense 5\n", new SavedFacts());
        var bomb = HostileImages.PngDeclaring(100_000, 100_000);
        Assert.True(bomb.Length < 100);
        var refused = Assert.Throws<InvalidDataException>(() => model.PredictImage(bomb, "upload.png"));
        Assert.Contains("upload.png declares 100000x100000 = 10,000,000,000 pixels", refused.Message);
        // A lower limit for a service: an ordinary 64x64 picture passes 4,096 pixels and not 4,095.
        var picture = Path.Combine(folder, "small.png");
        TestImages.Write(picture, TestImages.Pattern(64, 64, seed: 1), 64, 64);
        var bytes = File.ReadAllBytes(picture);
        Assert.Equal(5, model.PredictImage(bytes, "small.png", top: 5, maxPixels: 4096).Count);
        Assert.Contains("more than the limit of 4,095", Assert.Throws<InvalidDataException>(() => model.PredictImage(bytes, "small.png", maxPixels: 4095)).Message);

        var text = System.Text.Encoding.UTF8.GetBytes("{\"not\": \"an image\"}");
        Assert.Contains("notes.json cannot be decoded as an image", Assert.Throws<InvalidDataException>(() => model.PredictImage(text, "notes.json")).Message);
        var truncated = bytes.Take(bytes.Length / 2).ToArray();
        Assert.Contains("half.png", Assert.Throws<InvalidDataException>(() => model.PredictImage(truncated, "half.png")).Message);
    }
}
