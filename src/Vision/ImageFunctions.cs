using System;
using System.Linq;

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
        public static ImageData Resize(ImageData image, int height, int width) =>
            ResizedCrop(image, 0, 0, image.Height, image.Width, height, width);

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
            if (top == 0 && left == 0 && height == image.Height && width == image.Width)
                return image;
            return image.Bytes is byte[] bytes
                ? new ImageData(image.Channels, height, width, CropPlanes(bytes, image.Channels, image.Height, image.Width, top, left, height, width))
                : new ImageData(image.Channels, height, width, CropPlanes(image.Pixels, image.Channels, image.Height, image.Width, top, left, height, width), isTensor: true);
        }

        static T[] CropPlanes<T>(T[] source, int channels, int sourceHeight, int sourceWidth, int top, int left, int height, int width)
        {
            var result = new T[channels * height * width];
            int x0 = Math.Max(0, -left), x1 = Math.Min(width, sourceWidth - left);
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < height; y++)
                {
                    int sy = top + y;
                    if (sy >= 0 && sy < sourceHeight && x1 > x0)
                        Array.Copy(source, (c * sourceHeight + sy) * sourceWidth + left + x0, result, (c * height + y) * width + x0, x1 - x0);
                }
            return result;
        }

        /// <summary>torchvision's center crop: the offsets are rounded half to even, as Python's round; a larger crop pads with 0.</summary>
        public static ImageData CenterCrop(ImageData image, int height, int width)
        {
            return Crop(image, CenterOffset(image.Height, height), CenterOffset(image.Width, width), height, width);
        }

        /// <summary>Where a centred crop of <paramref name="size"/> starts in <paramref name="imageSize"/> (Python's round half to even).</summary>
        internal static int CenterOffset(int imageSize, int size) => (int)Math.Round((imageSize - size) / 2.0, MidpointRounding.ToEven);

        /// <summary>
        /// Crops the box, then resizes it to <paramref name="height"/> x <paramref name="width"/> (torchvision's
        /// resized_crop). A box inside the image is resampled in place, without copying it first; the result is the same.
        /// </summary>
        public static ImageData ResizedCrop(ImageData image, int top, int left, int boxHeight, int boxWidth, int height, int width)
        {
            if (height < 1 || width < 1)
                throw new ArgumentOutOfRangeException(nameof(height), $"Cannot resize to {height}x{width}.");
            if (top < 0 || left < 0 || top + boxHeight > image.Height || left + boxWidth > image.Width)
                return ResizedCrop(Crop(image, top, left, boxHeight, boxWidth), 0, 0, boxHeight, boxWidth, height, width);
            if (boxHeight == height && boxWidth == width)
                return Crop(image, top, left, height, width);
            // PIL resamples horizontally first, then vertically, rounding to 8 bits after each pass.
            int channels = image.Channels;
            if (image.Bytes is byte[] bytes)
            {
                var result = new byte[channels * height * width];
                ResizedCrop(PixelView.Planar(bytes, channels, image.Height, image.Width).Box(top, left, boxHeight, boxWidth), height, width, result);
                return new ImageData(channels, height, width, result);
            }
            else
            {
                var pixels = image.Pixels;
                float[] rows = width != boxWidth
                    ? Horizontal(pixels, channels, image.Height, image.Width, top, left, boxHeight, boxWidth, width)
                    : CropPlanes(pixels, channels, image.Height, image.Width, top, left, boxHeight, boxWidth);
                var result = height != boxHeight ? Vertical(rows, channels, boxHeight, width, height) : rows;
                return new ImageData(channels, height, width, result, isTensor: true);
            }
        }

        public static ImageData HorizontalFlip(ImageData image) =>
            image.Bytes is byte[] bytes
                ? new ImageData(image.Channels, image.Height, image.Width, Flip(bytes, image.Width))
                : new ImageData(image.Channels, image.Height, image.Width, Flip(image.Pixels, image.Width), isTensor: true);

        static T[] Flip<T>(T[] source, int width)
        {
            var result = new T[source.Length];
            for (int row = 0; row < source.Length / width; row++)
            {
                Array.Copy(source, row * width, result, row * width, width);
                Array.Reverse(result, row * width, width);
            }
            return result;
        }

        /// <summary>
        /// Rotates counter-clockwise by <paramref name="degrees"/> about the centre, nearest neighbour, same size, corners
        /// filled with 0 (PIL's rotate, as torchvision's RandomRotation calls it).
        /// </summary>
        public static ImageData Rotate(ImageData image, double degrees) =>
            image.Bytes is byte[] bytes
                ? new ImageData(image.Channels, image.Height, image.Width, Rotate(bytes, image.Channels, image.Height, image.Width, degrees))
                : new ImageData(image.Channels, image.Height, image.Width, Rotate(image.Pixels, image.Channels, image.Height, image.Width, degrees), isTensor: true);

        static T[] Rotate<T>(T[] source, int channels, int h, int w, double degrees)
        {
            double angle = -(degrees % 360.0) * Math.PI / 180.0;
            double a = Math.Round(Math.Cos(angle), 15), b = Math.Round(Math.Sin(angle), 15);
            double d = Math.Round(-Math.Sin(angle), 15), e = Math.Round(Math.Cos(angle), 15);
            double cx = w / 2.0, cy = h / 2.0;
            double c = a * -cx + b * -cy + cx, f = d * -cx + e * -cy + cy;
            var result = new T[source.Length];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    double xin = a * (x + 0.5) + b * (y + 0.5) + c, yin = d * (x + 0.5) + e * (y + 0.5) + f;
                    int sx = xin < 0 ? -1 : (int)xin, sy = yin < 0 ? -1 : (int)yin;
                    if (sx >= 0 && sx < w && sy >= 0 && sy < h)
                        for (int ch = 0; ch < channels; ch++)
                            result[(ch * h + y) * w + x] = source[(ch * h + sy) * w + sx];
                }
            return result;
        }

        /// <summary>Multiplies every pixel by <paramref name="factor"/> (PIL's ImageEnhance.Brightness: a blend with black).</summary>
        public static ImageData AdjustBrightness(ImageData image, double factor) =>
            image.Bytes is byte[] bytes
                ? Blend8(image, bytes, (_, _) => 0, factor)
                : BlendFloat(image, (_, _) => 0f, factor);

        /// <summary>Blends with the mean grey level (PIL's ImageEnhance.Contrast: the mean of the luma, rounded to 8 bits).</summary>
        public static ImageData AdjustContrast(ImageData image, double factor)
        {
            if (image.Bytes is byte[] bytes)
            {
                var grey = Grey8(image, bytes);
                long sum = 0;
                foreach (var v in grey)
                    sum += v;
                int mean = (int)((double)sum / grey.Length + 0.5);
                return Blend8(image, bytes, (_, _) => mean, factor);
            }
            var greyFloat = GreyFloat(image);
            double total = 0;
            foreach (var v in greyFloat)
                total += v;
            float meanFloat = (float)(total / greyFloat.Length);
            return BlendFloat(image, (_, _) => meanFloat, factor);
        }

        /// <summary>Blends with the image's own grey version (PIL's ImageEnhance.Color).</summary>
        public static ImageData AdjustSaturation(ImageData image, double factor)
        {
            if (image.Channels == 1)
                return image;
            if (image.Bytes is byte[] bytes)
            {
                var grey = Grey8(image, bytes);
                return Blend8(image, bytes, (_, i) => grey[i], factor);
            }
            var greyFloat = GreyFloat(image);
            return BlendFloat(image, (_, i) => greyFloat[i], factor);
        }

        /// <summary>(x - mean) / std per channel, as torchvision's Normalize on a tensor.</summary>
        public static ImageData Normalize(ImageData image, float[] mean, float[] std)
        {
            if (!image.IsTensor)
                throw new InvalidOperationException("Normalize works on tensors, as in torchvision: put ToTensor() before Normalize(...) in the transforms.");
            if (mean.Length != image.Channels || std.Length != image.Channels)
                throw new ArgumentException($"Normalize has {mean.Length} means and {std.Length} standard deviations for an image of {image.Channels} channels; give one per channel (or set the folder's Channels).");
            int plane = image.Height * image.Width;
            var pixels = new float[image.Channels * plane];
            if (image.TensorBytes is byte[] bytes)
            {
                // Straight from ToTensor's bytes: a table of the 256 results per channel, each computed as below.
                var table = new float[256];
                for (int c = 0; c < image.Channels; c++)
                {
                    float m = mean[c], s = std[c];
                    for (int b = 0; b < 256; b++)
                        table[b] = (b / 255f - m) / s;
                    for (int i = c * plane; i < (c + 1) * plane; i++)
                        pixels[i] = table[bytes[i]];
                }
            }
            else
            {
                var source = image.Pixels;
                for (int c = 0; c < image.Channels; c++)
                {
                    float m = mean[c], s = std[c];
                    for (int i = c * plane; i < (c + 1) * plane; i++)
                        pixels[i] = (source[i] - m) / s;
                }
            }
            return new ImageData(image.Channels, image.Height, image.Width, pixels, isTensor: true);
        }

        // PIL's convert("L") of every pixel.
        static int[] Grey8(ImageData image, byte[] bytes)
        {
            int plane = image.Height * image.Width;
            var grey = new int[plane];
            for (int i = 0; i < plane; i++)
                grey[i] = image.Channels == 1 ? bytes[i] : ImageData.Luma(bytes[i], bytes[plane + i], bytes[2 * plane + i]);
            return grey;
        }

        // torchvision's rgb_to_grayscale on tensors.
        static float[] GreyFloat(ImageData image)
        {
            int plane = image.Height * image.Width;
            var pixels = image.Pixels;
            var grey = new float[plane];
            for (int i = 0; i < plane; i++)
                grey[i] = image.Channels == 1 ? pixels[i] : 0.2989f * pixels[i] + 0.587f * pixels[plane + i] + 0.114f * pixels[2 * plane + i];
            return grey;
        }

        // PIL's Image.blend(degenerate, image, factor): degenerate + factor * (image - degenerate) in single precision,
        // truncated to 8 bits and clamped, so that truncation lands where PIL's does.
        static ImageData Blend8(ImageData image, byte[] bytes, Func<int, int, int> degenerate, double factor)
        {
            int plane = image.Height * image.Width;
            float alpha = (float)factor;
            var result = new byte[bytes.Length];
            for (int c = 0; c < image.Channels; c++)
                for (int i = 0; i < plane; i++)
                {
                    int o = degenerate(c, i), v = bytes[c * plane + i];
                    float blended = o + alpha * (v - o);
                    result[c * plane + i] = blended <= 0 ? (byte)0 : blended >= 255 ? (byte)255 : (byte)blended;
                }
            return new ImageData(image.Channels, image.Height, image.Width, result);
        }

        // torchvision's _blend on tensors: clamped to [0, 1].
        static ImageData BlendFloat(ImageData image, Func<int, int, float> degenerate, double factor)
        {
            int plane = image.Height * image.Width;
            var source = image.Pixels;
            var result = new float[source.Length];
            for (int c = 0; c < image.Channels; c++)
                for (int i = 0; i < plane; i++)
                {
                    float other = degenerate(c, i);
                    result[c * plane + i] = Math.Clamp((float)(other + factor * (source[c * plane + i] - other)), 0f, 1f);
                }
            return new ImageData(image.Channels, image.Height, image.Width, result, isTensor: true);
        }

        const int PrecisionBits = 32 - 8 - 2;

        // PIL's precompute_coeffs for the bilinear (triangle) filter, its support scaled by the reduction factor
        // (antialiasing): for each output position, the first input index and the normalized weights.
        static (int[] Starts, double[][] Weights) Coefficients(int inSize, int outSize)
        {
            double scale = (double)inSize / outSize;
            double filterScale = Math.Max(scale, 1.0);
            double support = filterScale;
            var starts = new int[outSize];
            var weights = new double[outSize][];
            for (int o = 0; o < outSize; o++)
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
            return (starts, weights);
        }

        static byte Clip8(int value)
        {
            int shifted = value >> PrecisionBits;
            return shifted < 0 ? (byte)0 : shifted > 255 ? (byte)255 : (byte)shifted;
        }

        // PIL's coefficients in fixed point (normalize_coeffs_8bpc: rounded), flat: output o reads Counts[o] inputs from
        // Starts[o] with the weights at o * Taps (Taps = the most any output reads).
        readonly struct FixedCoefficients
        {
            public FixedCoefficients(int inSize, int outSize)
            {
                var (starts, weights) = Coefficients(inSize, outSize);
                Starts = starts;
                Counts = Array.ConvertAll(weights, k => k.Length);
                Taps = Math.Max(1, Counts.DefaultIfEmpty(0).Max());
                Weights = new int[outSize * Taps];
                for (int o = 0; o < outSize; o++)
                    for (int j = 0; j < Counts[o]; j++)
                        Weights[o * Taps + j] = (int)(weights[o][j] * (1 << PrecisionBits) + (weights[o][j] < 0 ? -0.5 : 0.5));
            }

            public int[] Starts { get; }
            public int[] Counts { get; }
            public int[] Weights { get; }
            public int Taps { get; }
        }

        /// <summary>
        /// Resizes <paramref name="box"/> to <paramref name="height"/> x <paramref name="width"/> into
        /// <paramref name="result"/> (planar), with PIL's 8-bit filter: horizontally first, then vertically, rounding to 8
        /// bits after each pass; a pass whose size does not change is left out, as PIL does.
        /// </summary>
        internal static void ResizedCrop(PixelView box, int height, int width, byte[] result)
        {
            int channels = box.Channels;
            if (width == box.Width && height == box.Height)
            {
                box.CopyPlanar(result);
                return;
            }
            if (height == box.Height)
            {
                Horizontal(box, width, result);
                return;
            }
            var pool = System.Buffers.ArrayPool<byte>.Shared;
            var rows = pool.Rent(channels * box.Height * width);
            try
            {
                if (width != box.Width)
                    Horizontal(box, width, rows);
                else
                    box.CopyPlanar(rows);
                Vertical(rows, channels, box.Height, width, height, result);
            }
            finally
            {
                pool.Return(rows);
            }
        }

        // The view's rows resampled to `outWidth` columns, 8 bits, planar: (channels, height, outWidth). All channels of
        // a pixel go through one pass, so that each weight is loaded once for them.
        static unsafe void Horizontal(PixelView source, int outWidth, byte[] result)
        {
            var k = new FixedCoefficients(source.Width, outWidth);
            int channels = source.Channels, outPlane = source.Height * outWidth, taps = k.Taps;
            int step = source.PixelStride, channelStride = source.ChannelStride;
            fixed (byte* sourceStart = source.Array, resultStart = result)
            fixed (int* starts = k.Starts, counts = k.Counts, weights = k.Weights)
                for (int y = 0; y < source.Height; y++)
                {
                    byte* row = sourceStart + source.Start + y * source.RowStride;
                    byte* target = resultStart + y * outWidth;
                    if (channels == 3)
                    {
                        for (int x = 0; x < outWidth; x++)
                        {
                            byte* r = row + starts[x] * step;
                            byte* g = r + channelStride, b = g + channelStride;
                            int* w = weights + x * taps;
                            int sumR = 1 << (PrecisionBits - 1), sumG = sumR, sumB = sumR;
                            for (int j = 0, n = counts[x], at = 0; j < n; j++, at += step)
                            {
                                sumR += w[j] * r[at];
                                sumG += w[j] * g[at];
                                sumB += w[j] * b[at];
                            }
                            target[x] = Clip8(sumR);
                            target[outPlane + x] = Clip8(sumG);
                            target[2 * outPlane + x] = Clip8(sumB);
                        }
                    }
                    else
                    {
                        for (int c = 0; c < channels; c++)
                            for (int x = 0; x < outWidth; x++)
                            {
                                byte* p = row + c * channelStride + starts[x] * step;
                                int* w = weights + x * taps;
                                int sum = 1 << (PrecisionBits - 1);
                                for (int j = 0, n = counts[x], at = 0; j < n; j++, at += step)
                                    sum += w[j] * p[at];
                                target[c * outPlane + x] = Clip8(sum);
                            }
                    }
                }
        }

        // Planar rows resampled to `outHeight`, 8 bits: each output row is a weighted sum of whole input rows, 8 columns
        // at a time in SIMD registers where the CPU has them.
        static unsafe void Vertical(byte[] source, int channels, int height, int width, int outHeight, byte[] result)
        {
            var k = new FixedCoefficients(height, outHeight);
            const int Lanes = 8;
            bool simd = System.Runtime.Intrinsics.X86.Avx2.IsSupported;
            fixed (byte* sourceStart = source, resultStart = result)
            fixed (int* starts = k.Starts, counts = k.Counts, weights = k.Weights)
            {
                var clipped = stackalloc int[Lanes];
                for (int c = 0; c < channels; c++)
                    for (int y = 0; y < outHeight; y++)
                    {
                        byte* first = sourceStart + (c * height + starts[y]) * width;
                        byte* target = resultStart + (c * outHeight + y) * width;
                        int* w = weights + y * k.Taps;
                        int n = counts[y], x = 0;
                        if (simd)
                        {
                            var half = System.Runtime.Intrinsics.Vector256.Create(1 << (PrecisionBits - 1));
                            for (; x <= width - Lanes; x += Lanes)
                            {
                                var sum = half;
                                for (int j = 0; j < n; j++)
                                {
                                    var pixels = System.Runtime.Intrinsics.X86.Avx2.ConvertToVector256Int32(first + j * width + x);
                                    sum += pixels * System.Runtime.Intrinsics.Vector256.Create(w[j]);
                                }
                                System.Runtime.Intrinsics.Vector256.Store(System.Runtime.Intrinsics.Vector256.Min(System.Runtime.Intrinsics.Vector256.Max(
                                    System.Runtime.Intrinsics.Vector256.ShiftRightArithmetic(sum, PrecisionBits), System.Runtime.Intrinsics.Vector256<int>.Zero),
                                    System.Runtime.Intrinsics.Vector256.Create(255)), clipped);
                                for (int lane = 0; lane < Lanes; lane++)
                                    target[x + lane] = (byte)clipped[lane];
                            }
                        }
                        for (; x < width; x++)
                        {
                            int sum = 1 << (PrecisionBits - 1);
                            for (int j = 0; j < n; j++)
                                sum += w[j] * first[j * width + x];
                            target[x] = Clip8(sum);
                        }
                    }
            }
        }

        static float[] Horizontal(float[] source, int channels, int height, int width, int top, int left, int boxHeight, int boxWidth, int outWidth)
        {
            var (starts, weights) = Coefficients(boxWidth, outWidth);
            var result = new float[channels * boxHeight * outWidth];
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < boxHeight; y++)
                {
                    int row = (c * height + top + y) * width + left, target = (c * boxHeight + y) * outWidth;
                    for (int x = 0; x < outWidth; x++)
                    {
                        var taps = weights[x];
                        int at = row + starts[x];
                        double sum = 0;
                        for (int j = 0; j < taps.Length; j++)
                            sum += taps[j] * source[at + j];
                        result[target + x] = (float)sum;
                    }
                }
            return result;
        }

        static float[] Vertical(float[] source, int channels, int height, int width, int outHeight)
        {
            var (starts, weights) = Coefficients(height, outHeight);
            var result = new float[channels * outHeight * width];
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < outHeight; y++)
                {
                    var taps = weights[y];
                    int target = (c * outHeight + y) * width;
                    for (int j = 0; j < taps.Length; j++)
                    {
                        float weight = (float)taps[j];
                        int row = (c * height + starts[y] + j) * width;
                        for (int x = 0; x < width; x++)
                            result[target + x] += weight * source[row + x];
                    }
                }
            return result;
        }
    }
}
