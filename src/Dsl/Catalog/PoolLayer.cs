using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>maxpool1d/2d/3d kernel</c> and <c>avgpool1d/2d/3d kernel</c> on (C, spatial...): output (C, spatial'...) by the
    /// convolution formula (stride defaults to the kernel; <c>ceil_mode</c> rounds up while the last window starts inside
    /// the input or its left padding); no parameters; <c>nn.MaxPool2d</c>/<c>nn.AvgPool2d</c>. With <c>same</c>, Keras'
    /// rule: max pools pad with minus infinity, average pools divide by the real pixels only. Uneven padding is applied
    /// in forward, before the pool.
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

        public override Equivalents Equivalents => isMax
            ? new Equivalents("nn.MaxPool" + rank + "d", "layers.MaxPooling" + rank + "D",
                "The stride defaults to the kernel in all three. `padding=same` pads with minus infinity, as Keras; uneven padding is `F.pad` before the pool. `ceil_mode` is PyTorch's.")
            : new Equivalents("nn.AvgPool" + rank + "d", "layers.AveragePooling" + rank + "D",
                "The stride defaults to the kernel in all three. `padding=same` averages over the real pixels only, as Keras (PyTorch's `count_include_pad=False`; uneven padding is `F.pad` before the pool, divided by a pooled mask). `ceil_mode` is PyTorch's.");

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var arguments = context.Arguments;
            var kernel = arguments.Size("kernel", rank) ?? SpatialWindow.Ones(rank);
            var stride = arguments.Size("stride", rank) ?? kernel;
            var padding = arguments.Padding("padding", rank);
            var ceilModeValue = arguments.Boolean("ceil_mode", false);
            if (arguments.HasErrors)
                return null;
            if (!(ceilModeValue is BoolExpr ceilModeKnown))
            {
                context.Diagnostics.ReportUnsupportedBlockParameter(arguments.LocationOf("ceil_mode")!, context.Session.ActiveBlocks.LastOrDefault() ?? context.LayerName,
                    ceilModeValue.ToString(), "sets ceil_mode, which decides the output size; write true or false in the block");
                return null;
            }
            bool ceilMode = ceilModeKnown.Value;
            bool ok = arguments.AtLeast("kernel", kernel, 1) && arguments.AtLeast("stride", stride, 1);
            ok &= SpatialWindow.CheckPaddingNotNegative(arguments, padding);
            if (!ok)
                return null;
            if (padding.Mode == PaddingMode.Explicit)
            {
                for (int i = 0; i < padding.PerSide.Count; i++)
                {
                    if (!(kernel[i / 2].Constant is long k) || !(padding.PerSide[i].Constant is long p))
                        continue;
                    if (p > k / 2)
                    {
                        context.Diagnostics.ReportPoolPaddingTooLarge(arguments.LocationOf("padding")!, context.LayerName, p, k, k / 2, context.SetArgument("padding", "same"));
                        return null;
                    }
                }
            }
            if (!context.CanInferShape)
                return null;
            if (context.Input.Rank != rank + 1)
            {
                context.ReportRank("a " + SpatialWindow.Describe(rank) + " input", context.Input.Rank == 1 ? "; pooling cannot follow flatten or dense" : SpatialWindow.RankHint(context.Input, isMax ? "maxpool" : "avgpool", rank));
                return null;
            }
            var spatial = context.Input.Dimensions.Skip(1).ToArray();
            var dilation = SpatialWindow.Ones(rank);
            var perSide = SpatialWindow.PerSide(padding, spatial, kernel, stride, dilation);
            bool padsInForward = !SpatialWindow.IsSymmetric(perSide);
            // Padding done in forward is part of the input, so the ceil-mode rule sees no padding.
            var sizingPerSide = padsInForward ? Enumerable.Repeat((Expr)Exprs.Zero, perSide.Length).ToArray() : perSide;
            var sizingInput = padsInForward ? spatial.Select((n, i) => Exprs.Add(Exprs.Add(n, perSide[2 * i]), perSide[2 * i + 1])).ToArray() : spatial;
            // libtorch's avg_pool3d checks the input it is given (without its own padding) against the window.
            if (!isMax && rank == 3)
            {
                for (int i = 0; i < rank; i++)
                {
                    if (!context.Require(Exprs.Compare(ExprOp.GreaterOrEqual, sizingInput[i], kernel[i]),
                            () => context.Diagnostics.ReportInputSmallerThanWindow(context.Syntax.Location, context.LayerName, string.Join("x", kernel.Select(k => k.ToString())), string.Join("x", sizingInput.Select(n => n.ToString())))))
                        return null;
                }
            }
            // Keras' same gives ceil(n / s) positions whatever the padding works out to.
            var output = SpatialWindow.OutputSizes(context, sizingInput, sizingPerSide, kernel, stride, dilation, ceilMode, SpatialWindow.PaddingText(padding, perSide),
                same: padding.Mode == PaddingMode.Same && !ceilMode && !padsInForward);
            if (output != null && padding.Mode == PaddingMode.Same && !ceilMode && padsInForward)
                output = spatial.Select((n, i) => Exprs.CeilDivBy(n, stride[i])).ToArray();
            if (output == null)
                return null;
            return new PoolConfig(rank, isMax, kernel.ToEquatableArray(), stride.ToEquatableArray(), perSide.ToEquatableArray(),
                padding.Mode == PaddingMode.Same, ceilMode, new TensorShape(new[] { context.Input[0] }.Concat(output)));
        }
    }

    public sealed record PoolConfig(int Rank, bool IsMax, EquatableArray<Expr> Kernel, EquatableArray<Expr> Stride, EquatableArray<Expr> PerSidePadding,
        bool SamePadding, bool CeilMode, TensorShape Output) : LayerConfig
    {
        public override TensorShape OutputShape => Output;
        public override Expr Parameters => Exprs.Zero;
        public override string ModuleType => (IsMax ? "MaxPool" : "AvgPool") + Rank + "d";

        /// <summary>Padding that libtorch's symmetric padding argument cannot express is done in forward.</summary>
        public bool PadsInForward => !SpatialWindow.IsSymmetric(PerSidePadding);

        public override LayerPlan Lower()
        {
            var padding = PadsInForward ? new Expr[0] : SpatialWindow.PerDimension(PerSidePadding);
            bool padded = padding.Any(p => !(p is IntExpr { Value: 0 }));
            var arguments = new List<PlanArgument> { PlanArguments.Sizes("kernel_size", Kernel) };
            // PyTorch's stride defaults to the kernel.
            arguments.Add(new PlanArgument("stride", new SizesValue(Stride), IsDefault: Stride.SequenceEqual(Kernel)));
            if (padded)
                arguments.Add(PlanArguments.Sizes("padding", padding, 0));
            arguments.Add(new PlanArgument("ceil_mode", new BoolValue(new BoolExpr(CeilMode)), IsDefault: !CeilMode));
            // Keras' same average pooling leaves padding out of the count.
            if (!IsMax && SamePadding && padded)
                arguments.Add(new PlanArgument("count_include_pad", new BoolValue(new BoolExpr(false))));
            var module = new PlanModule(ModuleType, arguments.ToEquatableArray());
            if (!PadsInForward)
                return LayerPlan.Call(module);
            var pad = new Pad(PerSidePadding, IsMax ? PadFill.NegativeInfinity : PadFill.Zero, Kernel, Stride, SpatialWindow.Ones(Rank).ToEquatableArray());
            return new LayerPlan(module, !IsMax && SamePadding
                ? EquatableArray.Create<PlanStep>(new AverageOverRealPixels(pad))
                : EquatableArray.Create<PlanStep>(pad, new CallModule()));
        }
    }
}
