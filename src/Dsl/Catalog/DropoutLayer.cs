using System.Globalization;
using CnnDsl.Dsl.Binding;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary><c>dropout rate</c>: zeroes a fraction of the inputs while training; same shape; <c>nn.Dropout(rate)</c>.</summary>
    public sealed class DropoutLayer : LayerKind
    {
        public DropoutLayer()
            : base("dropout", "Dropout", "dropout", "Randomly zeroes a fraction of the inputs while training.",
                new ParameterSpec("rate", ParameterType.Float, "the fraction to drop, from 0 up to but not including 1", required: true, positional: true))
        {
        }

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var arguments = context.Arguments;
            double rate = arguments.Float("rate") ?? 0;
            if (!arguments.HasErrors && (rate < 0 || rate >= 1))
                arguments.OutOfRange("rate", rate.ToString(CultureInfo.InvariantCulture), "at least 0 and less than 1");
            return !context.CanInferShape ? null : new DropoutConfig(rate, context.Input);
        }
    }

    public sealed record DropoutConfig(double Rate, TensorShape Input) : LayerConfig
    {
        public override TensorShape OutputShape => Input;
        public override long Parameters => 0;
        public override string ModuleType => "Dropout";
        public override string EmitConstructor() => "global::TorchSharp.torch.nn.Dropout(p: " + Rate.ToString("R", CultureInfo.InvariantCulture) + ")";
    }
}
