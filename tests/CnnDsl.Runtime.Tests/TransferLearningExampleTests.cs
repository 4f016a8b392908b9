using System;
using System.IO;
using System.Linq;
using CnnDsl.Vision;
using CnnDsl.Weights;
using SkiaSharp;
using TransferLearning;
using Xunit;

namespace CnnDsl.Runtime.Tests;

/// <summary>The transfer-learning example's flow (examples/TransferLearning), run end to end on a few images per class.</summary>
public class TransferLearningExampleTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-course-flow-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static bool Same(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void The_course_flow_pretrains_transfers_a_frozen_backbone_predicts_a_file_and_draws_true_pictures()
    {
        var log = new StringWriter();
        var result = CourseFlow.Run(new CourseOptions
        {
            Data = Path.Combine(AppContext.BaseDirectory, "data"), Output = folder, Full = true, Seeds = new[] { 1 },
            PretrainEpochs = 1, TransferEpochs = 2, PretrainImagesPerClass = 40, TransferImagesPerClass = 10, ValidationImagesPerClass = 5, TestImagesPerClass = 8,
            Workers = 0,
        }, log);

        // The folders as written: train/, val/, test/ with the task's classes, 32x32 RGB PNGs.
        var taskB = Path.Combine(folder, "data", "task-b");
        var expectedClasses = new[] { "Ankle boot", "Coat", "Dress", "Shirt", "Sneaker" };
        foreach (var split in new[] { ("train", 10), ("val", 5), ("test", 8) })
            foreach (var name in expectedClasses)
                Assert.Equal(split.Item2, Directory.GetFiles(Path.Combine(taskB, split.Item1, name), "*.png").Length);

        // --full runs three ways; the frozen one keeps every backbone tensor (batch-norm statistics too) as pretrained.
        Assert.Equal(new[] { "frozen", "fine-tuned", "scratch" }, result.Runs.Select(r => r.Variant));
        var pretrained = SafeTensors.Read(result.Backbone, out _, out _).ToDictionary(t => t.Name, t => t.Tensor);
        var transferred = SafeTensors.Read(result.Transferred, out _, out var metadata).ToDictionary(t => t.Name, t => t.Tensor);
        var backboneKeys = transferred.Keys.Where(k => k.StartsWith("backbone.", StringComparison.Ordinal)).ToList();
        Assert.Equal(pretrained.Keys.Where(k => k.StartsWith("backbone.", StringComparison.Ordinal)).OrderBy(k => k), backboneKeys.OrderBy(k => k));
        Assert.True(backboneKeys.Count > 40);
        Assert.All(backboneKeys, k => Assert.True(Same(pretrained[k], transferred[k]), $"{k} changed"));
        Assert.False(Same(pretrained["fc.weight"], transferred["fc.weight"]), "the head is new and trained");
        Assert.Contains("skipped 2 (fc.weight: matches 'fc.*', fc.bias: matches 'fc.*')", log.ToString());

        // The saved model carries task B's classes and the course's normalisation; the file prediction names its class.
        var facts = ModelFacts.FromJson(metadata[ModelFacts.MetadataKey], result.Transferred);
        Assert.Equal(expectedClasses, facts.ClassNames);
        Assert.Equal(InputNormalization.From(Normalize.ImageNet), facts.Normalization);
        Assert.Contains(result.Prediction.ClassName, expectedClasses);
        Assert.Equal(result.Prediction.Probabilities.Max(), result.Prediction.Probability);
        Assert.Contains($"Predicted from the saved file: {result.Prediction}", log.ToString());

        foreach (var picture in result.Pictures.Files.Values)
        {
            using var png = SKBitmap.Decode(picture);
            Assert.True(png is { Width: > 50, Height: > 50 }, $"{picture} is a picture");
        }
        // Grad-CAM's input tiles show the test files' own pixels: un-normalised with the model's facts, not clamped.
        using var gradCam = SKBitmap.Decode(result.Pictures.Files["grad-cam"]);
        var layout = result.Pictures.GradCam;
        for (int i = 0; i < result.Pictures.GradCamFiles.Count; i++)
        {
            using var source = SKBitmap.Decode(result.Pictures.GradCamFiles[i]);
            var tile = layout.Tiles[2 * i];
            for (int y = 0; y < 32; y++)
                for (int x = 0; x < 32; x++)
                {
                    SKColor expected = source.GetPixel(x, y), shown = gradCam.GetPixel(tile.Left + x * layout.Scale, tile.Top + y * layout.Scale);
                    Assert.True(Math.Abs(expected.Red - shown.Red) <= 1 && Math.Abs(expected.Green - shown.Green) <= 1 && Math.Abs(expected.Blue - shown.Blue) <= 1,
                        $"{result.Pictures.GradCamFiles[i]} ({x}, {y}): {shown} drawn for {expected}");
                }
        }
    }
}
