using System.Globalization;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>batchnorm1d</c> on (F) or (C, L), <c>batchnorm2d</c> on (C, H, W), <c>batchnorm3d</c> on (C, D, H, W): same shape; 2C parameters (scale and shift)
    /// and 2C+1 elements of state (running mean, running variance, batches seen); <c>nn.BatchNorm2d(C)</c>.
    /// </summary>
    public sealed class BatchNormLayer : LayerKind
    {
        readonly int dimensions;
        readonly string channelArgument;

        public BatchNormLayer(int dimensions)
            : base("batchnorm" + dimensions + "d", "BatchNorm" + dimensions + "d", "batch_normalization",
                "Normalizes each channel over the batch, with learned scale and shift.",
                new ParameterSpec("eps", ParameterType.Float, "added to the variance for stability", defaultText: "1e-5"),
                new ParameterSpec("momentum", ParameterType.Float, "the weight of each new batch in the running statistics", defaultText: "0.1"),
                new ParameterSpec(dimensions == 1 ? "in_features" : "in_channels", ParameterType.Integer, "the expected number of channels, checked against the inferred one"))
        {
            this.dimensions = dimensions;
            channelArgument = dimensions == 1 ? "in_features" : "in_channels";
        }

        public override Equivalents Equivalents => new Equivalents("nn.BatchNorm" + dimensions + "d", "layers.BatchNormalization",
            "Defaults and momentum are PyTorch's (eps 1e-5; momentum 0.1, the weight of each new batch). Keras' `momentum=0.99` is `momentum=0.01` here, its eps default is 1e-3, and it normalises the last axis (channels-last).");

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var arguments = context.Arguments;
            var eps = arguments.Float("eps", 1e-5)!;
            var momentum = arguments.Float("momentum", 0.1)!;
            arguments.Integer(channelArgument);
            if (!arguments.HasErrors && eps is RealExpr e && !(e.Value > 0))
                arguments.OutOfRange("eps", e.Value.ToString(CultureInfo.InvariantCulture), "greater than 0");
            if (!arguments.HasErrors && momentum is RealExpr m && !(m.Value >= 0 && m.Value <= 1))
                arguments.OutOfRange("momentum", m.Value.ToString(CultureInfo.InvariantCulture), "from 0 to 1");
            if (!context.CanInferShape)
                return null;
            bool rankOk = dimensions == 1 ? context.Input.Rank == 1 || context.Input.Rank == 2 : context.Input.Rank == dimensions + 1;
            if (!rankOk)
            {
                context.ReportRank(dimensions == 1 ? "a (features) or (channels, length) input" : "a " + SpatialWindow.Describe(dimensions) + " input",
                    context.Input.Rank == 1 ? "; use batchnorm1d after flatten or dense" : SpatialWindow.RankHint(context.Input, "batchnorm", dimensions));
                return null;
            }
            var channels = context.Input[0];
            if (!context.Session.IsFunction && !(channels is IntExpr))
            {
                context.Diagnostics.ReportFeaturesDependOnInputSize(context.Syntax.Location, context.LayerName, channels.ToString());
                return null;
            }
            if (!context.CheckDeclaredInput(channelArgument, channels))
                return null;
            // The state's size, 2C + 1, must fit too.
            Exprs.Add(Exprs.Multiply(Exprs.Int(2), channels), Exprs.One);
            return new BatchNormConfig(dimensions, channels, eps, momentum, context.Input);
        }
    }

    public sealed record BatchNormConfig(int Dimensions, Expr Channels, Expr Eps, Expr Momentum, TensorShape Input) : LayerConfig
    {
        public override TensorShape OutputShape => Input;
        public override Expr Parameters => Exprs.Multiply(Exprs.Int(2), Channels);
        public override Expr State => Exprs.Add(Exprs.Multiply(Exprs.Int(2), Channels), Exprs.One);
        public override string ModuleType => "BatchNorm" + Dimensions + "d";

        // Scale ones, shift zeros, running mean zeros and variance ones (the batch counter, an integer, is not listed).
        public override LayerPlan Lower() => LayerPlan.Call(PlanModule.Of(ModuleType,
            PlanArguments.Positional("num_features", Channels), PlanArguments.Real("eps", Eps, 1e-5), PlanArguments.Real("momentum", Momentum, 0.1))
            .WithTensors(
                new PlanTensor("weight", EquatableArray.Create(Channels), new PlanInit(PlanInitKind.Ones)),
                new PlanTensor("bias", EquatableArray.Create(Channels), new PlanInit(PlanInitKind.Zeros)),
                new PlanTensor("running_mean", EquatableArray.Create(Channels), new PlanInit(PlanInitKind.Zeros), IsBuffer: true),
                new PlanTensor("running_var", EquatableArray.Create(Channels), new PlanInit(PlanInitKind.Ones), IsBuffer: true)));
    }
}
