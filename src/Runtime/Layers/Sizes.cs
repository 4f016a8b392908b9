using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Layers
{
    /// <summary>Size arithmetic as the .cnn language defines it, for generated code.</summary>
    public static class Sizes
    {
        /// <summary>Floor division, as <c>//</c> in .cnn files and Python (C#'s <c>/</c> truncates toward zero).</summary>
        public static long FloorDiv(long a, long b) => a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);

        /// <summary>The remainder of <see cref="FloorDiv"/>, with the divisor's sign, as <c>%</c> in .cnn files.</summary>
        public static long Mod(long a, long b) => a - FloorDiv(a, b) * b;

        /// <summary>
        /// Keras' <c>same</c> padding for the spatial sizes of <paramref name="input"/>, in <c>functional.pad</c>'s order
        /// (last dimension first, before and after): for a model whose input sizes are variables, where it depends on them.
        /// </summary>
        public static long[] SamePadding(Tensor input, long[] kernel, long[] stride, long[] dilation)
        {
            int rank = kernel.Length;
            var pad = new long[2 * rank];
            for (int i = 0; i < rank; i++)
            {
                long n = input.shape[input.dim() - rank + i];
                long output = FloorDiv(n + stride[i] - 1, stride[i]);
                long total = System.Math.Max(0, (output - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + 1 - n);
                int at = 2 * (rank - 1 - i);
                pad[at] = total / 2;
                pad[at + 1] = total - total / 2;
            }
            return pad;
        }
    }
}
