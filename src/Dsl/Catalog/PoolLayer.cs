using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Binding;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>maxpool1d/2d/3d kernel</c> and <c>avgpool1d/2d/3d kernel</c> on (C, spatial...): output (C, spatial'...) by the
    /// convolution formula (stride defaults to the kernel; <c>ceil_mode</c> rounds up); no parameters;
    /// <c>nn.MaxPool2d</c>/<c>nn.AvgPool2d</c>. With <c>same</c>, Keras' rule: max pools pad with minus infinity, average
    /// pools divide by the real pixels only. Uneven padding is applied in forward, before the pool.
    /// </summary>
    public sealed class PoolLayer : LayerKind
    {
        readonly int rank;
        readonly bool isMax;

        public PoolLayer(int rank, bool isMax)
            : base((isMax ? "maxpool" : "avgpool") + rank + "d", (isMax ? "MaxPool" : "AvgPool") + rank + "d", (isMax ? "max_pooling" : "average_pooling") + rank + "d",
                isMax ? "Takes the maximum of each window." : "Takes the average of each window.",
                new ParameterSpec("kernel", ParameterType.Size, "the window size, e.g. 2", required: true, positional: true),
                new ParameterSpec("stride", ParameterType.Size, "the step between windows", positional: true, defaultText: "the kernel"),
                new ParameterSpec("padding", ParameterType.Padding, "valid, same, or explicit sizes of at most half the kernel", defaultText: "valid"),
                new ParameterSpec("ceil_mode", ParameterType.Boolean, "round the output size up instead of down", defaultText: "false"))
        {
            this.rank = rank;
            this.isMax = isMax;
        }

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var arguments = context.Arguments;
            var kernel = arguments.Size("kernel", rank) ?? Enumerable.Repeat(1L, rank).ToArray();
            var stride = arguments.Size("stride", rank) ?? kernel;
            var padding = arguments.Padding("padding", rank);
            bool ceilMode = arguments.Boolean("ceil_mode", false);
            if (arguments.HasErrors)
                return null;
            bool ok = arguments.AtLeast("kernel", kernel, 1) && arguments.AtLeast("stride", stride, 1);
            ok &= SpatialWindow.CheckPaddingNotNegative(arguments, padding);
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
                context.ReportRank("a " + SpatialWindow.Describe(rank) + " input", context.Input.Rank == 1 ? "; pooling cannot follow flatten or dense" : SpatialWindow.RankHint(context.Input.Rank, isMax ? "maxpool" : "avgpool"));
                return null;
            }
            var spatial = context.Input.Dimensions.Skip(1).ToArray();
            var dilation = Enumerable.Repeat(1L, rank).ToArray();
            var perSide = SpatialWindow.PerSide(padding, spatial, kernel, stride, dilation);
            bool padsInForward = !SpatialWindow.IsSymmetric(perSide);
            // Padding done in forward is part of the input, so the ceil-mode rule sees no padding.
            var sizingPerSide = padsInForward ? new long[perSide.Length] : perSide;
            var sizingInput = padsInForward ? spatial.Select((n, i) => n + perSide[2 * i] + perSide[2 * i + 1]).ToArray() : spatial;
            // libtorch's avg_pool3d checks the input it is given (without its own padding) against the window.
            if (!isMax && rank == 3 && sizingInput.Where((n, i) => n < kernel[i]).Any())
            {
                context.Diagnostics.ReportInputSmallerThanWindow(context.Syntax.Location, context.LayerName, string.Join("x", kernel), string.Join("x", sizingInput));
                return null;
            }
            var output = SpatialWindow.OutputSizes(context, sizingInput, sizingPerSide, kernel, stride, dilation, ceilMode, SpatialWindow.PaddingText(padding, perSide));
            if (output == null)
                return null;
            return new PoolConfig(rank, isMax, kernel.ToEquatableArray(), stride.ToEquatableArray(), perSide.ToEquatableArray(),
                padding.Mode == PaddingMode.Same, ceilMode, new TensorShape(new[] { context.Input[0] }.Concat(output).ToArray()));
        }
    }

    public sealed record PoolConfig(int Rank, bool IsMax, EquatableArray<long> Kernel, EquatableArray<long> Stride, EquatableArray<long> PerSidePadding,
        bool SamePadding, bool CeilMode, TensorShape Output) : LayerConfig
    {
        public override TensorShape OutputShape => Output;
        public override long Parameters => 0;
        public override string ModuleType => (IsMax ? "MaxPool" : "AvgPool") + Rank + "d";

        bool PadsInForward => !SpatialWindow.IsSymmetric(PerSidePadding.ToArray());

        public override string EmitConstructor()
        {
            var padding = PadsInForward ? new long[Rank] : SpatialWindow.PerDimension(PerSidePadding.ToArray());
            bool asTuple = Rank > 1 && !(SpatialWindow.IsUniform(Kernel) && SpatialWindow.IsUniform(Stride) && SpatialWindow.IsUniform(padding));
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

        static string LongArray(EquatableArray<long> values) => "new long[] { " + string.Join(", ", values) + " }";

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
                steps.Add("global::CnnDsl.Layers.SamePooling.AverageOverRealPixels($in, " + field + ", kernel: " + LongArray(Kernel) + ", stride: " + LongArray(Stride) + ", padding: " + pad + ")");
            }
            else
            {
                steps.Add("global::TorchSharp.torch.nn.functional.pad($in, " + pad + ")");
                steps.Add(field + ".call($in)");
            }
        }
    }
}
