using CnnDsl.Dsl.Binding;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary><c>flatten</c>: (C, H, W) becomes (C*H*W); no parameters; <c>nn.Flatten()</c>.</summary>
    public sealed class FlattenLayer : LayerKind
    {
        public FlattenLayer()
            : base("flatten", "Flatten", "flatten", "Flattens each sample into one dimension, for dense layers.")
        {
        }

        public override LayerConfig? Bind(LayerBindingContext context) =>
            !context.CanInferShape ? null : new FlattenConfig(new TensorShape(context.Input.Elements));
    }

    public sealed record FlattenConfig(TensorShape Output) : LayerConfig
    {
        public override TensorShape OutputShape => Output;
        public override long Parameters => 0;
        public override string ModuleType => "Flatten";
        public override string EmitConstructor() => "global::TorchSharp.torch.nn.Flatten()";
    }
}
