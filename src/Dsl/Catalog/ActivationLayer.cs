using System.Collections.Generic;
using CnnDsl.Dsl.Binding;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>relu</c>, <c>sigmoid</c>, <c>tanh</c>, <c>softmax</c>, <c>log_softmax</c> as layers: any input shape, same output
    /// shape, no parameters; emitted as the matching TorchSharp module (<c>nn.ReLU()</c>, <c>nn.Softmax(dim: 1)</c>).
    /// </summary>
    public sealed class ActivationLayer : LayerKind
    {
        readonly Activation activation;

        public ActivationLayer(Activation activation)
            : base(activation.Name, activation.ModuleType, activation.DefaultLayerName, "Applies " + activation.Name + " element-wise" + (activation.Name.Contains("softmax") ? " (over the channels or features)" : "") + ".")
        {
            this.activation = activation;
        }

        public override LayerConfig? Bind(LayerBindingContext context) =>
            !context.CanInferShape ? null : new ActivationConfig(activation, context.Input);
    }

    public sealed record ActivationConfig(Activation Kind, TensorShape Input) : LayerConfig
    {
        public override TensorShape OutputShape => Input;
        public override long Parameters => 0;
        public override string ModuleType => Kind.ModuleType;
        public override string EmitConstructor() => Kind.Constructor;
        public override Activation? Activation => Kind;
        protected override bool IsActivationLayer => true;
    }
}
