using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>rescaling scale=..., offset=...</c> (Keras' Rescaling): x * scale + offset, with one value for all channels or
    /// one per channel; same shape, no parameters and no state (the values are constants of the model, not weights).
    /// torchvision's <c>transform_input</c> of Inception V3 and GoogLeNet is such a per-channel rescaling.
    /// </summary>
    public sealed class RescalingLayer : LayerKind
    {
        public RescalingLayer()
            : base("rescaling", "Rescaling", "rescaling", "Multiplies by a constant scale and adds a constant offset, per channel or for all.",
                new ParameterSpec("scale", ParameterType.Float, "the factor, one number or one per channel, e.g. 0.00392", positional: true, defaultText: "1"),
                new ParameterSpec("offset", ParameterType.Float, "added after scaling, one number or one per channel", defaultText: "0"))
        {
        }

        public override Equivalents Equivalents => new Equivalents("x * scale + offset", "layers.Rescaling",
            "PyTorch has no module for it: the export writes it in forward with the values as constants, not state_dict entries. "
            + "torchvision's `transforms.Normalize(mean, std)` is `scale=1/std, offset=-mean/std`.");

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var arguments = context.Arguments;
            var scale = arguments.Floats("scale") ?? new Expr[] { new RealExpr(1) };
            var offset = arguments.Floats("offset") ?? new Expr[] { new RealExpr(0) };
            if (!context.CanInferShape)
                return null;
            var channels = context.Input[0].Constant;
            foreach (var (name, values) in new[] { ("scale", scale), ("offset", offset) })
            {
                if (values.Length != 1 && channels is long c && values.Length != c)
                {
                    arguments.OutOfRange(name, values.Length + " values", "one number, or one per channel (" + c + ")");
                    return null;
                }
            }
            return new RescalingConfig(scale.ToEquatableArray(), offset.ToEquatableArray(), context.Input);
        }
    }

    public sealed record RescalingConfig(EquatableArray<Expr> Scale, EquatableArray<Expr> Offset, TensorShape Input) : LayerConfig
    {
        public override TensorShape OutputShape => Input;
        public override Expr Parameters => Exprs.Zero;
        public override string ModuleType => "Rescaling";

        // No parameters or buffers: arithmetic in forward.
        public override LayerPlan Lower() => new LayerPlan(null, EquatableArray.Create<PlanStep>(new Rescale(Scale, Offset)));
    }
}
