using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>conv_transpose1d</c>, <c>conv_transpose2d</c>, <c>conv_transpose3d filters, kernel</c> on (C, spatial...):
    /// PyTorch's output size n' = (n - 1)s - 2p + d(k - 1) + output_padding + 1 per dimension, where output_padding must
    /// be smaller than the stride or the dilation, as PyTorch requires; C*(filters/groups)*prod(k) weights + filters
    /// biases; <c>nn.ConvTranspose2d(C, filters, kernel_size, ...)</c>.
    /// </summary>
    public sealed class ConvTransposeLayer : LayerKind
    {
        readonly int rank;

        public ConvTransposeLayer(int rank)
            : base("conv_transpose" + rank + "d", "ConvTranspose" + rank + "d", "conv" + rank + "d_transpose",
                "A " + rank + "-D transposed convolution (an upsampling convolution) over " + SpatialWindow.Describe(rank) + ".",
                new[] {
                new ParameterSpec("filters", ParameterType.Integer, "the number of output channels, e.g. 32", required: true, positional: true),
                new ParameterSpec("kernel", ParameterType.Size, rank == 1 ? "the window size, e.g. 2" : "the window size, e.g. 2 or " + SpatialWindow.ExampleTuple(rank), required: true, positional: true),
                new ParameterSpec("stride", ParameterType.Size, "the step between input positions in the output", defaultText: "1"),
                new ParameterSpec("padding", ParameterType.Size, "the size removed from each side of the output (PyTorch's padding)", defaultText: "0"),
                new ParameterSpec("output_padding", ParameterType.Size, "the size added to one side of the output, smaller than the stride or the dilation", defaultText: "0"),
                new ParameterSpec("dilation", ParameterType.Size, "the spacing between kernel elements", defaultText: "1"),
                new ParameterSpec("groups", ParameterType.Integer, "the number of channel groups (in and out channels must divide by it)", defaultText: "1"),
                new ParameterSpec("bias", ParameterType.Boolean, "whether to add a learned bias", defaultText: "true"),
                new ParameterSpec("activation", ParameterType.Activation, "applied to the output", defaultText: "none"),
                new ParameterSpec("in_channels", ParameterType.Integer, "the expected number of input channels, checked against the inferred one")}
                .Concat(Initializer.Parameters()).ToArray())
        {
            this.rank = rank;
        }

        public override Equivalents Equivalents => new Equivalents("nn.ConvTranspose" + rank + "d", "layers.Conv" + rank + "DTranspose",
            "`padding` and `output_padding` are PyTorch's sizes, not Keras' valid/same: Keras' `padding=\"same\"` (output n * stride) is `padding=(kernel - stride) / 2` here when that is whole, "
            + "else `padding=(kernel - stride + 1) / 2, output_padding=1`.");

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var arguments = context.Arguments;
            var ones = SpatialWindow.Ones(rank);
            var zeros = Enumerable.Repeat((Expr)Exprs.Zero, rank).ToArray();
            var filters = arguments.Integer("filters") ?? Exprs.One;
            var kernel = arguments.Size("kernel", rank) ?? ones;
            var stride = arguments.Size("stride", rank, ones)!;
            var padding = arguments.Size("padding", rank, zeros)!;
            var outputPadding = arguments.Size("output_padding", rank, zeros)!;
            var dilation = arguments.Size("dilation", rank, ones)!;
            var groups = arguments.Integer("groups") ?? Exprs.One;
            var bias = arguments.Boolean("bias", true);
            var activation = arguments.Activation("activation");
            arguments.Integer("in_channels");
            var init = Initializer.Read(arguments);
            if (arguments.HasErrors)
                return null;

            bool ok = arguments.AtLeast("filters", filters, 1);
            ok &= arguments.AtLeast("kernel", kernel, 1) && arguments.AtLeast("stride", stride, 1) && arguments.AtLeast("dilation", dilation, 1);
            ok &= arguments.AtLeast("padding", padding, 0) && arguments.AtLeast("output_padding", outputPadding, 0);
            ok &= arguments.AtLeast("groups", groups, 1);
            for (int i = 0; ok && i < rank; i++)
            {
                if (outputPadding[i].Constant is long op && stride[i].Constant is long s && dilation[i].Constant is long d && op >= s && op >= d)
                    ok = arguments.OutOfRange("output_padding", ArgumentReader.Format(outputPadding),
                        "smaller than the stride (" + s + ") or the dilation (" + d + "), as PyTorch requires; use a larger stride or less output_padding");
            }
            if (!ok || !context.CanInferShape)
                return null;

            if (context.Input.Rank != rank + 1)
            {
                context.ReportRank("a " + SpatialWindow.Describe(rank) + " input", context.Input.Rank == 1 ? "; a convolution cannot follow flatten or dense" : SpatialWindow.RankHint(context.Input, "conv_transpose", rank));
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

            var spatial = context.Input.Dimensions.Skip(1).ToArray();
            var output = new Expr[rank];
            for (int i = 0; i < rank; i++)
            {
                output[i] = OutputSize(spatial[i], kernel[i], stride[i], padding[i], outputPadding[i], dilation[i]);
                int dimension = i;
                var size = output[i];
                bool positive = context.Require(Exprs.AtLeast(size, 1), () => context.Diagnostics.ReportNonPositiveSize(context.Syntax.Location, context.LayerName,
                    SpatialWindow.DimensionNames[rank - 1][dimension], spatial[dimension], size, kernel[dimension], stride[dimension],
                    ArgumentReader.Format(padding), dilation[dimension], "; use less padding or a larger kernel"));
                if (!positive)
                    return null;
            }
            return new ConvTransposeConfig(rank, channels, filters, kernel.ToEquatableArray(), stride.ToEquatableArray(), padding.ToEquatableArray(),
                outputPadding.ToEquatableArray(), dilation.ToEquatableArray(), groups, bias, activation, new TensorShape(new[] { filters }.Concat(output))) { Init = init };
        }

        /// <summary>
        /// (n - 1)s - 2p + d(k - 1) + output_padding + 1, as PyTorch sizes a transposed convolution, written as
        /// n*s + (d(k - 1) + output_padding + 1 - s - 2p) so that the constants fold: a 2x2, stride-2 upsampling of
        /// H // 16 reads 2 * (H // 16).
        /// </summary>
        public static Expr OutputSize(Expr n, Expr kernel, Expr stride, Expr padding, Expr outputPadding, Expr dilation) =>
            Exprs.Add(Exprs.Multiply(n, stride),
                Exprs.Subtract(Exprs.Add(Exprs.Multiply(dilation, Exprs.Subtract(kernel, Exprs.One)), Exprs.Add(outputPadding, Exprs.One)),
                    Exprs.Add(stride, Exprs.Multiply(Exprs.Int(2), padding))));
    }

    public sealed record ConvTransposeConfig(
        int Rank, Expr InChannels, Expr Filters, EquatableArray<Expr> Kernel, EquatableArray<Expr> Stride, EquatableArray<Expr> Padding,
        EquatableArray<Expr> OutputPadding, EquatableArray<Expr> Dilation, Expr Groups, Expr Bias, Activation? Applied, TensorShape Output) : LayerConfig
    {
        public override TensorShape OutputShape => Output;

        public override Expr Parameters =>
            Exprs.Add(Exprs.Multiply(Exprs.Multiply(InChannels, Exprs.FloorDiv(Filters, Groups)), Kernel.Aggregate((Expr)Exprs.One, Exprs.Multiply)),
                Bias is BoolExpr { Value: false } ? Exprs.Zero : Filters);

        public override string ModuleType => "ConvTranspose" + Rank + "d";
        public override Activation? Activation => Applied;

        /// <summary>How the kernel and bias start (<c>kernel_init=</c>, <c>bias_init=</c>).</summary>
        public LayerInit Init { get; init; } = LayerInit.Default;

        /// <summary>Whether output_padding differs between dimensions (as PyTorch allows; TorchSharp 0.107's modules apply the first to all).</summary>
        public bool OutputPaddingPerDimension => OutputPadding.Any(p => !p.Equals(OutputPadding[0]));

        public override LayerPlan Lower()
        {
            var module = PlanModule.Of(ModuleType,
                PlanArguments.Positional("in_channels", InChannels), PlanArguments.Positional("out_channels", Filters),
                PlanArguments.Sizes("kernel_size", Kernel), PlanArguments.Sizes("stride", Stride, 1), PlanArguments.Sizes("padding", Padding, 0),
                PlanArguments.Sizes("output_padding", OutputPadding, 0), PlanArguments.Int("groups", Groups, 1), PlanArguments.Bool("bias", Bias, true),
                PlanArguments.Sizes("dilation", Dilation, 1));
            // PyTorch's transposed weight is (in, out / groups, kernel...), and its fan-in is read from dimension 1.
            var outPerGroup = Exprs.FloorDiv(Filters, Groups);
            var fanIn = Exprs.Multiply(outPerGroup, Kernel.Aggregate((Expr)Exprs.One, Exprs.Multiply));
            var weight = new PlanTensor("weight", new[] { InChannels, outPerGroup }.Concat(Kernel).ToEquatableArray(), Init.ForKernel(fanIn));
            module = Bias is BoolExpr { Value: false } ? module.WithTensors(weight)
                : module.WithTensors(weight, new PlanTensor("bias", EquatableArray.Create(Filters), Init.ForBias(fanIn)));
            return LayerPlan.Call(module, Applied);
        }
    }
}
