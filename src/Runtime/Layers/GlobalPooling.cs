using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Layers
{
    /// <summary>
    /// The mean or maximum of each channel over all positions: (N, C, ...) becomes (N, C), as Keras' global pooling
    /// layers do (TorchSharp's adaptive pools keep the spatial dimensions as ones).
    /// </summary>
    public abstract class GlobalPool : nn.Module<Tensor, Tensor>
    {
        readonly bool isMax;

        protected GlobalPool(string name, bool isMax)
            : base(name)
        {
            this.isMax = isMax;
        }

        public override Tensor forward(Tensor input)
        {
            var spatial = new long[input.dim() - 2];
            for (int i = 0; i < spatial.Length; i++)
                spatial[i] = i + 2;
            return isMax ? input.amax(spatial) : input.mean(spatial, keepdim: false, type: null);
        }
    }

    public sealed class GlobalAvgPool1d() : GlobalPool(nameof(GlobalAvgPool1d), isMax: false);

    public sealed class GlobalAvgPool2d() : GlobalPool(nameof(GlobalAvgPool2d), isMax: false);

    public sealed class GlobalAvgPool3d() : GlobalPool(nameof(GlobalAvgPool3d), isMax: false);

    public sealed class GlobalMaxPool1d() : GlobalPool(nameof(GlobalMaxPool1d), isMax: true);

    public sealed class GlobalMaxPool2d() : GlobalPool(nameof(GlobalMaxPool2d), isMax: true);

    public sealed class GlobalMaxPool3d() : GlobalPool(nameof(GlobalMaxPool3d), isMax: true);
}
