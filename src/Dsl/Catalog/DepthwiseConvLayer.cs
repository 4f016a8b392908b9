using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>depthwise_conv2d kernel</c> (Keras' DepthwiseConv2D) on (C, H, W): each channel convolved on its own into
    /// <c>depth_multiplier</c> channels, output (C*depth_multiplier, H', W') with the convolution's size rule;
    /// C*depth_multiplier*kh*kw weights + C*depth_multiplier biases; <c>nn.Conv2d(C, C*m, k, groups: C)</c>.
    /// </summary>
    public sealed class DepthwiseConvLayer : LayerKind
    {
        const int Rank = 2;

        public DepthwiseConvLayer()
            : base("depthwise_conv2d", "DepthwiseConv2d", "depthwise_conv2d", "A 2-D convolution of each channel on its own over " + SpatialWindow.Describe(Rank) + ".",
                new[] {
                new ParameterSpec("kernel", ParameterType.Size, "the window size, e.g. 3 or (3, 5)", required: true, positional: true),
                new ParameterSpec("stride", ParameterType.Size, "the step between windows", defaultText: "1"),
                new ParameterSpec("padding", ParameterType.Padding, "valid, same, or explicit sizes", defaultText: "valid"),
                new ParameterSpec("dilation", ParameterType.Size, "the spacing between kernel elements", defaultText: "1"),
                new ParameterSpec("depth_multiplier", ParameterType.Integer, "the output channels per input channel", defaultText: "1"),
                new ParameterSpec("bias", ParameterType.Boolean, "whether to add a learned bias", defaultText: "true"),
                new ParameterSpec("activation", ParameterType.Activation, "applied to the output", defaultText: "none"),
                new ParameterSpec("in_channels", ParameterType.Integer, "the expected number of input channels, checked against the inferred one")}
                .Concat(Initializer.Parameters()).ToArray())
        {
        }

        public override Equivalents Equivalents => new Equivalents("nn.Conv2d", "layers.DepthwiseConv2D",
            "PyTorch has no depthwise module: `nn.Conv2d(C, C * depth_multiplier, kernel, groups=C)`. `padding=same` as for `conv2d`.");

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var arguments = context.Arguments;
            var ones = SpatialWindow.Ones(Rank);
            var kernel = arguments.Size("kernel", Rank) ?? ones;
            var stride = arguments.Size("stride", Rank, ones)!;
            var dilation = arguments.Size("dilation", Rank, ones)!;
            var padding = arguments.Padding("padding", Rank);
            var multiplier = arguments.Integer("depth_multiplier") ?? Exprs.One;
            var bias = arguments.Boolean("bias", true);
            var activation = arguments.Activation("activation");
            arguments.Integer("in_channels");
            var init = Initializer.Read(arguments);
            if (arguments.HasErrors)
                return null;
            bool ok = arguments.AtLeast("kernel", kernel, 1) && arguments.AtLeast("stride", stride, 1) && arguments.AtLeast("dilation", dilation, 1);
            ok &= arguments.AtLeast("depth_multiplier", multiplier, 1);
            ok &= SpatialWindow.CheckPaddingNotNegative(arguments, padding);
            if (!ok || !context.CanInferShape)
                return null;
            if (context.Input.Rank != Rank + 1)
            {
                context.ReportRank("a " + SpatialWindow.Describe(Rank) + " input", context.Input.Rank == 1 ? "; a convolution cannot follow flatten or dense" : SpatialWindow.RankHint(context.Input, "conv", Rank));
                return null;
            }
            var channels = context.Input[0];
            if (!context.CheckDeclaredInput("in_channels", channels))
                return null;
            return ConvLayer.Window(context, Rank, channels, Exprs.Multiply(channels, multiplier), kernel, stride, dilation, padding, channels, bias, activation) is { } config
                ? config with { Init = init } : null;
        }
    }
}
