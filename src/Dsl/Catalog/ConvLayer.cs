using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Binding;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>conv1d</c>, <c>conv2d</c>, <c>conv3d filters, kernel</c> on (C, spatial...): output (filters, spatial'...) with
    /// n' = floor((n + pad_before + pad_after - d(k-1) - 1) / s) + 1 per dimension; filters*(C/groups)*prod(k) weights
    /// + filters biases; <c>nn.Conv2d(C, filters, kernel_size, ...)</c>. Keras' <c>same</c> with stride 1 uses TorchSharp's
    /// Padding.Same; with a larger stride, or uneven explicit padding, forward pads explicitly before the convolution.
    /// <c>groups=C</c> with <c>filters</c> a multiple of C is a depthwise convolution.
    /// </summary>
    public sealed class ConvLayer : LayerKind
    {
        readonly int rank;

        public ConvLayer(int rank)
            : base("conv" + rank + "d", "Conv" + rank + "d", "conv" + rank + "d", "A " + rank + "-D convolution over " + SpatialWindow.Describe(rank) + ".",
                new ParameterSpec("filters", ParameterType.Integer, "the number of output channels, e.g. 32", required: true, positional: true),
                new ParameterSpec("kernel", ParameterType.Size, rank == 1 ? "the window size, e.g. 3" : "the window size, e.g. 3 or " + SpatialWindow.ExampleTuple(rank), required: true, positional: true),
                new ParameterSpec("stride", ParameterType.Size, "the step between windows", defaultText: "1"),
                new ParameterSpec("padding", ParameterType.Padding, "valid, same, or explicit sizes", defaultText: "valid"),
                new ParameterSpec("dilation", ParameterType.Size, "the spacing between kernel elements", defaultText: "1"),
                new ParameterSpec("groups", ParameterType.Integer, "the number of channel groups (in and out channels must divide by it; in channels for depthwise)", defaultText: "1"),
                new ParameterSpec("bias", ParameterType.Boolean, "whether to add a learned bias", defaultText: "true"),
                new ParameterSpec("activation", ParameterType.Activation, "applied to the output", defaultText: "none"),
                new ParameterSpec("in_channels", ParameterType.Integer, "the expected number of input channels, checked against the inferred one"))
        {
            this.rank = rank;
        }

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var arguments = context.Arguments;
            var ones = Enumerable.Repeat(1L, rank).ToArray();
            long filters = arguments.Integer("filters") ?? 1;
            var kernel = arguments.Size("kernel", rank) ?? ones;
            var stride = arguments.Size("stride", rank, ones)!;
            var dilation = arguments.Size("dilation", rank, ones)!;
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
            ok &= SpatialWindow.CheckPaddingNotNegative(arguments, padding);
            if (!ok || !context.CanInferShape)
                return null;

            if (context.Input.Rank != rank + 1)
            {
                context.ReportRank("a " + SpatialWindow.Describe(rank) + " input", context.Input.Rank == 1 ? "; a convolution cannot follow flatten or dense" : SpatialWindow.RankHint(context.Input.Rank, "conv"));
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

            return new ConvConfig(rank, channels, filters, kernel.ToEquatableArray(), stride.ToEquatableArray(), dilation.ToEquatableArray(),
                perSide.ToEquatableArray(), padding.Mode == PaddingMode.Same, groups, bias, activation,
                new TensorShape(new[] { filters }.Concat(output).ToArray()));
        }
    }

    public sealed record ConvConfig(
        int Rank, long InChannels, long Filters, EquatableArray<long> Kernel, EquatableArray<long> Stride, EquatableArray<long> Dilation,
        EquatableArray<long> PerSidePadding, bool SamePadding, long Groups, bool Bias, Activation? Applied, TensorShape Output) : LayerConfig
    {
        public override TensorShape OutputShape => Output;
        public override long Parameters => Filters * (InChannels / Groups) * Kernel.Aggregate(1L, (a, b) => a * b) + (Bias ? Filters : 0);
        public override string ModuleType => "Conv" + Rank + "d";
        public override Activation? Activation => Applied;

        bool UsesTorchSame => SamePadding && Stride.All(s => s == 1);
        bool PadsInForward => !UsesTorchSame && !SpatialWindow.IsSymmetric(PerSidePadding.ToArray());

        public override string EmitConstructor()
        {
            var padding = PadsInForward ? new long[Rank] : SpatialWindow.PerDimension(PerSidePadding.ToArray());
            bool asTuple = !(SpatialWindow.IsUniform(Kernel) && SpatialWindow.IsUniform(Stride) && SpatialWindow.IsUniform(Dilation) && SpatialWindow.IsUniform(padding));
            var arguments = new List<string> { "in_channels: " + InChannels, "out_channels: " + Filters, "kernel_size: " + SpatialWindow.Emit(Kernel, asTuple) };
            if (Stride.Any(s => s != 1))
                arguments.Add("stride: " + SpatialWindow.Emit(Stride, asTuple));
            if (UsesTorchSame)
                arguments.Add("padding: global::TorchSharp.Padding.Same");
            else if (padding.Any(p => p != 0))
                arguments.Add("padding: " + SpatialWindow.Emit(padding, asTuple));
            if (Dilation.Any(d => d != 1))
                arguments.Add("dilation: " + SpatialWindow.Emit(Dilation, asTuple));
            if (Groups != 1)
                arguments.Add("groups: " + Groups);
            if (!Bias)
                arguments.Add("bias: false");
            return "global::TorchSharp.torch.nn." + ModuleType + "(" + string.Join(", ", arguments) + ")";
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
