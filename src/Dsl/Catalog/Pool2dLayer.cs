using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Binding;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>maxpool2d kernel</c> and <c>avgpool2d kernel</c> on (C, H, W): output (C, H', W') by the convolution formula
    /// (stride defaults to the kernel; <c>ceil_mode</c> rounds up); no parameters; <c>nn.MaxPool2d</c>/<c>nn.AvgPool2d</c>.
    /// With <c>same</c>, Keras' rule: max pools pad with minus infinity, average pools divide by the real pixels only.
    /// </summary>
    public sealed class Pool2dLayer : LayerKind
    {
        readonly bool isMax;

        public Pool2dLayer(bool isMax)
            : base(isMax ? "maxpool2d" : "avgpool2d", isMax ? "MaxPool2d" : "AvgPool2d", isMax ? "max_pooling2d" : "average_pooling2d",
                isMax ? "Takes the maximum of each window." : "Takes the average of each window.",
                new ParameterSpec("kernel", ParameterType.Size, "the window size, e.g. 2", required: true, positional: true),
                new ParameterSpec("stride", ParameterType.Size, "the step between windows", positional: true, defaultText: "the kernel"),
                new ParameterSpec("padding", ParameterType.Padding, "valid, same, or explicit sizes of at most half the kernel", defaultText: "valid"),
                new ParameterSpec("ceil_mode", ParameterType.Boolean, "round the output size up instead of down", defaultText: "false"))
        {
            this.isMax = isMax;
        }

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            const int rank = 2;
            var arguments = context.Arguments;
            var kernel = arguments.Size("kernel", rank) ?? new long[] { 1, 1 };
            var stride = arguments.Size("stride", rank) ?? kernel;
            var padding = arguments.Padding("padding", rank);
            bool ceilMode = arguments.Boolean("ceil_mode", false);
            if (arguments.HasErrors)
                return null;
            bool ok = arguments.AtLeast("kernel", kernel, 1) && arguments.AtLeast("stride", stride, 1);
            if (padding.Mode == PaddingMode.Explicit && padding.PerSide.Any(p => p < 0))
                ok &= arguments.OutOfRange("padding", "(" + string.Join(", ", padding.PerSide) + ")", "at least 0 on every side");
            if (!ok)
                return null;
            if (padding.Mode == PaddingMode.Explicit)
            {
                for (int i = 0; i < padding.PerSide.Count; i++)
                {
                    long half = kernel[i / 2] / 2;
                    if (padding.PerSide[i] > half)
                    {
                        context.Diagnostics.ReportPoolPaddingTooLarge(arguments.LocationOf("padding")!, context.LayerName, padding.PerSide[i], kernel[i / 2], half);
                        return null;
                    }
                }
            }

            if (!context.CanInferShape)
                return null;
            if (context.Input.Rank != rank + 1)
            {
                context.ReportRank("a (channels, height, width) input", context.Input.Rank == 1 ? "; pooling cannot follow flatten or dense" : "");
                return null;
            }
            var spatial = context.Input.Dimensions.Skip(1).ToArray();
            var dilation = new long[] { 1, 1 };
            var perSide = SpatialWindow.PerSide(padding, spatial, kernel, stride, dilation);
            bool padsInForward = !SpatialWindow.IsSymmetric(perSide);
            // Padding done in forward is part of the input, so the ceil-mode rule sees no padding.
            var sizingPerSide = padsInForward ? new long[perSide.Length] : perSide;
            var sizingInput = padsInForward ? spatial.Select((n, i) => n + perSide[2 * i] + perSide[2 * i + 1]).ToArray() : spatial;
            var output = SpatialWindow.OutputSizes(context, sizingInput, sizingPerSide, kernel, stride, dilation, ceilMode, SpatialWindow.PaddingText(padding, perSide));
            if (output == null)
                return null;
            return new Pool2dConfig(isMax, kernel.ToEquatableArray(), stride.ToEquatableArray(), perSide.ToEquatableArray(),
                padding.Mode == PaddingMode.Same, ceilMode, new TensorShape(new[] { context.Input[0] }.Concat(output).ToArray()));
        }
    }

    public sealed record Pool2dConfig(bool IsMax, EquatableArray<long> Kernel, EquatableArray<long> Stride, EquatableArray<long> PerSidePadding,
        bool SamePadding, bool CeilMode, TensorShape Output) : LayerConfig
    {
        public override TensorShape OutputShape => Output;
        public override long Parameters => 0;
        public override string ModuleType => IsMax ? "MaxPool2d" : "AvgPool2d";

        bool PadsInForward => !SpatialWindow.IsSymmetric(PerSidePadding.ToArray());

        public override string EmitConstructor()
        {
            var padding = PadsInForward ? new long[Kernel.Count] : SpatialWindow.PerDimension(PerSidePadding.ToArray());
            bool asTuple = !(SpatialWindow.IsUniform(Kernel) && SpatialWindow.IsUniform(Stride) && SpatialWindow.IsUniform(padding));
            var arguments = new List<string> { "kernel_size: " + SpatialWindow.Emit(Kernel, asTuple) };
            if (!Stride.SequenceEqual(Kernel))
                arguments.Add("stride: " + SpatialWindow.Emit(Stride, asTuple));
            if (padding.Any(p => p != 0))
                arguments.Add("padding: " + SpatialWindow.Emit(padding, asTuple));
            if (CeilMode)
                arguments.Add("ceil_mode: true");
            // Keras averages over the real pixels only; PyTorch's default counts explicit padding, as PyTorch users expect.
            if (!IsMax && SamePadding && !PadsInForward && padding.Any(p => p != 0))
                arguments.Add("count_include_pad: false");
            return "global::TorchSharp.torch.nn." + ModuleType + "(" + string.Join(", ", arguments) + ")";
        }

        protected override void AddForwardSteps(List<string> steps, string field)
        {
            if (!PadsInForward)
            {
                steps.Add(field + ".call($in)");
                return;
            }
            var pad = SpatialWindow.EmitPadArray(PerSidePadding.ToArray());
            if (IsMax)
            {
                steps.Add("global::TorchSharp.torch.nn.functional.pad($in, " + pad + ", value: double.NegativeInfinity)");
                steps.Add(field + ".call($in)");
            }
            else if (SamePadding)
            {
                steps.Add("global::CnnDsl.Layers.SamePooling.AverageOverRealPixels($in, " + field + ", " + pad + ")");
            }
            else
            {
                steps.Add("global::TorchSharp.torch.nn.functional.pad($in, " + pad + ")");
                steps.Add(field + ".call($in)");
            }
        }
    }
}
