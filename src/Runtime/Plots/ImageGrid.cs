using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Training;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Plots
{
    /// <summary>Where each tile of a grid picture lies, in pixels of the PNG, in tile order.</summary>
    public sealed record GridLayout(IReadOnlyList<SKRectI> Tiles, int Scale)
    {
        /// <summary>Each tile's caption, in tile order (empty where a picture has none).</summary>
        public IReadOnlyList<string> Captions { get; init; } = Array.Empty<string>();

        /// <summary>
        /// Grad-CAM: the images (by index in the batch drawn) whose heat map is zero everywhere, i.e. the layer holds no
        /// positive evidence for the class; their overlay tiles are framed and captioned so.
        /// </summary>
        public IReadOnlyList<int> NoPositiveEvidence { get; init; } = Array.Empty<int>();
    }

    /// <summary>The colours of single-channel tiles: matplotlib's default viridis, or grey (black to white).</summary>
    public enum Colormap
    {
        Viridis,
        Grey,
    }

    /// <summary>
    /// Image grids as PNG or SVG, drawn with SkiaSharp: samples with their labels, the feature maps of a layer, the first
    /// layer's filters and Grad-CAM heat maps. Tiles are enlarged by whole pixels (nearest neighbour), so every pixel of a
    /// tile shows one value exactly.
    /// </summary>
    public static class ImageGrid
    {
        const int Gap = 4;
        static readonly SKColor MistakeColor = new(0xD0, 0x20, 0x20);
        static readonly SKColor NoEvidenceColor = new(0xF0, 0x90, 0x00);

        /// <summary>The caption of a Grad-CAM tile whose heat map is zero everywhere.</summary>
        public const string NoPositiveEvidenceCaption = "no positive evidence";

        /// <summary>
        /// Sample images (N, C, H, W) with values in [0, 1] (grey or RGB), captioned "true" or "true -> predicted";
        /// mistakes get a red frame.
        /// </summary>
        /// <param name="images">The images, (N, C, H, W).</param>
        /// <param name="truth">Each image's true class.</param>
        /// <param name="predicted">Each image's predicted class, or null to caption the true class alone.</param>
        /// <param name="classNames">The classes' names for the captions; their numbers when null.</param>
        /// <param name="path">The picture to write: PNG, or SVG where the path ends in .svg.</param>
        /// <param name="columns">Tiles per row (fewer when there are fewer tiles).</param>
        /// <param name="scale">Screen pixels per image pixel (each pixel drawn as a scale x scale square).</param>
        /// <param name="normalization">The normalisation the images went through (e.g. <c>Normalize.ImageNet</c>, or
        /// <c>folder.Normalization</c>), undone before drawing; images outside [0, 1] without one are an error, not a wrong picture.</param>
        /// <param name="title">The figure's title; none when null.</param>
        public static GridLayout SaveSamples(Tensor images, long[] truth, long[]? predicted, IReadOnlyList<string>? classNames, string path, int columns = 8, int scale = 2,
            Vision.Normalize? normalization = null, string? title = null)
        {
            using var shown = Shown(images, normalization);
            images = shown;
            if (images.dim() != 4 || (images.shape[1] != 1 && images.shape[1] != 3))
                throw new ArgumentException($"Sample images must be (N, 1 or 3, H, W), not ({string.Join(", ", images.shape)}).", nameof(images));
            if (truth.Length != images.shape[0] || (predicted != null && predicted.Length != truth.Length))
                throw new ArgumentException("Give one true label (and one prediction) per image.");
            string Name(long label) => classNames != null && label >= 0 && label < classNames.Count ? classNames[(int)label] : label.ToString();
            var tiles = Enumerable.Range(0, (int)images.shape[0]).Select(i => Tile(images[i], normalize: false)).ToList();
            var captions = truth.Select((t, i) => predicted == null || predicted[i] == t ? Name(t) : $"{Name(t)} -> {Name(predicted[i])}").ToList();
            var frames = truth.Select((t, i) => predicted != null && predicted[i] != t ? MistakeColor : (SKColor?)null).ToList();
            title ??= predicted == null ? $"Samples: {tiles.Count} images and their classes"
                : $"Samples: {predicted.Where((p, i) => p == truth[i]).Count()} of {tiles.Count} right; mistakes framed red (true -> predicted)";
            return Draw(tiles, path, columns, scale, captions, frames, title);
        }

        /// <summary>
        /// Sample images as <see cref="SaveSamples(Tensor, long[], long[], IReadOnlyList{string}, string, int, int, Vision.Normalize, string)"/>,
        /// predicted by <paramref name="model"/> and named and un-normalised by its facts (the class names and
        /// normalisation it was trained or loaded with) unless <paramref name="normalization"/> is given.
        /// </summary>
        public static GridLayout SaveSamples(nn.Module<Tensor, Tensor> model, Tensor images, long[] truth, string path, int columns = 8, int scale = 2,
            Vision.Normalize? normalization = null)
        {
            using var probabilities = model.Predict(images);
            using var best = probabilities.argmax(1);
            return SaveSamples(images, truth, best.data<long>().ToArray(), model.ClassNames(), path, columns, scale, normalization ?? NormalizationOf(model));
        }

        /// <summary>
        /// The feature maps of one sample, (C, H, W) or (1, C, H, W): one tile per channel, captioned with its index, each
        /// scaled from its own minimum to its maximum in <paramref name="colormap"/> (viridis, matplotlib's default, or
        /// grey: black to white), with a colour bar saying so; a constant channel takes the colour of the minimum. PNG, or
        /// SVG where the path ends in .svg.
        /// </summary>
        /// <param name="activation">A layer's output for one sample, (C, H, W) or (1, C, H, W).</param>
        /// <param name="path">The picture to write: PNG, or SVG where the path ends in .svg.</param>
        /// <param name="columns">Tiles per row (fewer when there are fewer tiles).</param>
        /// <param name="scale">Screen pixels per image pixel (each pixel drawn as a scale x scale square).</param>
        /// <param name="title">The figure's title, e.g. the layer and image shown; "Feature maps" with the shape when null.</param>
        /// <param name="colormap">The colours of the tiles: viridis (matplotlib's default) or grey.</param>
        public static GridLayout SaveFeatureMaps(Tensor activation, string path, int columns = 8, int scale = 4, string? title = null, Colormap colormap = Colormap.Viridis)
        {
            if (activation.dim() == 4 && activation.shape[0] == 1)
                activation = activation[0];
            if (activation.dim() != 3)
                throw new ArgumentException($"Feature maps must be (C, H, W) for one sample, not ({string.Join(", ", activation.shape)}).", nameof(activation));
            var tiles = Enumerable.Range(0, (int)activation.shape[0]).Select(c => Tile(activation[c].unsqueeze(0), normalize: true, colormap)).ToList();
            var captions = Enumerable.Range(0, tiles.Count).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            return Draw(tiles, path, columns, scale, captions, frames: null,
                title ?? $"Feature maps: {activation.shape[0]} channels of {activation.shape[1]}x{activation.shape[2]}",
                new ColorBar(colormap, "lowest", "highest value of each map"));
        }

        /// <summary>
        /// The filters of a first convolutional layer, weight (out, in, kh, kw): RGB tiles for 3 input channels, else
        /// grey tiles of the mean over input channels; each filter scaled from its minimum to its maximum.
        /// </summary>
        /// <param name="weight">The convolution's weight, (out, in, kh, kw).</param>
        /// <param name="path">The picture to write: PNG, or SVG where the path ends in .svg.</param>
        /// <param name="columns">Tiles per row (fewer when there are fewer tiles).</param>
        /// <param name="scale">Screen pixels per image pixel (each pixel drawn as a scale x scale square).</param>
        /// <param name="title">The figure's title; "Filters" with their shape when null.</param>
        /// <param name="colormap">The colours of grey (mean) filters; RGB filters are shown in their own colours.</param>
        public static GridLayout SaveFilters(Tensor weight, string path, int columns = 8, int scale = 8, string? title = null, Colormap colormap = Colormap.Grey)
        {
            if (weight.dim() != 4)
                throw new ArgumentException($"Convolution filters are (out, in, kh, kw), not ({string.Join(", ", weight.shape)}).", nameof(weight));
            using var w = weight.detach().cpu();
            bool rgb = w.shape[1] == 3;
            var tiles = Enumerable.Range(0, (int)w.shape[0]).Select(o => Tile(rgb ? w[o] : w[o].mean(new long[] { 0 }, keepdim: true), normalize: true, colormap)).ToList();
            var captions = Enumerable.Range(0, tiles.Count).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            return Draw(tiles, path, columns, scale, captions, frames: null,
                title ?? $"Filters: {w.shape[0]} of {w.shape[2]}x{w.shape[3]}" + (rgb ? " (RGB)" : w.shape[1] > 1 ? $" (mean over {w.shape[1]} input channels)" : ""),
                rgb ? null : new ColorBar(colormap, "most negative", "most positive weight of each filter"));
        }

        /// <summary>
        /// Grad-CAM as <see cref="SaveGradCam(Tensor, Tensor, string, IReadOnlyList{string}, int, Vision.Normalize)"/>, the
        /// images un-normalised with the normalisation in <paramref name="model"/>'s facts (the one its training data went
        /// through, saved and loaded with its weights) unless <paramref name="normalization"/> is given.
        /// </summary>
        /// <remarks>Without <paramref name="captions"/>, each image is captioned with the class the model predicts for it and
        /// that class's probability (the class <c>GradCam</c> explains by default).</remarks>
        public static GridLayout SaveGradCam(nn.Module<Tensor, Tensor> model, Tensor images, Tensor heat, string path, IReadOnlyList<string>? captions = null, int scale = 4,
            Vision.Normalize? normalization = null)
        {
            if (captions == null)
            {
                using var probabilities = model.Predict(images);
                using var best = probabilities.argmax(1);
                var names = model.ClassNames();
                var classes = best.data<long>().ToArray();
                captions = classes.Select((c, i) => string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0} ({1:0.00})",
                    names != null && c < names.Count ? names[(int)c] : c.ToString(System.Globalization.CultureInfo.InvariantCulture), probabilities[i, c].item<float>())).ToList();
            }
            return SaveGradCam(images, heat, path, captions, scale, normalization ?? NormalizationOf(model));
        }

        static Vision.Normalize? NormalizationOf(nn.Module model) => ModelFacts.Of(model).Normalization?.ToTransform();

        /// <summary>
        /// Grad-CAM for images (N, C, H, W) in [0, 1] and heat maps (N, H, W) in [0, 1]: each image, captioned (e.g. with
        /// the class explained and its score), beside its grey version overlaid with the heat map in viridis (dark purple
        /// none, yellow most), with a colour bar saying so. A map that is zero everywhere (no positive evidence
        /// for the class at that layer) gets an orange frame and the caption <see cref="NoPositiveEvidenceCaption"/>, and
        /// its image is listed in <see cref="GridLayout.NoPositiveEvidence"/>.
        /// </summary>
        /// <param name="images">The images explained, (N, C, H, W).</param>
        /// <param name="heat">Their heat maps, (N, H, W) in [0, 1], as <c>GradCam</c> gives them.</param>
        /// <param name="path">The picture to write: PNG, or SVG where the path ends in .svg.</param>
        /// <param name="captions">One caption per image; none when null.</param>
        /// <param name="scale">Screen pixels per image pixel (each pixel drawn as a scale x scale square).</param>
        /// <param name="normalization">The normalisation the images went through, undone before drawing (as for
        /// <see cref="SaveSamples(Tensor, long[], long[], IReadOnlyList{string}, string, int, int, Vision.Normalize, string)"/>).</param>
        public static GridLayout SaveGradCam(Tensor images, Tensor heat, string path, IReadOnlyList<string>? captions = null, int scale = 4, Vision.Normalize? normalization = null)
        {
            if (images.dim() != 4 || heat.dim() != 3 || images.shape[0] != heat.shape[0] || images.shape[2] != heat.shape[1] || images.shape[3] != heat.shape[2])
                throw new ArgumentException($"Grad-CAM needs images (N, C, H, W) and heat maps (N, H, W) of the same size, not ({string.Join(", ", images.shape)}) and ({string.Join(", ", heat.shape)}).");
            using var shown = Shown(images, normalization);
            images = shown;
            var tiles = new List<Rgb>();
            var labels = new List<string>();
            var frames = new List<SKColor?>();
            var noEvidence = new List<int>();
            for (int i = 0; i < images.shape[0]; i++)
            {
                var image = Tile(images[i], normalize: false);
                var grey = image.Pixels.Chunk(3).Select(p => (p[0] * 299 + p[1] * 587 + p[2] * 114) / 1000).ToArray();
                var h = heat[i].clamp(0, 1).contiguous().data<float>().ToArray();
                var overlay = new byte[image.Pixels.Length];
                for (int p = 0; p < h.Length; p++)
                {
                    var (r, g, b) = Viridis(h[p]);
                    overlay[3 * p] = (byte)((grey[p] + r) / 2);
                    overlay[3 * p + 1] = (byte)((grey[p] + g) / 2);
                    overlay[3 * p + 2] = (byte)((grey[p] + b) / 2);
                }
                tiles.Add(image);
                tiles.Add(new Rgb(image.Width, image.Height, overlay));
                labels.Add(captions != null && i < captions.Count ? captions[i] : "input");
                // A map that is zero everywhere found no positive evidence for the class: said on its tile, not left blank.
                bool blank = h.All(v => v <= 0);
                if (blank)
                    noEvidence.Add(i);
                labels.Add(blank ? NoPositiveEvidenceCaption : "Grad-CAM");
                frames.Add(null);
                frames.Add(blank ? NoEvidenceColor : null);
            }
            return Draw(tiles, path, columns: 2, scale, labels, frames, "Grad-CAM: where the evidence for the class lies",
                new ColorBar(Colormap.Viridis, "none", "most evidence for the class")) with { NoPositiveEvidence = noEvidence };
        }

        // The images as they are to be drawn: un-normalised where a normalisation is given, and in [0, 1] (within a
        // rounding step) or an error that says why, since clamping normalised values gives a dark, blue-tinted picture.
        static Tensor Shown(Tensor images, Vision.Normalize? normalization)
        {
            var shown = normalization == null ? images.detach().cpu().alias() : normalization.Undo(images.detach().cpu());
            double low = shown.min().item<float>(), high = shown.max().item<float>();
            if (low < -0.01 || high > 1.01)
            {
                shown.Dispose();
                throw new ArgumentException($"The images have values from {low:0.###} to {high:0.###}, not in [0, 1]: "
                    + (normalization == null
                        ? "they look normalised; pass the normalisation to undo (normalization: Normalize.ImageNet, or the image folder's Normalization)."
                        : "the normalisation given does not undo theirs; pass the one the images went through."), nameof(images));
            }
            return shown;
        }

        /// <summary>Matplotlib's viridis colour map (as ScottPlot gives it): 0 dark purple, 0.5 teal, 1 yellow.</summary>
        public static (byte R, byte G, byte B) Viridis(float value)
        {
            var color = ViridisMap.GetColor(Math.Clamp(value, 0, 1));
            return (color.R, color.G, color.B);
        }

        static readonly ScottPlot.Colormaps.Viridis ViridisMap = new();

        static (byte R, byte G, byte B) Map(Colormap colormap, float value)
        {
            if (colormap == Colormap.Viridis)
                return Viridis(value);
            var level = (byte)Math.Round(255 * Math.Clamp(value, 0, 1));
            return (level, level, level);
        }

        // A colour bar under the tiles: the map from 0 to 1 and what its ends mean.
        internal sealed record ColorBar(Colormap Colormap, string Low, string High);

        internal sealed record Rgb(int Width, int Height, byte[] Pixels);

        // One sample (C, H, W) as 8-bit RGB; normalize scales it from its minimum to its maximum, else values are in [0, 1].
        internal static Rgb Tile(Tensor sample, bool normalize, Colormap colormap = Colormap.Grey)
        {
            using var scope = NewDisposeScope();
            var x = sample.detach().cpu().to_type(ScalarType.Float32);
            int channels = (int)x.shape[0], height = (int)x.shape[1], width = (int)x.shape[2];
            if (normalize)
            {
                var low = x.min();
                var range = x.max() - low;
                x = range.item<float>() > 0 ? (x - low) / range : zeros_like(x);
            }
            var values = x.clamp(0, 1).contiguous().data<float>().ToArray();
            int plane = height * width;
            var rgb = new byte[3 * plane];
            for (int p = 0; p < plane; p++)
            {
                if (channels == 1)
                    (rgb[3 * p], rgb[3 * p + 1], rgb[3 * p + 2]) = Map(colormap, values[p]);
                else
                    for (int c = 0; c < 3; c++)
                        rgb[3 * p + c] = (byte)Math.Round(255 * values[(channels == 3 ? c : 0) * plane + p]);
            }
            return new Rgb(width, height, rgb);
        }

        internal static GridLayout Draw(List<Rgb> tiles, string path, int columns, int scale, IReadOnlyList<string>? captions, IReadOnlyList<SKColor?>? frames,
            string? title = null, ColorBar? colorBar = null)
        {
            if (tiles.Count == 0)
                throw new ArgumentException("There is nothing to draw.");
            columns = Math.Max(1, Math.Min(columns, tiles.Count));
            int rows = (tiles.Count + columns - 1) / columns;
            var typeface = SKTypeface.FromFamilyName(Figure.FontName);
            using var font = new SKFont(typeface, CaptionSize);
            using var titleFont = new SKFont(SKTypeface.FromFamilyName(Figure.FontName, SKFontStyle.Bold), Figure.TitleSize);
            using var barFont = new SKFont(typeface, Figure.TickSize);
            // Cells are wide enough for their captions, so that no caption runs into the next tile or off the picture.
            int captionWidth = captions == null || captions.Count == 0 ? 0 : (int)Math.Ceiling(captions.Max(c => font.MeasureText(c)));
            int cellWidth = Math.Max(tiles.Max(t => t.Width) * scale, captionWidth) + 2 * Gap;
            int captionHeight = captions == null ? 0 : CaptionSize + 5;
            int cellHeight = tiles.Max(t => t.Height) * scale + 2 * Gap + captionHeight;
            int titleHeight = title == null ? 0 : (int)Figure.TitleSize + 14;
            int barHeight = colorBar == null ? 0 : BarThickness + (int)Figure.TickSize + 16;
            // As wide as the title and the colour bar's words need, so that no text is cut at the edge.
            int textWidth = Math.Max(title == null ? 0 : (int)Math.Ceiling(titleFont.MeasureText(title)) + 2 * Margin,
                colorBar == null ? 0 : (int)Math.Ceiling(barFont.MeasureText(colorBar.Low) + barFont.MeasureText(colorBar.High)) + MinimumBarWidth + 2 * Margin);
            int gridWidth = columns * cellWidth;
            int width = Math.Max(gridWidth, textWidth), height = titleHeight + rows * cellHeight + barHeight;
            int gridLeft = (width - gridWidth) / 2;
            var rgba = new byte[width * height * 4];
            Array.Fill(rgba, (byte)255);
            var rects = new List<SKRectI>();
            for (int i = 0; i < tiles.Count; i++)
            {
                var tile = tiles[i];
                int left = gridLeft + (i % columns) * cellWidth + Gap, top = titleHeight + (i / columns) * cellHeight + Gap;
                rects.Add(new SKRectI(left, top, left + tile.Width * scale, top + tile.Height * scale));
                for (int y = 0; y < tile.Height * scale; y++)
                    for (int x = 0; x < tile.Width * scale; x++)
                    {
                        int source = 3 * ((y / scale) * tile.Width + x / scale), target = 4 * ((top + y) * width + left + x);
                        rgba[target] = tile.Pixels[source];
                        rgba[target + 1] = tile.Pixels[source + 1];
                        rgba[target + 2] = tile.Pixels[source + 2];
                    }
            }
            using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);

            // Tiles as one image, then the text, frames and colour bar as drawing: on the bitmap for PNG, or into an SVG
            // document whose text stays text.
            void Annotate(SKCanvas canvas)
            {
                using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
                using var frame = new SKPaint { Style = SKPaintStyle.Stroke, StrokeWidth = 3 };
                if (title != null)
                    canvas.DrawText(title, width / 2f, Figure.TitleSize + 4, SKTextAlign.Center, titleFont, text);
                for (int i = 0; i < tiles.Count; i++)
                {
                    var rect = rects[i];
                    if (frames?[i] is SKColor color)
                    {
                        frame.Color = color;
                        canvas.DrawRect(rect.Left - 2, rect.Top - 2, rect.Width + 3, rect.Height + 3, frame);
                    }
                    if (captions != null && i < captions.Count)
                        canvas.DrawText(captions[i], rect.Left, rect.Bottom + CaptionSize + 2, SKTextAlign.Left, font, text);
                }
                if (colorBar != null)
                {
                    // The bar spans the middle of the picture, its words at its ends.
                    float lowWidth = barFont.MeasureText(colorBar.Low), highWidth = barFont.MeasureText(colorBar.High);
                    float barLeft = Margin + lowWidth + 8, barRight = width - Margin - highWidth - 8;
                    float barTop = titleHeight + rows * cellHeight + 8;
                    using var fill = new SKPaint { Style = SKPaintStyle.Fill };
                    const int Steps = 64;
                    for (int k = 0; k < Steps; k++)
                    {
                        var (r, g, b) = Map(colorBar.Colormap, (k + 0.5f) / Steps);
                        fill.Color = new SKColor(r, g, b);
                        float x0 = barLeft + (barRight - barLeft) * k / Steps, x1 = barLeft + (barRight - barLeft) * (k + 1) / Steps;
                        canvas.DrawRect(x0, barTop, x1 - x0 + 0.5f, BarThickness, fill);
                    }
                    float baseline = barTop + BarThickness / 2f + Figure.TickSize / 2.8f;
                    canvas.DrawText(colorBar.Low, barLeft - 6, baseline, SKTextAlign.Right, barFont, text);
                    canvas.DrawText(colorBar.High, barRight + 6, baseline, SKTextAlign.Left, barFont, text);
                }
            }
            if (Figure.IsSvg(path))
            {
                using var memory = new System.IO.MemoryStream();
                using (var svg = SKSvgCanvas.Create(new SKRect(0, 0, width, height), memory))
                {
                    svg.DrawBitmap(bitmap, 0, 0);
                    Annotate(svg);
                }
                var bytes = memory.ToArray();
                Weights.AtomicFile.Write(path, stream => stream.Write(bytes));
            }
            else
            {
                using (var canvas = new SKCanvas(bitmap))
                    Annotate(canvas);
                Pictures.SavePng(bitmap, path);
            }
            return new GridLayout(rects, scale) { Captions = captions?.ToArray() ?? Array.Empty<string>() };
        }

        const int CaptionSize = 11, BarThickness = 12, MinimumBarWidth = 120, Margin = 12;
    }
}
