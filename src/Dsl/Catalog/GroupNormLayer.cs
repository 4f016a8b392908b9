using System.Globalization;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>groupnorm groups</c> on (C, ...): each sample's channels, in <c>groups</c> groups of C / groups, normalised over
    /// the group's channels and positions, then a learned scale and shift per channel; same shape; 2C parameters (none
    /// without <c>affine</c>); <c>nn.GroupNorm(groups, C)</c>. The groups must divide the channels.
    /// </summary>
    public sealed class GroupNormLayer : LayerKind
    {
        public GroupNormLayer()
            : base("groupnorm", "GroupNorm", "group_normalization", "Normalizes each sample's channels in groups, with learned scale and shift per channel.",
                new ParameterSpec("groups", ParameterType.Integer, "how many groups the channels are divided into; it divides the channels", required: true, positional: true),
                new ParameterSpec("eps", ParameterType.Float, "added to the variance for stability", defaultText: "1e-5"),
                new ParameterSpec("affine", ParameterType.Boolean, "whether to learn a scale and shift per channel", defaultText: "true"))
        {
        }

        public override Equivalents Equivalents => new Equivalents("nn.GroupNorm", "layers.GroupNormalization",
            "Keras normalises the last axis (channels-last) and its epsilon default is 1e-3; here the channels come first and eps is PyTorch's 1e-5.");

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var arguments = context.Arguments;
            var groups = arguments.Integer("groups") ?? Exprs.One;
            var eps = arguments.Float("eps", 1e-5)!;
            var affine = arguments.Boolean("affine", true);
            if (!arguments.HasErrors)
                arguments.AtLeast("groups", groups, 1);
            if (!arguments.HasErrors && eps is RealExpr e && !(e.Value > 0))
                arguments.OutOfRange("eps", e.Value.ToString(CultureInfo.InvariantCulture), "greater than 0");
            if (!context.CanInferShape)
                return null;
            if (context.Input.Rank < 2)
            {
                context.ReportRank("a (channels, ...) input with positions", "; group normalisation needs channels and at least one position");
                return null;
            }
            var channels = context.Input[0];
            if (!context.Session.IsFunction && !(channels is IntExpr))
            {
                context.Diagnostics.ReportFeaturesDependOnInputSize(context.Syntax.Location, context.LayerName, channels.ToString());
                return null;
            }
            if (!arguments.HasErrors && channels is IntExpr c && groups is IntExpr g && c.Value % g.Value != 0)
            {
                var divisors = Enumerable.Range(1, (int)System.Math.Min(c.Value, 64)).Where(d => c.Value % d == 0).Select(d => d.ToString(CultureInfo.InvariantCulture));
                arguments.OutOfRange("groups", g.Value.ToString(CultureInfo.InvariantCulture), "a divisor of the " + c.Value.ToString(CultureInfo.InvariantCulture) + " channels (" + string.Join(", ", divisors) + ")");
                return null;
            }
            return arguments.HasErrors ? null : new GroupNormConfig(groups, channels, eps, affine, context.Input);
        }
    }

    public sealed record GroupNormConfig(Expr Groups, Expr Channels, Expr Eps, Expr Affine, TensorShape Input) : LayerConfig
    {
        public override TensorShape OutputShape => Input;
        public override Expr Parameters => Affine is BoolExpr { Value: false } ? Exprs.Zero : Exprs.Multiply(Exprs.Int(2), Channels);
        public override string ModuleType => "GroupNorm";

        public override LayerPlan Lower()
        {
            var module = PlanModule.Of("GroupNorm", PlanArguments.Positional("num_groups", Groups), PlanArguments.Positional("num_channels", Channels),
                PlanArguments.Real("eps", Eps, 1e-5), PlanArguments.Bool("affine", Affine, true));
            return LayerPlan.Call(Affine is BoolExpr { Value: false } ? module : module.WithTensors(
                new PlanTensor("weight", EquatableArray.Create(Channels), new PlanInit(PlanInitKind.Ones)),
                new PlanTensor("bias", EquatableArray.Create(Channels), new PlanInit(PlanInitKind.Zeros))));
        }
    }
}
