using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary><c>flatten</c>: (C, H, W) becomes (C*H*W); no parameters; <c>nn.Flatten()</c>.</summary>
    public sealed class FlattenLayer : LayerKind
    {
        /// <summary>The kind's name in the language, for fixes that insert it.</summary>
        public const string KindName = "flatten";

        public FlattenLayer()
            : base(KindName, "Flatten", "flatten", "Flattens each sample into one dimension, for dense layers.")
        {
        }

        public override Equivalents Equivalents => new Equivalents("nn.Flatten", "layers.Flatten",
            "Flattens in NCHW order, channel by channel; Keras flattens NHWC, position by position, so the weights of a dense layer after it are permuted between the two.");

        public override LayerConfig? Bind(LayerBindingContext context) =>
            !context.CanInferShape ? null : new FlattenConfig(new TensorShape(new[] { context.Input.Elements }));
    }

    public sealed record FlattenConfig(TensorShape Output) : LayerConfig
    {
        public override TensorShape OutputShape => Output;
        public override Expr Parameters => Exprs.Zero;
        public override string ModuleType => "Flatten";

        public override LayerPlan Lower() => LayerPlan.Call(PlanModule.Of("Flatten"));
    }
}
