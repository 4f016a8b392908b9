namespace CnnDsl.Dsl.Catalog
{
    /// <summary>Output sizes of sliding windows (convolution and pooling) along one dimension.</summary>
    public static class Geometry
    {
        /// <summary>
        /// floor((n + before + after - d(k-1) - 1) / s) + 1, with floor division so that an input smaller than the window
        /// gives a size of zero or less instead of C#'s truncation to 1. With <paramref name="ceilMode"/> it rounds up,
        /// minus one if the last window would start past the input and its left padding, as PyTorch does.
        /// </summary>
        public static long OutputSize(long n, long before, long after, long kernel, long stride, long dilation, bool ceilMode)
        {
            long span = n + before + after - dilation * (kernel - 1) - 1;
            if (span < 0)
                return FloorDiv(span, stride) + 1;
            long size = (ceilMode ? CeilDiv(span, stride) : span / stride) + 1;
            if (ceilMode && (size - 1) * stride >= n + before)
                size--;
            return size;
        }

        /// <summary>
        /// Keras' <c>same</c> padding along one dimension: the output has ceil(n/s) positions, and the total padding
        /// needed for that is split with the odd pixel after (right or bottom).
        /// </summary>
        public static (long Before, long After) SamePadding(long n, long kernel, long stride, long dilation)
        {
            long total = System.Math.Max(0, (CeilDiv(n, stride) - 1) * stride + dilation * (kernel - 1) + 1 - n);
            return (total / 2, total - total / 2);
        }

        public static long FloorDiv(long a, long b) => a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);

        public static long CeilDiv(long a, long b) => -FloorDiv(-a, b);
    }
}
