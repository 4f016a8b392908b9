using System;

namespace CnnDsl.Vision
{
    /// <summary>
    /// The image operations behind the transforms, with torchvision.transforms.functional's semantics on its PIL path:
    /// an 8-bit image (before <c>ToTensor</c>) is resized with PIL's fixed-point antialiased bilinear filter and blended
    /// with PIL's truncation, so results match torchvision's to the pixel; a tensor image computes in floats.
    /// </summary>
    public static class ImageFunctions
    {
        /// <summary>Resizes to exactly <paramref name="height"/> x <paramref name="width"/>, bilinear with antialiasing (PIL's filter).</summary>
        public static ImageData Resize(ImageData image, int height, int width)
        {
            if (height < 1 || width < 1)
                throw new ArgumentOutOfRangeException(nameof(height), $"Cannot resize to {height}x{width}.");
            if (height == image.Height && width == image.Width)
                return image;
            // PIL resamples horizontally first, then vertically, rounding to 8 bits after each pass.
            var pixels = image.Pixels;
            int h = image.Height, w = image.Width;
            if (width != w)
            {
                pixels = Resample(pixels, image.Channels, h, w, width, horizontal: true, image.IsTensor);
                w = width;
            }
            if (height != h)
            {
                pixels = Resample(pixels, image.Channels, h, w, height, horizontal: false, image.IsTensor);
                h = height;
            }
            return new ImageData(image.Channels, h, w, pixels, image.IsTensor);
        }

        /// <summary>torchvision's size for <c>Resize(size)</c>: the shorter side becomes <paramref name="size"/>, the aspect ratio is kept.</summary>
        public static (int Height, int Width) ShorterSideSize(int height, int width, int size)
        {
            bool wide = width > height;
            int shorter = wide ? height : width, longer = wide ? width : height;
            int newLonger = (int)((long)size * longer / shorter);
            return wide ? (size, newLonger) : (newLonger, size);
        }

        /// <summary>The region at (<paramref name="top"/>, <paramref name="left"/>) of the given size; outside the image is 0, as PIL's crop.</summary>
        public static ImageData Crop(ImageData image, int top, int left, int height, int width)
        {
            var pixels = new float[image.Channels * height * width];
            for (int c = 0; c < image.Channels; c++)
                for (int y = 0; y < height; y++)
                {
                    int sy = top + y;
                    if (sy < 0 || sy >= image.Height)
                        continue;
                    int x0 = Math.Max(0, -left), x1 = Math.Min(width, image.Width - left);
                    if (x1 > x0)
                        Array.Copy(image.Pixels, (c * image.Height + sy) * image.Width + left + x0, pixels, (c * height + y) * width + x0, x1 - x0);
                }
            return new ImageData(image.Channels, height, width, pixels, image.IsTensor);
        }

        /// <summary>torchvision's center crop: the offsets are rounded half to even, as Python's round; a larger crop pads with 0.</summary>
        public static ImageData CenterCrop(ImageData image, int height, int width)
        {
            int top = (int)Math.Round((image.Height - height) / 2.0, MidpointRounding.ToEven);
            int left = (int)Math.Round((image.Width - width) / 2.0, MidpointRounding.ToEven);
            return Crop(image, top, left, height, width);
        }

        /// <summary>Crops the box, then resizes it to <paramref name="height"/> x <paramref name="width"/> (torchvision's resized_crop).</summary>
        public static ImageData ResizedCrop(ImageData image, int top, int left, int boxHeight, int boxWidth, int height, int width) =>
            Resize(Crop(image, top, left, boxHeight, boxWidth), height, width);

        public static ImageData HorizontalFlip(ImageData image)
        {
            var pixels = new float[image.Pixels.Length];
            int w = image.Width;
            for (int row = 0; row < image.Channels * image.Height; row++)
                for (int x = 0; x < w; x++)
                    pixels[row * w + x] = image.Pixels[row * w + w - 1 - x];
            return new ImageData(image.Channels, image.Height, w, pixels, image.IsTensor);
        }

