using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Layers
{
    /// <summary>Keras' <c>same</c> average pooling where the padding is uneven, which TorchSharp's pools cannot express.</summary>
    public static class SamePooling
    {
        /// <summary>
        /// Averages each window over its real pixels only: the pool of the zero-padded input divided by the pool of a
        /// padded mask of ones, i.e. the fraction of each window that is real.
        /// </summary>
        /// <param name="input">(N, C, spatial...) input.</param>
        /// <param name="pool">The average pool without padding, called so that hooks see it.</param>
        /// <param name="kernel">The pool's window, one size per spatial dimension.</param>
        /// <param name="stride">The pool's stride, one per spatial dimension.</param>
        /// <param name="padding">Padding in <c>functional.pad</c>'s order: the last dimension first, (before, after) each.</param>
        public static Tensor AverageOverRealPixels(Tensor input, nn.Module<Tensor, Tensor> pool, long[] kernel, long[] stride, long[] padding)
        {
            using var scope = NewDisposeScope();
            var sums = pool.call(nn.functional.pad(input, padding));
            var maskShape = new long[input.dim()];
            maskShape[0] = maskShape[1] = 1;
            for (int i = 2; i < maskShape.Length; i++)
                maskShape[i] = input.shape[i];
            var mask = nn.functional.pad(ones(maskShape, dtype: input.dtype, device: input.device), padding);
            var realFraction = kernel.Length switch
            {
                1 => nn.functional.avg_pool1d(mask, kernel[0], stride[0]),
                2 => nn.functional.avg_pool2d(mask, kernel, stride),
                _ => nn.functional.avg_pool3d(mask, kernel, stride),
            };
            return (sums / realFraction).MoveToOuterDisposeScope();
        }
    }
}
