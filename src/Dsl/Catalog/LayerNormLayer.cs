using System.Globalization;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>layernorm</c>: each position's channels normalised over the channels, then a learned scale and shift per
    /// channel; same shape; 2C parameters (none without <c>affine</c>). On (C, H, W) it is ConvNeXt's LayerNorm2d
    /// (<c>nn.LayerNorm(C)</c> on the channels-last view) and Keras' <c>LayerNormalization(axis=-1)</c> on channels-last
    /// data; on a flat (C) input it is <c>nn.LayerNorm(C)</c> over the features.
    /// </summary>
    public sealed class LayerNormLayer : LayerKind
    {
        public LayerNormLayer()
            : base("layernorm", "LayerNorm", "layer_normalization", "Normalizes the channels at each position, with learned scale and shift per channel.",
                new ParameterSpec("eps", ParameterType.Float, "added to the variance for stability", defaultText: "1e-5"),
                new ParameterSpec("affine", ParameterType.Boolean, "whether to learn a scale and shift per channel", defaultText: "true"))
        {
        }

        public override Equivalents Equivalents => new Equivalents("nn.LayerNorm", "layers.LayerNormalization",
            "On (C, H, W) PyTorch applies nn.LayerNorm(C) to the channels-last view (x.permute(0, 2, 3, 1)), as torchvision's ConvNeXt does; "
            + "Keras' LayerNormalization(axis=-1) on channels-last data is the same, though its epsilon default is 1e-3.");

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var arguments = context.Arguments;
            var eps = arguments.Float("eps", 1e-5)!;
            var affine = arguments.Boolean("affine", true);
            if (!arguments.HasErrors && eps is RealExpr e && !(e.Value > 0))
                arguments.OutOfRange("eps", e.Value.ToString(CultureInfo.InvariantCulture), "greater than 0");
            if (!context.CanInferShape)
                return null;
            var channels = context.Input[0];
            if (!context.Session.IsFunction && !(channels is IntExpr))
            {
                context.Diagnostics.ReportFeaturesDependOnInputSize(context.Syntax.Location, context.LayerName, channels.ToString());
                return null;
            }
            return arguments.HasErrors ? null : new LayerNormConfig(channels, eps, affine, context.Input);
        }
    }

    public sealed record LayerNormConfig(Expr Channels, Expr Eps, Expr Affine, TensorShape Input) : LayerConfig
    {
        public override TensorShape OutputShape => Input;
        public override Expr Parameters => Affine is BoolExpr { Value: false } ? Exprs.Zero : Exprs.Multiply(Exprs.Int(2), Channels);
        public override string ModuleType => "LayerNorm";

        public override LayerPlan Lower()
        {
            var module = PlanModule.Of("LayerNorm", PlanArguments.Positional("normalized_shape", Channels),
                PlanArguments.Real("eps", Eps, 1e-5), PlanArguments.Bool("elementwise_affine", Affine, true));
            if (!(Affine is BoolExpr { Value: false }))
            {
                module = module.WithTensors(
                    new PlanTensor("weight", EquatableArray.Create(Channels), new PlanInit(PlanInitKind.Ones)),
                    new PlanTensor("bias", EquatableArray.Create(Channels), new PlanInit(PlanInitKind.Zeros)));
            }
            if (Input.Rank == 1)
                return LayerPlan.Call(module);
            // nn.LayerNorm normalises the last dimension: the channels go there and back.
            return new LayerPlan(module, EquatableArray.Create<PlanStep>(new MoveChannels(true, Input.Rank), new CallModule(), new MoveChannels(false, Input.Rank)));
        }
    }
}