        /// <summary>
        /// Rotates counter-clockwise by <paramref name="degrees"/> about the centre, nearest neighbour, same size, corners
        /// filled with <paramref name="fill"/> (PIL's rotate, as torchvision's RandomRotation calls it).
        /// </summary>
        public static ImageData Rotate(ImageData image, double degrees, float fill = 0)
        {
            double angle = -(degrees % 360.0) * Math.PI / 180.0;
            double a = Math.Round(Math.Cos(angle), 15), b = Math.Round(Math.Sin(angle), 15);
            double d = Math.Round(-Math.Sin(angle), 15), e = Math.Round(Math.Cos(angle), 15);
            double cx = image.Width / 2.0, cy = image.Height / 2.0;
            double c = a * -cx + b * -cy + cx, f = d * -cx + e * -cy + cy;
            var pixels = new float[image.Pixels.Length];
            int w = image.Width, h = image.Height;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    double xin = a * (x + 0.5) + b * (y + 0.5) + c, yin = d * (x + 0.5) + e * (y + 0.5) + f;
                    int sx = xin < 0 ? -1 : (int)xin, sy = yin < 0 ? -1 : (int)yin;
                    bool inside = sx >= 0 && sx < w && sy >= 0 && sy < h;
                    for (int ch = 0; ch < image.Channels; ch++)
                        pixels[(ch * h + y) * w + x] = inside ? image.Pixels[(ch * h + sy) * w + sx] : fill;
                }
            return new ImageData(image.Channels, h, w, pixels, image.IsTensor);
        }

        /// <summary>Multiplies every pixel by <paramref name="factor"/> (PIL's ImageEnhance.Brightness: a blend with black).</summary>
        public static ImageData AdjustBrightness(ImageData image, double factor) =>
            Blend(image, (_, _) => 0f, factor);

        /// <summary>Blends with the mean grey level (PIL's ImageEnhance.Contrast: the mean of the luma, rounded to 8 bits).</summary>
        public static ImageData AdjustContrast(ImageData image, double factor)
        {
            var grey = Grey(image);
            double sum = 0;
            foreach (var v in grey)
                sum += v;
            float mean = image.IsTensor ? (float)(sum / grey.Length) : (int)(sum * 255 / grey.Length + 0.5) / 255f;
            return Blend(image, (_, _) => mean, factor);
        }

        /// <summary>Blends with the image's own grey version (PIL's ImageEnhance.Color).</summary>
        public static ImageData AdjustSaturation(ImageData image, double factor)
        {
            if (image.Channels == 1)
                return image;
            var grey = Grey(image);
            return Blend(image, (_, i) => grey[i], factor);
        }

        /// <summary>(x - mean) / std per channel, as torchvision's Normalize on a tensor.</summary>
        public static ImageData Normalize(ImageData image, float[] mean, float[] std)
        {
            if (!image.IsTensor)
                throw new InvalidOperationException("Normalize works on tensors, as in torchvision: put ToTensor() before Normalize(...) in the transforms.");
            if (mean.Length != image.Channels || std.Length != image.Channels)
                throw new ArgumentException($"Normalize has {mean.Length} means and {std.Length} standard deviations for an image of {image.Channels} channels; give one per channel (or set the folder's Channels).");
            var pixels = new float[image.Pixels.Length];
            int plane = image.Height * image.Width;
            for (int c = 0; c < image.Channels; c++)
                for (int i = 0; i < plane; i++)
                    pixels[c * plane + i] = (image.Pixels[c * plane + i] - mean[c]) / std[c];
            return new ImageData(image.Channels, image.Height, image.Width, pixels, isTensor: true);
        }

        // The luma of every pixel; 8-bit images round it as PIL's convert("L").
        static float[] Grey(ImageData image)
        {
            int plane = image.Height * image.Width;
            var grey = new float[plane];
            if (image.Channels == 1)
            {
                Array.Copy(image.Pixels, grey, plane);
                return grey;
            }
            for (int i = 0; i < plane; i++)
            {
                float r = image.Pixels[i], g = image.Pixels[plane + i], b = image.Pixels[2 * plane + i];
                grey[i] = image.IsTensor
                    ? 0.2989f * r + 0.587f * g + 0.114f * b
                    : ImageData.Luma(Byte(r), Byte(g), Byte(b)) / 255f;
            }
            return grey;
        }

