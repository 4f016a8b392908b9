using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Binding;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>conv2d filters, kernel</c> on (C, H, W): output (filters, H', W') with
    /// H' = floor((H + pad_before + pad_after - d(k-1) - 1) / s) + 1; filters*(C/groups)*kh*kw weights + filters biases;
    /// <c>nn.Conv2d(C, filters, kernel_size, ...)</c>. Keras' <c>same</c> with stride 1 uses TorchSharp's Padding.Same; with a
    /// larger stride, or uneven explicit padding, forward pads explicitly before the convolution.
    /// </summary>
    public sealed class Conv2dLayer : LayerKind
    {
        public Conv2dLayer()
            : base("conv2d", "Conv2d", "conv2d", "A 2-D convolution over (channels, height, width).",
                new ParameterSpec("filters", ParameterType.Integer, "the number of output channels, e.g. 32", required: true, positional: true),
                new ParameterSpec("kernel", ParameterType.Size, "the window size, e.g. 3 or (3, 5)", required: true, positional: true),
                new ParameterSpec("stride", ParameterType.Size, "the step between windows", defaultText: "1"),
                new ParameterSpec("padding", ParameterType.Padding, "valid, same, or explicit sizes", defaultText: "valid"),
                new ParameterSpec("dilation", ParameterType.Size, "the spacing between kernel elements", defaultText: "1"),
                new ParameterSpec("groups", ParameterType.Integer, "the number of channel groups (in and out channels must divide by it)", defaultText: "1"),
                new ParameterSpec("bias", ParameterType.Boolean, "whether to add a learned bias", defaultText: "true"),
                new ParameterSpec("activation", ParameterType.Activation, "applied to the output", defaultText: "none"),
                new ParameterSpec("in_channels", ParameterType.Integer, "the expected number of input channels, checked against the inferred one"))
        {
        }

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            const int rank = 2;
            var arguments = context.Arguments;
            long filters = arguments.Integer("filters") ?? 1;
            var kernel = arguments.Size("kernel", rank) ?? new long[] { 1, 1 };
            var stride = arguments.Size("stride", rank, new long[] { 1, 1 })!;
            var dilation = arguments.Size("dilation", rank, new long[] { 1, 1 })!;
            var padding = arguments.Padding("padding", rank);
            long groups = arguments.Integer("groups") ?? 1;
            bool bias = arguments.Boolean("bias", true);
            var activation = arguments.Activation("activation");
            arguments.Integer("in_channels");
            if (arguments.HasErrors)
                return null;

            bool ok = filters >= 1 || arguments.OutOfRange("filters", filters.ToString(), "at least 1");
            ok &= arguments.AtLeast("kernel", kernel, 1) && arguments.AtLeast("stride", stride, 1) && arguments.AtLeast("dilation", dilation, 1);
            ok &= groups >= 1 || arguments.OutOfRange("groups", groups.ToString(), "at least 1");
            if (padding.Mode == PaddingMode.Explicit && padding.PerSide.Any(p => p < 0))
                ok &= arguments.OutOfRange("padding", "(" + string.Join(", ", padding.PerSide) + ")", "at least 0 on every side");
            if (!ok || !context.CanInferShape)
                return null;

            if (context.Input.Rank != rank + 1)
            {
                context.ReportRank("a (channels, height, width) input", context.Input.Rank == 1 ? "; a convolution cannot follow flatten or dense" : "");
                return null;
            }
            long channels = context.Input[0];
            if (!context.CheckDeclaredInput("in_channels", channels))
                return null;
            if (channels % groups != 0 || filters % groups != 0)
            {
                arguments.OutOfRange("groups", groups.ToString(), "a divisor of both the input channels (" + channels + ") and filters (" + filters + ")");
                return null;
            }

            var spatial = context.Input.Dimensions.Skip(1).ToArray();
            var perSide = SpatialWindow.PerSide(padding, spatial, kernel, stride, dilation);
            var output = SpatialWindow.OutputSizes(context, spatial, perSide, kernel, stride, dilation, ceilMode: false, SpatialWindow.PaddingText(padding, perSide));
            if (output == null)
                return null;

            return new Conv2dConfig(channels, filters, kernel.ToEquatableArray(), stride.ToEquatableArray(), dilation.ToEquatableArray(),
                perSide.ToEquatableArray(), padding.Mode == PaddingMode.Same, groups, bias, activation,
                new TensorShape(new[] { filters }.Concat(output).ToArray()));
        }
    }

    public sealed record Conv2dConfig(
        long InChannels, long Filters, EquatableArray<long> Kernel, EquatableArray<long> Stride, EquatableArray<long> Dilation,
        EquatableArray<long> PerSidePadding, bool SamePadding, long Groups, bool Bias, Activation? Applied, TensorShape Output) : LayerConfig
    {
        public override TensorShape OutputShape => Output;
        public override long Parameters => Filters * (InChannels / Groups) * Kernel.Aggregate(1L, (a, b) => a * b) + (Bias ? Filters : 0);
        public override string ModuleType => "Conv2d";
        public override Activation? Activation => Applied;

        bool UsesTorchSame => SamePadding && Stride.All(s => s == 1);
        bool PadsInForward => !UsesTorchSame && !SpatialWindow.IsSymmetric(PerSidePadding.ToArray());

        public override string EmitConstructor()
        {
            var padding = SpatialWindow.PerDimension(PerSidePadding.ToArray());
            bool asTuple = !(SpatialWindow.IsUniform(Kernel) && SpatialWindow.IsUniform(Stride) && SpatialWindow.IsUniform(Dilation) && SpatialWindow.IsUniform(padding));
            var arguments = new List<string> { "in_channels: " + InChannels, "out_channels: " + Filters, "kernel_size: " + SpatialWindow.Emit(Kernel, asTuple) };
            if (Stride.Any(s => s != 1))
                arguments.Add("stride: " + SpatialWindow.Emit(Stride, asTuple));
            if (UsesTorchSame)
                arguments.Add("padding: global::TorchSharp.Padding.Same");
            else if (!PadsInForward && padding.Any(p => p != 0))
                arguments.Add("padding: " + SpatialWindow.Emit(padding, asTuple));
            if (Dilation.Any(d => d != 1))
                arguments.Add("dilation: " + SpatialWindow.Emit(Dilation, asTuple));
            if (Groups != 1)
                arguments.Add("groups: " + Groups);
            if (!Bias)
                arguments.Add("bias: false");
            return "global::TorchSharp.torch.nn.Conv2d(" + string.Join(", ", arguments) + ")";
        }

        protected override void AddForwardSteps(List<string> steps, string field)
        {
            // TorchSharp's Padding.Same refuses strides above 1, and its padding argument is symmetric: pad here instead.
            if (PadsInForward)
                steps.Add("global::TorchSharp.torch.nn.functional.pad($in, " + SpatialWindow.EmitPadArray(PerSidePadding.ToArray()) + ")");
            steps.Add(field + ".call($in)");
        }
    }
}
