using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Layers
{
    /// <summary>
    /// torchvision's StochasticDepth: while training, keeps each sample (per row) or the whole batch with probability
    /// 1 - p and scales what it keeps by 1 / (1 - p), so the expected output is the input; the identity in evaluation.
    /// </summary>
    public sealed class StochasticDepth : nn.Module<Tensor, Tensor>
    {
        readonly double p;
        readonly bool perRow;

        public StochasticDepth(double p, bool perRow)
            : base(nameof(StochasticDepth))
        {
            this.p = p;
            this.perRow = perRow;
        }

        public override Tensor forward(Tensor input)
        {
            if (!training || p == 0.0)
                return input.alias();
            double survival = 1.0 - p;
            var size = new long[input.dim()];
            for (int i = 0; i < size.Length; i++)
                size[i] = 1;
            if (perRow)
                size[0] = input.shape[0];
            using var noise = empty(size, input.dtype, input.device).bernoulli_(survival);
            // torchvision leaves the noise at zero when nothing survives rather than dividing by zero.
            if (survival > 0.0)
                noise.div_(survival);
            return input * noise;
        }
    }
}
