using System.Globalization;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>stochastic_depth rate</c> (torchvision's StochasticDepth): while training, zeroes whole samples of a residual
    /// branch with probability <c>rate</c> (<c>mode=row</c>) or the whole batch (<c>mode=batch</c>) and scales the rest by
    /// 1/(1 - rate); the identity in evaluation. Same shape, no parameters; <c>CnnDsl.Layers.StochasticDepth</c>.
    /// </summary>
    public sealed class StochasticDepthLayer : LayerKind
    {
        static readonly string[] Modes = { "row", "batch" };

        public StochasticDepthLayer()
            : base("stochastic_depth", "StochasticDepth", "stochastic_depth", "Randomly drops a residual branch per sample while training.",
                new ParameterSpec("rate", ParameterType.Float, "the probability of dropping, from 0 to 1", required: true, positional: true),
                new ParameterSpec("mode", ParameterType.Choice, "row (each sample on its own) or batch (the whole batch)", defaultText: "row"))
        {
        }

        public override Equivalents Equivalents => new Equivalents("torchvision.ops.StochasticDepth", "keras_cv.layers.DropPath",
            "The export writes torchvision's function inline, so the module needs only torch. Keras itself has no such layer: KerasCV's DropPath drops samples (`mode=row`); "
            + "its StochasticDepth replaces the residual add instead and drops the whole batch.");

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var arguments = context.Arguments;
            var rate = arguments.Float("rate", 0)!;
            var mode = arguments.Choice("mode", Modes, "row");
            if (!arguments.HasErrors && rate is RealExpr r && !(r.Value >= 0 && r.Value <= 1))
                arguments.OutOfRange("rate", r.Value.ToString(CultureInfo.InvariantCulture), "from 0 to 1");
            if (!context.CanInferShape)
                return null;
            return new StochasticDepthConfig(rate, mode == "row", context.Input);
        }
    }

    public sealed record StochasticDepthConfig(Expr Rate, bool PerRow, TensorShape Input) : LayerConfig
    {
        public override TensorShape OutputShape => Input;
        public override Expr Parameters => Exprs.Zero;
        public override string ModuleType => "StochasticDepth";

        // No parameters or buffers: a function of the training flag in forward (torchvision's stochastic_depth).
        public override LayerPlan Lower() => new LayerPlan(null, EquatableArray.Create<PlanStep>(new DropPath(Rate, PerRow)));
    }
}
