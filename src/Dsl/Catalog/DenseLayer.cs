using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>dense units</c>: a fully connected layer on a flat input of F features; output (units);
    /// F*units weights + units biases; <c>nn.Linear(F, units)</c>. F must not depend on the input size.
    /// </summary>
    public sealed class DenseLayer : LayerKind
    {
        public DenseLayer()
            : base("dense", "Dense", "dense", "A fully connected layer.",
                new[] {
                new ParameterSpec("units", ParameterType.Integer, "the number of output features, e.g. 10", required: true, positional: true),
                new ParameterSpec("activation", ParameterType.Activation, "applied to the output", defaultText: "none"),
                new ParameterSpec("bias", ParameterType.Boolean, "whether to add a learned bias", defaultText: "true"),
                new ParameterSpec("in_features", ParameterType.Integer, "the expected number of input features, checked against the inferred one")}
                .Concat(Initializer.Parameters()).ToArray())
        {
        }

        public override Equivalents Equivalents => new Equivalents("nn.Linear", "layers.Dense",
            "PyTorch's weight is (units, in_features); Keras' kernel is its transpose, (in_features, units).");

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var arguments = context.Arguments;
            var units = arguments.Integer("units") ?? Exprs.One;
            var activation = arguments.Activation("activation");
            var bias = arguments.Boolean("bias", true);
            arguments.Integer("in_features");
            var init = Initializer.Read(arguments);
            if (!arguments.HasErrors)
                arguments.AtLeast("units", units, 1);
            if (!context.CanInferShape)
                return null;
            if (context.Input.Rank != 1)
            {
                if (context.Input.Rank > 1)
                    context.ReportRank("a flat (features) input", "; add 'flatten' before it",
                        new DiagnosticFix(FixKind.InsertLayerBefore, "Add 'flatten' before this layer", context.Syntax.Location, FlattenLayer.KindName));
                else
                    context.ReportRank("a flat (features) input");
                return null;
            }
            var inFeatures = context.Input[0];
            if (!context.Session.IsFunction && !(inFeatures is IntExpr))
            {
                context.Diagnostics.ReportFeaturesDependOnInputSize(context.Syntax.Location, context.LayerName, inFeatures.ToString());
                return null;
            }
            if (!context.CheckDeclaredInput("in_features", inFeatures))
                return null;
            return new DenseConfig(inFeatures, units, bias, activation) { Init = init };
        }
    }

    public sealed record DenseConfig(Expr InFeatures, Expr Units, Expr Bias, Activation? Applied) : LayerConfig
    {
        public override TensorShape OutputShape => new TensorShape(new[] { Units });
        public override Expr Parameters => Exprs.Add(Exprs.Multiply(InFeatures, Units), Bias is BoolExpr { Value: false } ? Exprs.Zero : Units);
        public override string ModuleType => "Linear";
        public override Activation? Activation => Applied;

        /// <summary>How the kernel and bias start (<c>kernel_init=</c>, <c>bias_init=</c>).</summary>
        public LayerInit Init { get; init; } = LayerInit.Default;

        public override LayerPlan Lower()
        {
            var module = PlanModule.Of("Linear", PlanArguments.Positional("in_features", InFeatures), PlanArguments.Positional("out_features", Units), PlanArguments.Bool("bias", Bias, true));
            var weight = new PlanTensor("weight", EquatableArray.Create(Units, InFeatures), Init.ForKernel(InFeatures));
            module = Bias is BoolExpr { Value: false } ? module.WithTensors(weight)
                : module.WithTensors(weight, new PlanTensor("bias", EquatableArray.Create(Units), Init.ForBias(InFeatures)));
            return LayerPlan.Call(module, Applied);
        }
    }
}
