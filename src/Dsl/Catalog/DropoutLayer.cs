using System.Globalization;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary><c>dropout rate</c>: zeroes a fraction of the inputs while training; same shape; <c>nn.Dropout(rate)</c>.</summary>
    /// <remarks><c>dropout2d rate</c> drops whole channels of (C, H, W) inputs, as Keras' SpatialDropout2D; <c>nn.Dropout2d(rate)</c>.</remarks>
    public sealed class DropoutLayer : LayerKind
    {
        readonly bool channels;

        public DropoutLayer(bool channels = false)
            : base(channels ? "dropout2d" : "dropout", channels ? "Dropout2d" : "Dropout", channels ? "spatial_dropout2d" : "dropout",
                channels ? "Randomly zeroes whole channels while training." : "Randomly zeroes a fraction of the inputs while training.",
                new ParameterSpec("rate", ParameterType.Float, "the fraction to drop, from 0 up to but not including 1", required: true, positional: true))
        {
            this.channels = channels;
        }

        public override Equivalents Equivalents => channels
            ? new Equivalents("nn.Dropout2d", "layers.SpatialDropout2D", "Drops whole channels.")
            : new Equivalents("nn.Dropout", "layers.Dropout");

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var arguments = context.Arguments;
            var rate = arguments.Float("rate", 0)!;
            if (!arguments.HasErrors && rate is RealExpr r && !(r.Value >= 0 && r.Value < 1))
                arguments.OutOfRange("rate", r.Value.ToString(CultureInfo.InvariantCulture), "at least 0 and less than 1");
            if (!context.CanInferShape)
                return null;
            if (channels && context.Input.Rank != 3)
            {
                context.ReportRank("a (channels, height, width) input", context.Input.Rank == 1 ? "; use dropout after flatten or dense" : "");
                return null;
            }
            return new DropoutConfig(rate, channels, context.Input);
        }
    }

    public sealed record DropoutConfig(Expr Rate, bool Channels, TensorShape Input) : LayerConfig
    {
        public override TensorShape OutputShape => Input;
        public override Expr Parameters => Exprs.Zero;
        public override string ModuleType => Channels ? "Dropout2d" : "Dropout";

        public override LayerPlan Lower() => LayerPlan.Call(PlanModule.Of(ModuleType, new PlanArgument("p", new RealValue(Rate), Positional: true)));
    }
}
