using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Layers
{
    /// <summary>
    /// Keras' separable convolution: a depthwise convolution (one filter group per input channel) followed by a 1x1
    /// pointwise one. The two are named <c>depthwise</c> and <c>pointwise</c>, which makes the state_dict keys.
    /// </summary>
    public sealed class SeparableConv : nn.Module<Tensor, Tensor>
    {
        readonly nn.Module<Tensor, Tensor> depthwise;
        readonly nn.Module<Tensor, Tensor> pointwise;

        public SeparableConv(nn.Module<Tensor, Tensor> depthwise, nn.Module<Tensor, Tensor> pointwise)
            : base(nameof(SeparableConv))
        {
            this.depthwise = depthwise;
            this.pointwise = pointwise;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var spread = depthwise.call(input);
            return pointwise.call(spread);
        }
    }
}