        // PIL's Image.blend(degenerate, image, factor): degenerate + factor * (image - degenerate), truncated to 8 bits
        // and clamped; tensors clamp to [0, 1] as torchvision's _blend does.
        static ImageData Blend(ImageData image, Func<int, int, float> degenerate, double factor)
        {
            int plane = image.Height * image.Width;
            var pixels = new float[image.Pixels.Length];
            for (int c = 0; c < image.Channels; c++)
                for (int i = 0; i < plane; i++)
                {
                    float other = degenerate(c, i);
                    float value = image.Pixels[c * plane + i];
                    if (image.IsTensor)
                    {
                        pixels[c * plane + i] = Math.Clamp((float)(other + factor * (value - other)), 0f, 1f);
                    }
                    else
                    {
                        // In single precision, as PIL computes it, so that truncation lands where PIL's does.
                        int o = Byte(other), v = Byte(value);
                        float blended = o + (float)factor * (v - o);
                        pixels[c * plane + i] = (blended <= 0 ? 0 : blended >= 255 ? 255 : (int)blended) / 255f;
                    }
                }
            return new ImageData(image.Channels, image.Height, image.Width, pixels, image.IsTensor);
        }

        static int Byte(float value) => (int)MathF.Round(value * 255f);

        const int PrecisionBits = 32 - 8 - 2;

        // PIL's ImagingResample for one axis with the bilinear (triangle) filter, support scaled by the reduction
        // factor (antialiasing). 8-bit images use PIL's fixed-point coefficients and rounding.
        static float[] Resample(float[] source, int channels, int height, int width, int size, bool horizontal, bool isTensor)
        {
            int inSize = horizontal ? width : height;
            double scale = (double)inSize / size;
            double filterScale = Math.Max(scale, 1.0);
            double support = filterScale;
            var starts = new int[size];
            var weights = new double[size][];
            for (int o = 0; o < size; o++)
            {
                double center = (o + 0.5) * scale;
                int min = Math.Max((int)(center - support + 0.5), 0);
                int max = Math.Min((int)(center + support + 0.5), inSize) - min;
                var k = new double[Math.Max(max, 0)];
                double total = 0;
                for (int x = 0; x < k.Length; x++)
                {
                    double t = Math.Abs((x + min - center + 0.5) * (1.0 / filterScale));
                    k[x] = t < 1 ? 1 - t : 0;
                    total += k[x];
                }
                if (total != 0)
                    for (int x = 0; x < k.Length; x++)
                        k[x] /= total;
                starts[o] = min;
                weights[o] = k;
            }
            int outHeight = horizontal ? height : size, outWidth = horizontal ? size : width;
            var result = new float[channels * outHeight * outWidth];
            var fixedWeights = isTensor ? null : Array.ConvertAll(weights, k => Array.ConvertAll(k, v => (int)(v * (1 << PrecisionBits) + (v < 0 ? -0.5 : 0.5))));
            int[]? bytes = isTensor ? null : Array.ConvertAll(source, v => (int)MathF.Round(v * 255f));
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < outHeight; y++)
                    for (int x = 0; x < outWidth; x++)
                    {
                        int o = horizontal ? x : y;
                        int start = starts[o];
                        // Source index of tap j: along the row (horizontal) or down the column (vertical).
                        int baseIndex = horizontal ? (c * height + y) * width + start : (c * height + start) * width + x;
                        int stride = horizontal ? 1 : width;
                        float value;
                        if (isTensor)
                        {
                            double sum = 0;
                            var k = weights[o];
                            for (int j = 0; j < k.Length; j++)
                                sum += k[j] * source[baseIndex + j * stride];
                            value = (float)sum;
                        }
                        else
                        {
                            long sum = 1L << (PrecisionBits - 1);
                            var k = fixedWeights![o];
                            for (int j = 0; j < k.Length; j++)
                                sum += (long)k[j] * bytes![baseIndex + j * stride];
                            value = Math.Clamp((int)(sum >> PrecisionBits), 0, 255) / 255f;
                        }
                        result[(c * outHeight + y) * outWidth + x] = value;
                    }
            return result;
        }
    }
}
