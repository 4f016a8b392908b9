using CnnDsl.Dsl.Binding;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>dense units</c>: a fully connected layer on a flat input of F features; output (units);
    /// F*units weights + units biases; <c>nn.Linear(F, units)</c>.
    /// </summary>
    public sealed class DenseLayer : LayerKind
    {
        public DenseLayer()
            : base("dense", "Dense", "dense", "A fully connected layer.",
                new ParameterSpec("units", ParameterType.Integer, "the number of output features, e.g. 10", required: true, positional: true),
                new ParameterSpec("activation", ParameterType.Activation, "applied to the output", defaultText: "none"),
                new ParameterSpec("bias", ParameterType.Boolean, "whether to add a learned bias", defaultText: "true"),
                new ParameterSpec("in_features", ParameterType.Integer, "the expected number of input features, checked against the inferred one"))
        {
        }

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var arguments = context.Arguments;
            long units = arguments.Integer("units") ?? 1;
            var activation = arguments.Activation("activation");
            bool bias = arguments.Boolean("bias", true);
            arguments.Integer("in_features");
            if (!arguments.HasErrors && units < 1)
                arguments.OutOfRange("units", units.ToString(), "at least 1");
            if (!context.CanInferShape)
                return null;
            if (context.Input.Rank != 1)
            {
                context.ReportRank("a flat (features) input", context.Input.Rank > 1 ? "; add 'flatten' before it" : "");
                return null;
            }
            long inFeatures = context.Input[0];
            if (!context.CheckDeclaredInput("in_features", inFeatures))
                return null;
            return new DenseConfig(inFeatures, units, bias, activation);
        }
    }

    public sealed record DenseConfig(long InFeatures, long Units, bool Bias, Activation? Applied) : LayerConfig
    {
        public override TensorShape OutputShape => new TensorShape(Units);
        public override long Parameters => InFeatures * Units + (Bias ? Units : 0);
        public override string ModuleType => "Linear";
        public override Activation? Activation => Applied;

        public override string EmitConstructor() =>
            "global::TorchSharp.torch.nn.Linear(inputSize: " + InFeatures + ", outputSize: " + Units + (Bias ? "" : ", hasBias: false") + ")";
    }
}
