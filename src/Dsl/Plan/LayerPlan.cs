using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Plan
{
    /// <summary>
    /// What a checked layer means, in PyTorch's vocabulary, as plain equatable data: the module it owns (type and
    /// constructor arguments) and the steps of its forward pass. Every catalogue kind lowers to one (<see
    /// cref="LayerConfig.Lower"/>); back ends translate plans into their own vocabulary and decide nothing about a kind.
    /// Shapes and counts stay with the binding; the oracles never read plans.
    /// </summary>
    public sealed record LayerPlan(PlanModule? Module, EquatableArray<PlanStep> Steps)
    {
        /// <summary>A layer that is its module: forward calls it, then applies the activation, if any.</summary>
        public static LayerPlan Call(PlanModule module, Activation? activation = null) =>
            new LayerPlan(module, Then(new PlanStep[] { new CallModule() }, activation));

        /// <summary>The steps, then the activation applied after them (<c>activation=</c>) with its default parameter.</summary>
        public static EquatableArray<PlanStep> Then(IEnumerable<PlanStep> steps, Activation? activation) =>
            (activation == null ? steps : steps.Append(new ApplyActivation(activation, activation.Parameter == null ? null : new RealExpr(activation.ParameterDefault))))
                .ToEquatableArray();
    }

    /// <summary>
    /// A module as PyTorch constructs it: <c>nn.{Type}(arguments)</c>, or a <c>Sequential</c> of named children (whose
    /// names are state_dict key parts).
    /// </summary>
    public sealed record PlanModule(string Type, EquatableArray<PlanArgument> Arguments, EquatableArray<PlanChild> Children = default)
    {
        public static PlanModule Of(string type, params PlanArgument[] arguments) => new PlanModule(type, arguments.ToEquatableArray());

        /// <summary>The floating-point tensors the module owns (parameters, then buffers), under their state_dict names, with their initialisation.</summary>
        public EquatableArray<PlanTensor> Tensors { get; init; }

        public PlanModule WithTensors(params PlanTensor[] tensors) => this with { Tensors = tensors.ToEquatableArray() };

        /// <summary>The tensors, the children's too, that start other than the module starts them, under their dotted names within the module.</summary>
        public IEnumerable<(string Path, PlanTensor Tensor)> ExplicitInits() =>
            Tensors.Where(t => t.Init.Explicit).Select(t => (t.Name, t))
                .Concat(Children.SelectMany(c => c.Module.ExplicitInits().Select(e => (c.Name + "." + e.Path, e.Tensor))));
    }

    /// <summary>How a tensor starts, as PyTorch's module initialises it.</summary>
    public enum PlanInitKind
    {
        /// <summary>PyTorch's default for kernels, <c>kaiming_uniform_(a=sqrt(5))</c>: uniform in +-1/sqrt(fan in).</summary>
        DefaultKernel,
        /// <summary>PyTorch's default for a kernel's bias: uniform in +-1/sqrt(fan in).</summary>
        DefaultBias,
        Ones,
        Zeros,
        /// <summary>Every value <see cref="PlanInit.Value"/> (PReLU's initial slope).</summary>
        Fill,
        /// <summary><c>nn.init.kaiming_normal_</c> with ReLU's gain: normal, deviation sqrt(2 / fan).</summary>
        KaimingNormal,
        /// <summary><c>nn.init.kaiming_uniform_</c> with ReLU's gain: uniform in +-sqrt(6 / fan).</summary>
        KaimingUniform,
        /// <summary><c>nn.init.xavier_normal_</c>: normal, deviation sqrt(2 / (fan in + fan out)).</summary>
        XavierNormal,
        /// <summary><c>nn.init.xavier_uniform_</c>: uniform in +-sqrt(6 / (fan in + fan out)).</summary>
        XavierUniform,
        /// <summary><c>nn.init.normal_</c> with mean 0 and deviation <see cref="PlanInit.Std"/>.</summary>
        Normal,
        /// <summary><c>nn.init.trunc_normal_</c> with deviation <see cref="PlanInit.Std"/>, cut at -2 and 2.</summary>
        TruncatedNormal,
        /// <summary><c>nn.init.uniform_</c> in +-1/sqrt(fan).</summary>
        Uniform,
    }

    /// <summary>What a tensor's starting values are drawn from.</summary>
    public enum InitDistribution
    {
        Constant,
        /// <summary>Uniform in +-scale.</summary>
        Uniform,
        /// <summary>Normal with mean 0 and deviation scale.</summary>
        Normal,
        /// <summary>Normal with mean 0 and deviation scale, redrawn outside [-2, 2].</summary>
        TruncatedNormal,
    }

    /// <summary>
    /// A tensor's initialisation: its kind, the fan-in the module's own uniform bounds use, or the value it is filled
    /// with; for the schemes of <c>torch.nn.init</c>, the fan they scale by and their deviation.
    /// </summary>
    public sealed record PlanInit(PlanInitKind Kind, Expr? FanIn = null, Expr? Value = null)
    {
        /// <summary>Whether a Kaiming or uniform scheme scales by the fan out (<c>mode="fan_out"</c>) rather than the fan in.</summary>
        public bool FanOut { get; init; }

        /// <summary>The deviation of <see cref="PlanInitKind.Normal"/> and <see cref="PlanInitKind.TruncatedNormal"/>.</summary>
        public Expr? Std { get; init; }

        /// <summary>
        /// Whether the layer asks for it (<c>kernel_init=</c>, <c>bias_init=</c>) where the module would start otherwise:
        /// back ends that build PyTorch's or TorchSharp's modules apply these after building, the others are the module's own.
        /// </summary>
        public bool Explicit { get; init; }

        /// <summary>
        /// The distribution and its scale for a tensor with these fans (PyTorch's <c>_calculate_fan_in_and_fan_out</c> on
        /// its shape, <see cref="PlanTensor.Fans"/>), for back ends that draw the values themselves; null for a fill.
        /// </summary>
        public (InitDistribution Distribution, double Scale) Sampling(long fanIn, long fanOut)
        {
            double fan = FanOut ? fanOut : fanIn;
            double Std() => this.Std is RealExpr r ? r.Value : this.Std is IntExpr i ? i.Value : 0.01;
            return Kind switch
            {
                PlanInitKind.DefaultKernel or PlanInitKind.DefaultBias => (InitDistribution.Uniform, FanIn?.Constant is long f && f > 0 ? 1 / System.Math.Sqrt(f) : 0),
                PlanInitKind.KaimingNormal => (InitDistribution.Normal, System.Math.Sqrt(2 / fan)),
                PlanInitKind.KaimingUniform => (InitDistribution.Uniform, System.Math.Sqrt(6 / fan)),
                PlanInitKind.XavierNormal => (InitDistribution.Normal, System.Math.Sqrt(2.0 / (fanIn + fanOut))),
                PlanInitKind.XavierUniform => (InitDistribution.Uniform, System.Math.Sqrt(6.0 / (fanIn + fanOut))),
                PlanInitKind.Normal => (InitDistribution.Normal, Std()),
                PlanInitKind.TruncatedNormal => (InitDistribution.TruncatedNormal, Std()),
                PlanInitKind.Uniform => (InitDistribution.Uniform, 1 / System.Math.Sqrt(fan)),
                PlanInitKind.Ones => (InitDistribution.Constant, 1),
                PlanInitKind.Zeros => (InitDistribution.Constant, 0),
                _ => (InitDistribution.Constant, Value is RealExpr v ? v.Value : Value is IntExpr n ? n.Value : 0),
            };
        }
    }

    /// <summary>A tensor a module owns: its name within the module, its shape, how it starts, and whether it is a buffer (running statistics).</summary>
    public sealed record PlanTensor(string Name, EquatableArray<Expr> Shape, PlanInit Init, bool IsBuffer = false)
    {
        /// <summary>PyTorch's fans of a tensor of this shape: dimension 1 (and 0) times the product of the rest; a vector's are its length.</summary>
        public (Expr FanIn, Expr FanOut) Fans()
        {
            if (Shape.Count < 2)
                return (Shape.Count == 1 ? Shape[0] : Exprs.One, Shape.Count == 1 ? Shape[0] : Exprs.One);
            var window = Shape.Skip(2).Aggregate((Expr)Exprs.One, Exprs.Multiply);
            return (Exprs.Multiply(Shape[1], window), Exprs.Multiply(Shape[0], window));
        }
    }

    public sealed record PlanChild(string Name, PlanModule Module);

    /// <summary>
    /// A constructor argument: positional (no <see cref="Name"/> needed by PyTorch, though it has one) or by keyword.
    /// <see cref="IsDefault"/> marks one left at PyTorch's default, which a back end may leave out.
    /// </summary>
    public sealed record PlanArgument(string Name, PlanValue Value, bool Positional = false, bool IsDefault = false);

    /// <summary>A value of an argument or a step.</summary>
    public abstract record PlanValue;

    /// <summary>A whole number (possibly an expression of a block parameter, decided when the block is built).</summary>
    public sealed record IntValue(Expr Value) : PlanValue;

    public sealed record RealValue(Expr Value) : PlanValue;

    public sealed record BoolValue(Expr Value) : PlanValue;

    /// <summary>One whole number per spatial dimension; PyTorch takes one number when all are equal, unless <see cref="AlwaysTuple"/>.</summary>
    public sealed record SizesValue(EquatableArray<Expr> Values, bool AlwaysTuple = false) : PlanValue;

    /// <summary>One real number per entry, always a tuple (an upsampling's scale factors).</summary>
    public sealed record RealsValue(EquatableArray<Expr> Values) : PlanValue;

    public sealed record TextValue(string Value) : PlanValue;

    /// <summary>A step of a layer's forward pass, applied to the value so far (the layer's first input at the start).</summary>
    public abstract record PlanStep;

    /// <summary>Calls the layer's module.</summary>
    public sealed record CallModule : PlanStep;

    /// <summary>What padding fills with.</summary>
    public enum PadFill
    {
        Zero,
        /// <summary>Minus infinity, so that max pooling never picks padding.</summary>
        NegativeInfinity,
    }

    /// <summary>
    /// Pads the spatial dimensions: <see cref="PerSide"/> holds (before, after) per dimension, in dimension order; where
    /// they depend on the input's size (Keras' <c>same</c> on a size variable), a back end computes them from the tensor
    /// with <see cref="Kernel"/>, <see cref="Stride"/> and <see cref="Dilation"/>.
    /// </summary>
    public sealed record Pad(EquatableArray<Expr> PerSide, PadFill Fill, EquatableArray<Expr> Kernel, EquatableArray<Expr> Stride, EquatableArray<Expr> Dilation) : PlanStep
    {
        public bool IsFixed => PerSide.All(p => p is IntExpr);
    }

    /// <summary>
    /// Keras' average pooling with <c>same</c> padding: the module over the zero-padded input, each output divided by the
    /// share of its window that lies on real pixels (padding is not counted).
    /// </summary>
    public sealed record AverageOverRealPixels(Pad Padding) : PlanStep;

    /// <summary>An activation, with its parameter where it takes one (leaky_relu's slope, elu's alpha).</summary>
    public sealed record ApplyActivation(Activation Activation, Expr? Parameter) : PlanStep;

    /// <summary>Merges the layer's inputs: element-wise sum or product, or concatenation along the channels.</summary>
    public sealed record Merge(MergeKind Kind) : PlanStep;

    /// <summary>Global pooling: the mean or maximum over every spatial dimension.</summary>
    public sealed record GlobalReduce(bool IsMax, int Rank) : PlanStep;

    /// <summary><c>x * scale + offset</c>, one value or one per channel each.</summary>
    public sealed record Rescale(EquatableArray<Expr> Scale, EquatableArray<Expr> Offset) : PlanStep;

    /// <summary>Drops whole samples (or rows) in training with probability <see cref="Rate"/>, scaling the rest (torchvision's stochastic_depth).</summary>
    public sealed record DropPath(Expr Rate, bool PerRow) : PlanStep;

    /// <summary>
    /// Moves the channels of a (N, C, ...) value to the last dimension (<see cref="ToLast"/>) or back, as
    /// <c>x.permute(0, 2, 3, 1)</c> and <c>x.permute(0, 3, 1, 2)</c> do for <see cref="Rank"/> 3 (the value's rank without
    /// the batch): what a channels-last operation such as ConvNeXt's LayerNorm2d wraps itself in.
    /// </summary>
    public sealed record MoveChannels(bool ToLast, int Rank) : PlanStep
    {
        /// <summary>The permutation of the value's dimensions (batch first), as <c>permute</c> takes it.</summary>
        public IReadOnlyList<int> Permutation => ToLast
            ? new[] { 0 }.Concat(Enumerable.Range(2, Rank - 1)).Append(1).ToArray()
            : new[] { 0, Rank }.Concat(Enumerable.Range(1, Rank - 1)).ToArray();
    }

    /// <summary>Builds a layer's plan arguments.</summary>
    public static class PlanArguments
    {
        public static PlanArgument Positional(string name, Expr value) => new PlanArgument(name, new IntValue(value), Positional: true);

        public static PlanArgument Int(string name, Expr value, long pytorchDefault) => new PlanArgument(name, new IntValue(value), IsDefault: value is IntExpr i && i.Value == pytorchDefault);

        public static PlanArgument Real(string name, Expr value, double? pytorchDefault = null) =>
            new PlanArgument(name, new RealValue(value), IsDefault: pytorchDefault is double d && value is RealExpr r && r.Value == d);

        public static PlanArgument Bool(string name, Expr value, bool pytorchDefault) =>
            new PlanArgument(name, new BoolValue(value), IsDefault: value is BoolExpr b && b.Value == pytorchDefault);

        /// <summary>Sizes per dimension; a default when every one is <paramref name="pytorchDefault"/>.</summary>
        public static PlanArgument Sizes(string name, IEnumerable<Expr> values, long? pytorchDefault = null)
        {
            var list = values.ToEquatableArray();
            return new PlanArgument(name, new SizesValue(list), IsDefault: pytorchDefault is long d && list.All(v => v is IntExpr i && i.Value == d));
        }

        public static PlanArgument Text(string name, string value) => new PlanArgument(name, new TextValue(value));
    }
}
