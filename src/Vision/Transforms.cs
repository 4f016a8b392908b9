using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl;

namespace CnnDsl.Vision
{
    /// <summary>
    /// An image transform with torchvision's name and semantics. Random transforms draw from the <see cref="Random"/>
    /// they are given, which the loader seeds from the run's seed, the epoch and the sample, so augmentation repeats
    /// with the seed and differs from epoch to epoch. <see cref="ForEvaluation"/> is the deterministic counterpart used
    /// for validation and prediction.
    /// </summary>
    public abstract class Transform
    {
        public abstract ImageData Apply(ImageData image, Random random);

        /// <summary>
        /// Decodes the file and applies the transform: the same result, and the same random draws, as
        /// <c>Apply(ImageData.Decode(path, channels), random)</c>. A pipeline that begins with a crop decodes only the box
        /// it keeps (rows above and below it are skipped in a JPEG), which is most of a loader's time saved.
        /// </summary>
        public virtual ImageData ApplyToFile(string path, int channels, Random random) => Apply(ImageData.Decode(path, channels), random);

        /// <summary>
        /// Whether <see cref="ApplyToFile"/> always returns a new 8-bit image that nothing else holds, whose bytes a
        /// loader may reuse once it has copied them into a batch.
        /// </summary>
        internal virtual bool ApplyToFileMakesOwnImage => false;

        /// <summary>
        /// An image a model's evaluation transforms made, checked to be what the model takes: a tensor image of its input
        /// shape (channels, height, width; a size of 0 or less is a variable and takes any). Prediction with TorchSharp
        /// and with ONNX Runtime both check here, so they refuse the same images with the same words.
        /// </summary>
        public static ImageData CheckModelInput(ImageData image, string source, string modelName, IReadOnlyList<long> inputShape)
        {
            if (!image.IsTensor)
                throw new InvalidOperationException(
                    $"The transforms of {modelName} must end in a tensor image: put ToTensor() (then Normalize, if training had it) at their end.");
            if (inputShape.Count == 3 && (image.Channels != inputShape[0] || inputShape[1] > 0 && image.Height != inputShape[1] || inputShape[2] > 0 && image.Width != inputShape[2]))
                throw new InvalidOperationException(
                    $"{source} becomes {image.Channels}x{image.Height}x{image.Width} through the transforms, but {modelName} takes {string.Join("x", inputShape)}; resize it in the transforms.");
            return image;
        }

        /// <summary>Whether the transform draws random numbers.</summary>
        public virtual bool IsRandom => false;

        /// <summary>What runs instead for validation, evaluation and prediction: itself unless random.</summary>
        public virtual Transform ForEvaluation() => this;

        /// <summary>The output's (height, width) for an input of the given size, or null when it cannot be known.</summary>
        public virtual (int Height, int Width)? OutputSize((int Height, int Width)? input) => input;

        /// <summary>Whether the output is a tensor image (after <see cref="ToTensor"/>).</summary>
        internal virtual bool? MakesTensor => null;

        /// <summary>The transform as data for a model's facts; null for one that is not a single library step.</summary>
        internal virtual TransformStep? Step() => null;
    }

    /// <summary>Runs transforms in order, as torchvision's Compose.</summary>
    public sealed class Compose : Transform
    {
        public Compose(params Transform[] transforms) => Transforms = transforms;

        public IReadOnlyList<Transform> Transforms { get; }

        public override ImageData Apply(ImageData image, Random random)
        {
            foreach (var transform in Transforms)
                image = transform.Apply(image, random);
            return image;
        }

        public override ImageData ApplyToFile(string path, int channels, Random random)
        {
            if (Transforms.Count == 0)
                return ImageData.Decode(path, channels);
            var image = Transforms[0].ApplyToFile(path, channels, random);
            for (int i = 1; i < Transforms.Count; i++)
                image = Transforms[i].Apply(image, random);
            return image;
        }

        public override bool IsRandom => Transforms.Any(t => t.IsRandom);
        public override Transform ForEvaluation() => new Compose(Transforms.Select(t => t.ForEvaluation()).ToArray());

