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
        /// <param name="input">(N, C, H, W) input.</param>
        /// <param name="pool">The average pool without padding, called so that hooks see it.</param>
        /// <param name="padding">Padding in <c>functional.pad</c>'s order: (left, right, top, bottom).</param>
        public static Tensor AverageOverRealPixels(Tensor input, TorchSharp.Modules.AvgPool2d pool, long[] padding)
        {
            using var scope = NewDisposeScope();
            var sums = pool.call(nn.functional.pad(input, padding));
            using var mask = ones(1, 1, input.shape[2], input.shape[3], dtype: input.dtype, device: input.device);
            var realFraction = nn.functional.avg_pool2d(nn.functional.pad(mask, padding), pool.kernel_size, pool.stride);
            return (sums / realFraction).MoveToOuterDisposeScope();
        }
    }
}
