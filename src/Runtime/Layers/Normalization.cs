using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Layers
{
    /// <summary>Normalisation modules started as PyTorch starts them.</summary>
    public static class Normalization
    {
        /// <summary>
        /// <c>nn.GroupNorm</c> with PyTorch's initial scale (ones) and shift (zeros): TorchSharp 0.107 leaves both as
        /// uninitialised memory (<c>torch.empty</c>).
        /// </summary>
        public static TorchSharp.Modules.GroupNorm GroupNorm(long num_groups, long num_channels, double eps = 1e-5, bool affine = true)
        {
            var module = nn.GroupNorm(num_groups, num_channels, eps, affine);
            if (affine)
            {
                using var _ = no_grad();
                module.weight.fill_(1);
                module.bias!.fill_(0);
            }
            return module;
        }
    }
}
