using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>separable_conv1d</c>, <c>separable_conv2d filters, kernel</c> (Keras' SeparableConv): a depthwise convolution
    /// (C to C*depth_multiplier channels, no bias) then a 1x1 pointwise one to <c>filters</c>; output (filters, spatial')
    /// with the convolution's size rule; C*m*prod(k) + C*m*filters weights + filters biases; a module with
    /// <c>depthwise</c> and <c>pointwise</c> convolutions, so its keys are <c>name.depthwise.weight</c>, ...
    /// </summary>
    public sealed class SeparableConvLayer : LayerKind
    {
        readonly int rank;

        public SeparableConvLayer(int rank)
            : base("separable_conv" + rank + "d", "SeparableConv" + rank + "d", "separable_conv" + rank + "d",
                "A depthwise then pointwise " + rank + "-D convolution over " + SpatialWindow.Describe(rank) + ".",
                new[] {
                new ParameterSpec("filters", ParameterType.Integer, "the number of output channels, e.g. 64", required: true, positional: true),
                new ParameterSpec("kernel", ParameterType.Size, rank == 1 ? "the window size, e.g. 3" : "the window size, e.g. 3 or " + SpatialWindow.ExampleTuple(rank), required: true, positional: true),
                new ParameterSpec("stride", ParameterType.Size, "the step between windows", defaultText: "1"),
                new ParameterSpec("padding", ParameterType.Padding, "valid, same, or explicit sizes", defaultText: "valid"),
                new ParameterSpec("dilation", ParameterType.Size, "the spacing between kernel elements", defaultText: "1"),
                new ParameterSpec("depth_multiplier", ParameterType.Integer, "the depthwise output channels per input channel", defaultText: "1"),
                new ParameterSpec("bias", ParameterType.Boolean, "whether the pointwise convolution adds a learned bias", defaultText: "true"),
                new ParameterSpec("activation", ParameterType.Activation, "applied to the output", defaultText: "none"),
                new ParameterSpec("in_channels", ParameterType.Integer, "the expected number of input channels, checked against the inferred one")}
                .Concat(Initializer.Parameters()).ToArray())
        {
            this.rank = rank;
        }

        public override Equivalents Equivalents => new Equivalents("nn.Sequential(nn.Conv" + rank + "d, nn.Conv" + rank + "d)", "layers.SeparableConv" + rank + "D",
            "PyTorch has no separable module: the export writes a depthwise `nn.Conv" + rank + "d(C, C * depth_multiplier, kernel, groups=C, bias=False)` named `depthwise` "
            + "and a 1x1 `nn.Conv" + rank + "d(C * depth_multiplier, filters, 1)` named `pointwise`, Keras' two kernels.");

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var arguments = context.Arguments;
            var ones = SpatialWindow.Ones(rank);
            var filters = arguments.Integer("filters") ?? Exprs.One;
            var kernel = arguments.Size("kernel", rank) ?? ones;
            var stride = arguments.Size("stride", rank, ones)!;
            var dilation = arguments.Size("dilation", rank, ones)!;
            var padding = arguments.Padding("padding", rank);
            var multiplier = arguments.Integer("depth_multiplier") ?? Exprs.One;
            var bias = arguments.Boolean("bias", true);
            var activation = arguments.Activation("activation");
            arguments.Integer("in_channels");
            var init = Initializer.Read(arguments);
            if (arguments.HasErrors)
                return null;
            bool ok = arguments.AtLeast("filters", filters, 1);
            ok &= arguments.AtLeast("kernel", kernel, 1) && arguments.AtLeast("stride", stride, 1) && arguments.AtLeast("dilation", dilation, 1);
            ok &= arguments.AtLeast("depth_multiplier", multiplier, 1);
            ok &= SpatialWindow.CheckPaddingNotNegative(arguments, padding);
            if (!ok || !context.CanInferShape)
                return null;
            if (context.Input.Rank != rank + 1)
            {
                context.ReportRank("a " + SpatialWindow.Describe(rank) + " input", context.Input.Rank == 1 ? "; a convolution cannot follow flatten or dense" : SpatialWindow.RankHint(context.Input, "separable_conv", rank));
                return null;
            }
            var channels = context.Input[0];
            if (!context.CheckDeclaredInput("in_channels", channels))
                return null;
            var expanded = Exprs.Multiply(channels, multiplier);
            var depthwise = ConvLayer.Window(context, rank, channels, expanded, kernel, stride, dilation, padding, channels, new BoolExpr(false), null);
            if (depthwise == null)
                return null;
            var pointwise = new ConvConfig(rank, expanded, filters, ones.ToEquatableArray(), ones.ToEquatableArray(), ones.ToEquatableArray(),
                Enumerable.Repeat((Expr)Exprs.Zero, 2 * rank).ToEquatableArray(), false, Exprs.One, bias, null,
                new TensorShape(new[] { filters }.Concat(depthwise.Output.Dimensions.Skip(1))));
            // Both kernels start as kernel_init says, as Keras' depthwise_initializer and pointwise_initializer do by default.
            return new SeparableConvConfig(rank, depthwise with { Init = init }, pointwise with { Init = init }, activation);
        }
    }

    public sealed record SeparableConvConfig(int Rank, ConvConfig Depthwise, ConvConfig Pointwise, Activation? Applied) : LayerConfig
    {
        public override TensorShape OutputShape => Pointwise.Output;
        public override Expr Parameters => Exprs.Add(Depthwise.Parameters, Pointwise.Parameters);
        public override string ModuleType => "SeparableConv" + Rank + "d";
        public override Activation? Activation => Applied;

        // Keras' SeparableConv: a depthwise then a pointwise convolution, keys name.depthwise.*, name.pointwise.*; uneven
        // padding of the depthwise one is done before the pair.
        public override LayerPlan Lower()
        {
            var depthwise = Depthwise.Lower();
            var module = new PlanModule("Sequential", EquatableArray<PlanArgument>.Empty,
                EquatableArray.Create(new PlanChild("depthwise", depthwise.Module!), new PlanChild("pointwise", Pointwise.Lower().Module!)));
            return new LayerPlan(module, LayerPlan.Then(depthwise.Steps.Where(s => s is Pad).Append(new CallModule()), Applied));
        }
    }
}
