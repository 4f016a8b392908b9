using System;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnDsl.Layers
{
    /// <summary>
    /// A transposed convolution whose <c>output_padding</c> differs between dimensions (<c>output_padding=(1, 0)</c>).
    /// TorchSharp 0.107's ConvTranspose modules apply the first value to every dimension, so this module keeps the
    /// TorchSharp module's weight and bias (the same initialisation, and PyTorch's state_dict keys <c>weight</c> and
    /// <c>bias</c>) and runs the functional form with every dimension's own value, which computes PyTorch's sizes and
    /// values.
    /// </summary>
    public sealed class ConvTransposePerDimension : nn.Module<Tensor, Tensor>
    {
        readonly long[] stride, padding, outputPadding, dilation;
        readonly long groups;

        public ConvTransposePerDimension(TorchSharp.Modules.ConvolutionTranspose initialised, long[] stride, long[] padding, long[] outputPadding, long[] dilation, long groups)
            : base(initialised.GetName())
        {
            if (stride.Length != outputPadding.Length || padding.Length != outputPadding.Length || dilation.Length != outputPadding.Length || outputPadding.Length is < 2 or > 3)
                throw new ArgumentException($"stride, padding, output_padding and dilation need one value per dimension (2 or 3), not {stride.Length}, {padding.Length}, {outputPadding.Length} and {dilation.Length}.");
            weight = initialised.weight;
            bias = initialised.bias;
            this.stride = stride;
            this.padding = padding;
            this.outputPadding = outputPadding;
            this.dilation = dilation;
            this.groups = groups;
            RegisterComponents();
        }

        // Fields named as PyTorch's module names its parameters, which makes the state_dict keys.
#pragma warning disable IDE1006
        public readonly TorchSharp.Modules.Parameter weight;
        public readonly TorchSharp.Modules.Parameter? bias;
#pragma warning restore IDE1006

        // A 1-D convolution has one output_padding, which TorchSharp's module applies as it should.
        public override Tensor forward(Tensor input) => outputPadding.Length == 2
            ? F.conv_transpose2d(input, weight, bias, stride, padding, outputPadding, dilation, groups)
            : F.conv_transpose3d(input, weight, bias, stride, padding, outputPadding, dilation, groups);
    }
}
