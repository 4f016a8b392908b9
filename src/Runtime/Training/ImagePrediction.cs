using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnDsl.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Training
{
    /// <summary>What a model says of one image file: the most probable class (its index and name) and every class's probability.</summary>
    public sealed record ImagePrediction(string Path, long Class, string? ClassName, float Probability, IReadOnlyList<float> Probabilities)
    {
        public override string ToString() =>
            string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0}: {1} ({2:0.0}%)", Path, ClassName ?? Class.ToString(System.Globalization.CultureInfo.InvariantCulture), Probability * 100);
    }

    public static class ImagePredictions
    {
        /// <summary>
        /// Predicts one image file as the model was trained to see it: decoded with the model's input channels and read
        /// through the evaluation transforms in its facts (resize, crop, normalisation, as torchvision's
        /// <c>weights.transforms()</c>) unless <paramref name="transform"/> is given; the class named by its facts.
        /// </summary>
        public static ImagePrediction PredictImage(this nn.Module<Tensor, Tensor> model, string path, Transform? transform = null)
        {
            var facts = ModelFacts.Of(model);
            if (!File.Exists(path))
                throw new FileNotFoundException($"{path} does not exist; PredictImage needs an image file (PNG, JPEG, BMP, GIF or WebP).", path);
            transform ??= facts.EvaluationTransform() ?? throw new InvalidOperationException(
                $"{model.GetName()} has no recorded evaluation transforms: fit it on an image folder, load weights saved with them, "
                + "or pass the transforms (transform: new Compose(new Resize(...), new ToTensor(), ...)).");
            var shape = facts.InputShape;
            int channels = shape is { Count: 3 } && shape[0] is 1 or 3 ? (int)shape[0] : 3;
            var image = Transform.CheckModelInput(transform.ApplyToFile(path, channels, new Random(0)), path, model.GetName(), shape ?? Array.Empty<long>());
            using var input = tensor(image.Pixels, new long[] { 1, image.Channels, image.Height, image.Width });
            using var probabilities = model.Predict(input);
            var values = probabilities[0].data<float>().ToArray();
            int best = Array.IndexOf(values, values.Max());
            var names = facts.ClassNames;
            return new ImagePrediction(path, best, names != null && best < names.Count ? names[best] : null, values[best], values);
        }
    }
}
