using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Layers
{
    /// <summary>
    /// x * scale + offset with constants, one for all channels or one per channel (dimension 1). The constants are not
    /// weights: they are neither parameters nor state, so they add no state_dict key.
    /// </summary>
    public sealed class Rescaling : nn.Module<Tensor, Tensor>
    {
        readonly double[] scale;
        readonly double[] offset;

        public Rescaling(double[] scale, double[] offset)
            : base(nameof(Rescaling))
        {
            this.scale = scale;
            this.offset = offset;
        }

        public override Tensor forward(Tensor input)
        {
            using var scaled = input * PerChannel(scale, input);
            return scaled + PerChannel(offset, input);
        }

        // A (1, C, 1, ...) tensor on the input's device, or a scalar when one value serves every channel.
        static Tensor PerChannel(double[] values, Tensor input)
        {
            if (values.Length == 1)
                return tensor(values[0], input.dtype, input.device);
            var shape = new long[input.dim()];
            for (int i = 0; i < shape.Length; i++)
                shape[i] = 1;
            shape[1] = values.Length;
            return tensor(values, input.dtype, input.device).reshape(shape);
        }
    }
}
