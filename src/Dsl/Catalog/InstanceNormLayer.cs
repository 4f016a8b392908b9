using System.Globalization;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>instancenorm1d</c> on (C, L), <c>instancenorm2d</c> on (C, H, W), <c>instancenorm3d</c> on (C, D, H, W): each
    /// sample's channels normalised over their positions; same shape; no parameters, or 2C with <c>affine=true</c>;
    /// <c>nn.InstanceNorm2d(C)</c> (without running statistics, as PyTorch's default).
    /// </summary>
    public sealed class InstanceNormLayer : LayerKind
    {
        readonly int dimensions;

        public InstanceNormLayer(int dimensions)
            : base("instancenorm" + dimensions + "d", "InstanceNorm" + dimensions + "d", "instance_normalization",
                "Normalizes each channel of each sample over its positions.",
                new ParameterSpec("eps", ParameterType.Float, "added to the variance for stability", defaultText: "1e-5"),
                new ParameterSpec("affine", ParameterType.Boolean, "whether to learn a scale and shift per channel", defaultText: "false"))
        {
            this.dimensions = dimensions;
        }

        public override Equivalents Equivalents => new Equivalents("nn.InstanceNorm" + dimensions + "d", "layers.GroupNormalization",
            "PyTorch's default: no learned scale and shift (affine=false) and no running statistics. Keras' equivalent is GroupNormalization(groups=-1), one group per channel, channels-last.");

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var arguments = context.Arguments;
            var eps = arguments.Float("eps", 1e-5)!;
            var affine = arguments.Boolean("affine", false);
            if (!arguments.HasErrors && eps is RealExpr e && !(e.Value > 0))
                arguments.OutOfRange("eps", e.Value.ToString(CultureInfo.InvariantCulture), "greater than 0");
            if (!context.CanInferShape)
                return null;
            if (context.Input.Rank != dimensions + 1)
            {
                context.ReportRank("a " + SpatialWindow.Describe(dimensions) + " input", SpatialWindow.RankHint(context.Input, "instancenorm", dimensions));
                return null;
            }
            var channels = context.Input[0];
            if (!context.Session.IsFunction && !(channels is IntExpr))
            {
                context.Diagnostics.ReportFeaturesDependOnInputSize(context.Syntax.Location, context.LayerName, channels.ToString());
                return null;
            }
            return arguments.HasErrors ? null : new InstanceNormConfig(dimensions, channels, eps, affine, context.Input);
        }
    }

    public sealed record InstanceNormConfig(int Dimensions, Expr Channels, Expr Eps, Expr Affine, TensorShape Input) : LayerConfig
    {
        public override TensorShape OutputShape => Input;
        public override Expr Parameters => Affine is BoolExpr { Value: true } ? Exprs.Multiply(Exprs.Int(2), Channels) : Exprs.Zero;
        public override string ModuleType => "InstanceNorm" + Dimensions + "d";

        public override LayerPlan Lower()
        {
            var module = PlanModule.Of(ModuleType, PlanArguments.Positional("num_features", Channels), PlanArguments.Real("eps", Eps, 1e-5), PlanArguments.Bool("affine", Affine, false));
            return LayerPlan.Call(Affine is BoolExpr { Value: true } ? module.WithTensors(
                new PlanTensor("weight", EquatableArray.Create(Channels), new PlanInit(PlanInitKind.Ones)),
                new PlanTensor("bias", EquatableArray.Create(Channels), new PlanInit(PlanInitKind.Zeros))) : module);
        }
    }
}