        public override (int Height, int Width)? OutputSize((int Height, int Width)? input) =>
            Transforms.Aggregate(input, (size, transform) => transform.OutputSize(size));

        internal override bool? MakesTensor => Transforms.Select(t => t.MakesTensor).LastOrDefault(m => m != null);
    }

    /// <summary>Does nothing; what random transforms become for evaluation.</summary>
    public sealed class Identity : Transform
    {
        public override ImageData Apply(ImageData image, Random random) => image;
    }

    /// <summary>
    /// <c>Resize(size)</c>: the shorter side becomes <c>size</c>, keeping the aspect ratio; <c>Resize(height, width)</c>:
    /// exactly that size. Bilinear with antialiasing, as torchvision on PIL images.
    /// </summary>
    public sealed class Resize : Transform
    {
        readonly int? size;
        readonly (int Height, int Width)? exact;

        public Resize(int size)
        {
            this.size = size > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size), size, "The size must be at least 1.");
        }

        public Resize(int height, int width)
        {
            if (height < 1 || width < 1)
                throw new ArgumentOutOfRangeException(nameof(height), $"Cannot resize to {height}x{width}.");
            exact = (height, width);
        }

        public override ImageData Apply(ImageData image, Random random)
        {
            var (h, w) = exact ?? ImageFunctions.ShorterSideSize(image.Height, image.Width, size!.Value);
            return ImageFunctions.Resize(image, h, w);
        }

        public override (int Height, int Width)? OutputSize((int Height, int Width)? input) =>
            exact ?? (input is var (h, w) ? ImageFunctions.ShorterSideSize(h, w, size!.Value) : null);

        public override string ToString() => exact is var (h, w) ? $"Resize({h}, {w})" : $"Resize({size})";

        internal override TransformStep Step() => new("Resize", exact is var (h, w) ? new double[] { h, w } : new double[] { size!.Value });
    }

    /// <summary>Crops the centre; a crop larger than the image pads with 0 (torchvision's CenterCrop).</summary>
    public sealed class CenterCrop : Transform
    {
        readonly int height, width;

        public CenterCrop(int size) : this(size, size)
        {
        }

        public CenterCrop(int height, int width)
        {
            if (height < 1 || width < 1)
                throw new ArgumentOutOfRangeException(nameof(height), $"Cannot crop to {height}x{width}.");
            (this.height, this.width) = (height, width);
        }

        public override ImageData Apply(ImageData image, Random random) => ImageFunctions.CenterCrop(image, height, width);

        public override ImageData ApplyToFile(string path, int channels, Random random)
        {
            bool fits = true;
            return ImageData.Decode(path, channels,
                (imageHeight, imageWidth) => (fits = height <= imageHeight && width <= imageWidth)
                    ? (ImageFunctions.CenterOffset(imageHeight, height), ImageFunctions.CenterOffset(imageWidth, width), height, width)
                    : (0, 0, imageHeight, imageWidth),
                image =>
                {
                    var decoded = new ImageData(image.Channels, image.Height, image.Width, image.ToPlanar());
                    return fits ? decoded : Apply(decoded, random);
                });
        }
        public override (int Height, int Width)? OutputSize((int Height, int Width)? input) => (height, width);

        internal override TransformStep Step() => new("CenterCrop", new double[] { height, width });
    }

    /// <summary>
    /// A random box of <c>scale</c> (0.08-1) of the area and aspect ratio <c>ratio</c> (3/4-4/3), resized to
    /// <c>size</c> (torchvision's RandomResizedCrop, its ten tries and its fallback). For evaluation:
    /// <c>Resize(size)</c> then <c>CenterCrop(size)</c>.
    /// </summary>
    public sealed class RandomResizedCrop : Transform
    {
        readonly int height, width;
        readonly (double Min, double Max) scale, ratio;

        public RandomResizedCrop(int size, (double Min, double Max)? scale = null, (double Min, double Max)? ratio = null)
            : this(size, size, scale, ratio)
        {
        }

        public RandomResizedCrop(int height, int width, (double Min, double Max)? scale = null, (double Min, double Max)? ratio = null)
        {
            (this.height, this.width) = (height, width);
            this.scale = scale ?? (0.08, 1.0);
            this.ratio = ratio ?? (3.0 / 4.0, 4.0 / 3.0);
        }

        public override bool IsRandom => true;
        public override Transform ForEvaluation() => new Compose(new Resize(Math.Min(height, width)), new CenterCrop(height, width));
        public override (int Height, int Width)? OutputSize((int Height, int Width)? input) => (height, width);

        public override ImageData Apply(ImageData image, Random random)
        {
            var (top, left, h, w) = GetParams(image.Height, image.Width, random);
            return ImageFunctions.ResizedCrop(image, top, left, h, w, height, width);
        }

        public override ImageData ApplyToFile(string path, int channels, Random random)
        {
            // The box comes from the header's size before any pixel is decoded; the random draws are Apply's.
            return ImageData.Decode(path, channels, (imageHeight, imageWidth) => GetParams(imageHeight, imageWidth, random), box =>
            {
                var result = ImageBuffers.Rent(box.Channels * height * width);
                ImageFunctions.ResizedCrop(box, height, width, result);
                return new ImageData(box.Channels, height, width, result);
            });
        }

        internal override bool ApplyToFileMakesOwnImage => true;

        /// <summary>The crop box (top, left, height, width) for an image of the given size, as torchvision's get_params.</summary>
        public (int Top, int Left, int Height, int Width) GetParams(int imageHeight, int imageWidth, Random random)
        {
            double area = (double)imageHeight * imageWidth;
            double logMin = Math.Log(ratio.Min), logMax = Math.Log(ratio.Max);
            for (int attempt = 0; attempt < 10; attempt++)
            {
                double target = area * (scale.Min + random.NextDouble() * (scale.Max - scale.Min));
                double aspect = Math.Exp(logMin + random.NextDouble() * (logMax - logMin));
                int w = (int)Math.Round(Math.Sqrt(target * aspect), MidpointRounding.ToEven);
                int h = (int)Math.Round(Math.Sqrt(target / aspect), MidpointRounding.ToEven);
                if (w > 0 && w <= imageWidth && h > 0 && h <= imageHeight)
                    return (random.Next(imageHeight - h + 1), random.Next(imageWidth - w + 1), h, w);
            }
            // Fallback: a centre crop of the whole image at the nearest allowed ratio.
            double inRatio = (double)imageWidth / imageHeight;
            int fw = imageWidth, fh = imageHeight;
            if (inRatio < ratio.Min)
                fh = (int)Math.Round(fw / ratio.Min, MidpointRounding.ToEven);
            else if (inRatio > ratio.Max)
                fw = (int)Math.Round(fh * ratio.Max, MidpointRounding.ToEven);
            return ((imageHeight - fh) / 2, (imageWidth - fw) / 2, fh, fw);
        }
    }

    /// <summary>Flips left-right with probability <c>p</c>.</summary>
    public sealed class RandomHorizontalFlip : Transform
    {
        readonly double p;

        public RandomHorizontalFlip(double p = 0.5) => this.p = p;

        public override bool IsRandom => true;
        public override Transform ForEvaluation() => new Identity();
        public override ImageData Apply(ImageData image, Random random) => Flips(random) ? ImageFunctions.HorizontalFlip(image) : image;

        /// <summary>Draws whether this image is flipped (what <see cref="Apply"/> draws), for a loader that flips as it writes.</summary>
        internal bool Flips(Random random) => random.NextDouble() < p;
    }

    /// <summary>Rotates by a uniform angle in [-degrees, degrees], nearest neighbour, corners filled with 0 (torchvision's defaults).</summary>
    public sealed class RandomRotation : Transform
    {
        readonly double degrees;

        public RandomRotation(double degrees) => this.degrees = Math.Abs(degrees);

        public override bool IsRandom => true;
        public override Transform ForEvaluation() => new Identity();
        public override ImageData Apply(ImageData image, Random random) =>
            ImageFunctions.Rotate(image, -degrees + random.NextDouble() * 2 * degrees);
    }

    /// <summary>
    /// Random brightness, contrast and saturation, each a factor drawn from [max(0, 1 - x), 1 + x], applied in a random
    /// order (torchvision's ColorJitter without hue).
    /// </summary>
    public sealed class ColorJitter : Transform
    {
        readonly double brightness, contrast, saturation;

        public ColorJitter(double brightness = 0, double contrast = 0, double saturation = 0)
        {
            if (brightness < 0 || contrast < 0 || saturation < 0)
                throw new ArgumentOutOfRangeException(nameof(brightness), "ColorJitter's strengths must not be negative.");
            (this.brightness, this.contrast, this.saturation) = (brightness, contrast, saturation);
        }

        public override bool IsRandom => true;
        public override Transform ForEvaluation() => new Identity();

        public override ImageData Apply(ImageData image, Random random)
        {
            var order = new[] { 0, 1, 2 };
            random.Shuffle(order);
            double Factor(double strength) => Math.Max(0, 1 - strength) + random.NextDouble() * (1 + strength - Math.Max(0, 1 - strength));
            double b = Factor(brightness), c = Factor(contrast), s = Factor(saturation);
            foreach (var step in order)
            {
                if (step == 0 && brightness > 0)
                    image = ImageFunctions.AdjustBrightness(image, b);
                else if (step == 1 && contrast > 0)
                    image = ImageFunctions.AdjustContrast(image, c);
                else if (step == 2 && saturation > 0)
                    image = ImageFunctions.AdjustSaturation(image, s);
            }
            return image;
        }
    }

    /// <summary>Turns the image into a tensor image with values in [0, 1] (torchvision's ToTensor); Normalize needs it first.</summary>
    public sealed class ToTensor : Transform
    {
        public override ImageData Apply(ImageData image, Random random) =>
            image.IsTensor ? image : new ImageData(image);

        internal override bool? MakesTensor => true;

        internal override TransformStep Step() => new("ToTensor", Array.Empty<double>());
    }

    /// <summary>(x - mean) / std per channel; <see cref="ImageNet"/> is the standard preset for ImageNet backbones.</summary>
    public sealed class Normalize : Transform
    {
        public Normalize(float[] mean, float[] std)
        {
            if (mean.Length != std.Length || std.Any(s => s <= 0))
                throw new ArgumentException("Normalize needs one positive standard deviation per mean.");
            Mean = mean;
            Std = std;
        }

        public float[] Mean { get; }
        public float[] Std { get; }

        /// <summary>ImageNet's channel means and standard deviations (RGB), as torchvision's pretrained models expect.</summary>
        public static Normalize ImageNet => new(new[] { 0.485f, 0.456f, 0.406f }, new[] { 0.229f, 0.224f, 0.225f });

        public override ImageData Apply(ImageData image, Random random) => ImageFunctions.Normalize(image, Mean, Std);

        // Each float as the shortest decimal that reads back as it (0.4f is 0.4, not 0.4000000059604645).
        internal override TransformStep Step() => new("Normalize", Mean.Concat(Std)
            .Select(v => double.Parse(v.ToString("R", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture)).ToArray());

        /// <summary>
        /// The inverse as a transform of its own: mean <c>-mean / std</c> and deviation <c>1 / std</c>, so that it maps
        /// normalised images (or tensors, by <c>Apply(Tensor)</c> in the runtime library) back to their pixels.
        /// </summary>
        public Normalize Inverse() => new(Mean.Zip(Std, (m, s) => -m / s).ToArray(), Std.Select(s => 1 / s).ToArray());

        /// <summary>The normalisation a pipeline ends with (the last Normalize of a Compose), or null.</summary>
        public static Normalize? In(Transform transform) => transform switch
        {
            Normalize normalize => normalize,
            Compose compose => compose.Transforms.Select(In).LastOrDefault(n => n != null),
            _ => null,
        };
    }
}
