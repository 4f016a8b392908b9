using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>conv1d</c>, <c>conv2d</c>, <c>conv3d filters, kernel</c> on (C, spatial...): output (filters, spatial'...) with
    /// n' = floor((n + pad_before + pad_after - d(k-1) - 1) / s) + 1 per dimension (ceil(n/s) with <c>same</c>);
    /// filters*(C/groups)*prod(k) weights + filters biases; <c>nn.Conv2d(C, filters, kernel_size, ...)</c>.
    /// Keras' <c>same</c> with stride 1 is TorchSharp's Padding.Same; with a larger stride, or uneven explicit padding,
    /// forward pads before the convolution. <c>groups=C</c> with <c>filters</c> a multiple of C is depthwise.
    /// </summary>
    public sealed class ConvLayer : LayerKind
    {
        readonly int rank;

        public ConvLayer(int rank)
            : base("conv" + rank + "d", "Conv" + rank + "d", "conv" + rank + "d", "A " + rank + "-D convolution over " + SpatialWindow.Describe(rank) + ".",
                new[] {
                new ParameterSpec("filters", ParameterType.Integer, "the number of output channels, e.g. 32", required: true, positional: true),
                new ParameterSpec("kernel", ParameterType.Size, rank == 1 ? "the window size, e.g. 3" : "the window size, e.g. 3 or " + SpatialWindow.ExampleTuple(rank), required: true, positional: true),
                new ParameterSpec("stride", ParameterType.Size, "the step between windows", defaultText: "1"),
                new ParameterSpec("padding", ParameterType.Padding, "valid, same, or explicit sizes", defaultText: "valid"),
                new ParameterSpec("dilation", ParameterType.Size, "the spacing between kernel elements", defaultText: "1"),
                new ParameterSpec("groups", ParameterType.Integer, "the number of channel groups (in and out channels must divide by it; in channels for depthwise)", defaultText: "1"),
                new ParameterSpec("bias", ParameterType.Boolean, "whether to add a learned bias", defaultText: "true"),
                new ParameterSpec("activation", ParameterType.Activation, "applied to the output", defaultText: "none"),
                new ParameterSpec("in_channels", ParameterType.Integer, "the expected number of input channels, checked against the inferred one")}
                .Concat(Initializer.Parameters()).ToArray())
        {
            this.rank = rank;
        }

        public override Equivalents Equivalents => new Equivalents("nn.Conv" + rank + "d", "layers.Conv" + rank + "D",
            "`padding=same` is PyTorch's `padding=\"same\"` at stride 1; at a larger stride, or with uneven explicit padding, the export pads with `F.pad` first, the odd row or column at the end as Keras does. "
            + "`groups` equal to the input channels is a depthwise convolution. Keras is channels-last, with kernels (k..., in, out) where PyTorch has (out, in, k...).");

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var arguments = context.Arguments;
            var ones = SpatialWindow.Ones(rank);
            var filters = arguments.Integer("filters") ?? Exprs.One;
            var kernel = arguments.Size("kernel", rank) ?? ones;
            var stride = arguments.Size("stride", rank, ones)!;
            var dilation = arguments.Size("dilation", rank, ones)!;
            var padding = arguments.Padding("padding", rank);
            var groups = arguments.Integer("groups") ?? Exprs.One;
            var bias = arguments.Boolean("bias", true);
            var activation = arguments.Activation("activation");
            arguments.Integer("in_channels");
            var init = Initializer.Read(arguments);
            if (arguments.HasErrors)
                return null;

            bool ok = arguments.AtLeast("filters", filters, 1);
            ok &= arguments.AtLeast("kernel", kernel, 1) && arguments.AtLeast("stride", stride, 1) && arguments.AtLeast("dilation", dilation, 1);
            ok &= arguments.AtLeast("groups", groups, 1);
            ok &= SpatialWindow.CheckPaddingNotNegative(arguments, padding);
            if (!ok || !context.CanInferShape)
                return null;

            if (context.Input.Rank != rank + 1)
            {
                context.ReportRank("a " + SpatialWindow.Describe(rank) + " input", context.Input.Rank == 1 ? "; a convolution cannot follow flatten or dense" : SpatialWindow.RankHint(context.Input, "conv", rank));
                return null;
            }
            var channels = context.Input[0];
            if (!context.CheckDeclaredInput("in_channels", channels))
                return null;
            if (channels.Constant is long c && filters.Constant is long f && groups.Constant is long g && (c % g != 0 || f % g != 0))
            {
                arguments.OutOfRange("groups", g.ToString(), "a divisor of both the input channels (" + c + ") and filters (" + f + ")");
                return null;
            }

            return Window(context, rank, channels, filters, kernel, stride, dilation, padding, groups, bias, activation) is { } config ? config with { Init = init } : null;
        }

        /// <summary>The sliding-window part shared with depthwise and separable convolutions: padding resolved, output sized.</summary>
        internal static ConvConfig? Window(LayerBindingContext context, int rank, Expr channels, Expr filters, Expr[] kernel, Expr[] stride, Expr[] dilation,
            PaddingValue padding, Expr groups, Expr bias, Activation? activation)
        {
            var spatial = context.Input.Dimensions.Skip(1).ToArray();
            var perSide = SpatialWindow.PerSide(padding, spatial, kernel, stride, dilation);
            var output = SpatialWindow.OutputSizes(context, spatial, perSide, kernel, stride, dilation, ceilMode: false,
                SpatialWindow.PaddingText(padding, perSide), same: padding.Mode == PaddingMode.Same);
            if (output == null)
                return null;

            return new ConvConfig(rank, channels, filters, kernel.ToEquatableArray(), stride.ToEquatableArray(), dilation.ToEquatableArray(),
                perSide.ToEquatableArray(), padding.Mode == PaddingMode.Same, groups, bias, activation,
                new TensorShape(new[] { filters }.Concat(output)));
        }
    }

    public sealed record ConvConfig(
        int Rank, Expr InChannels, Expr Filters, EquatableArray<Expr> Kernel, EquatableArray<Expr> Stride, EquatableArray<Expr> Dilation,
        EquatableArray<Expr> PerSidePadding, bool SamePadding, Expr Groups, Expr Bias, Activation? Applied, TensorShape Output) : LayerConfig
    {
        public override TensorShape OutputShape => Output;

        public override Expr Parameters =>
            Exprs.Add(Exprs.Multiply(Exprs.Multiply(Filters, Exprs.FloorDiv(InChannels, Groups)), Kernel.Aggregate((Expr)Exprs.One, Exprs.Multiply)),
                Bias is BoolExpr { Value: false } ? Exprs.Zero : Filters);

        public override string ModuleType => "Conv" + Rank + "d";
        public override Activation? Activation => Applied;

        /// <summary>How the kernel and bias start (<c>kernel_init=</c>, <c>bias_init=</c>).</summary>
        public LayerInit Init { get; init; } = LayerInit.Default;

        /// <summary>TorchSharp's Padding.Same, which refuses strides above 1.</summary>
        public bool UsesTorchSame => SamePadding && Stride.All(s => s is IntExpr { Value: 1 });

        /// <summary>Padding that libtorch's symmetric padding argument cannot express is done in forward.</summary>
        public bool PadsInForward => !UsesTorchSame && !SpatialWindow.IsSymmetric(PerSidePadding);

        public override LayerPlan Lower()
        {
            var arguments = new List<PlanArgument>
            {
                PlanArguments.Positional("in_channels", InChannels), PlanArguments.Positional("out_channels", Filters),
                PlanArguments.Sizes("kernel_size", Kernel), PlanArguments.Sizes("stride", Stride, 1),
            };
            // PyTorch's padding="same" where it applies (stride 1), its symmetric padding where that suffices, else a pad step.
            if (UsesTorchSame)
                arguments.Add(PlanArguments.Text("padding", "same"));
            else if (!PadsInForward)
                arguments.Add(PlanArguments.Sizes("padding", SpatialWindow.PerDimension(PerSidePadding), 0));
            arguments.Add(PlanArguments.Sizes("dilation", Dilation, 1));
            arguments.Add(PlanArguments.Int("groups", Groups, 1));
            arguments.Add(PlanArguments.Bool("bias", Bias, true));
            var steps = new List<PlanStep>();
            if (PadsInForward)
                steps.Add(new Pad(PerSidePadding, PadFill.Zero, Kernel, Stride, Dilation));
            steps.Add(new CallModule());
            // A kernel (filters, in_channels / groups, kernel...) and a bias; by default uniform in +-1/sqrt(fan in) as PyTorch starts them.
            var fanIn = Exprs.Multiply(Exprs.FloorDiv(InChannels, Groups), Kernel.Aggregate((Expr)Exprs.One, Exprs.Multiply));
            var tensors = new List<PlanTensor> { new PlanTensor("weight", new[] { Filters, Exprs.FloorDiv(InChannels, Groups) }.Concat(Kernel).ToEquatableArray(), Init.ForKernel(fanIn)) };
            if (!(Bias is BoolExpr { Value: false }))
                tensors.Add(new PlanTensor("bias", EquatableArray.Create(Filters), Init.ForBias(fanIn)));
            var module = new PlanModule(ModuleType, arguments.ToEquatableArray()).WithTensors(tensors.ToArray());
            return new LayerPlan(module, LayerPlan.Then(steps, Applied));
        }
    }
}
