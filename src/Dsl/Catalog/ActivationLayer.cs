using System.Collections.Generic;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// Activations as layers (<c>relu</c>, <c>leaky_relu slope=0.2</c>, <c>softmax</c>...): any input shape, same output
    /// shape, no parameters; the matching TorchSharp module (<c>nn.ReLU()</c>, <c>nn.Softmax(dim: 1)</c>).
    /// </summary>
    public sealed class ActivationLayer : LayerKind
    {
        readonly Activation activation;

        public ActivationLayer(Activation activation)
            : base(activation.Name, activation.ModuleType, activation.DefaultLayerName,
                "Applies " + activation.Name + " element-wise" + (activation.Name.Contains("softmax") ? " (over the channels or features)" : "") + ".",
                activation.Parameter == null
                    ? new ParameterSpec[0]
                    : new[] { new ParameterSpec(activation.Parameter, ParameterType.Float, activation.ParameterDescription, positional: true, defaultText: activation.ParameterDefault.ToString(System.Globalization.CultureInfo.InvariantCulture)) })
        {
            this.activation = activation;
        }

        public override Equivalents Equivalents => activation.Equivalents;

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var parameter = activation.Parameter == null ? new RealExpr(0) : context.Arguments.Float(activation.Parameter, activation.ParameterDefault)!;
            return !context.CanInferShape ? null : new ActivationConfig(activation, parameter, context.Input);
        }
    }

    public sealed record ActivationConfig(Activation Kind, Expr Parameter, TensorShape Input) : LayerConfig
    {
        public override TensorShape OutputShape => Input;
        public override Expr Parameters => Exprs.Zero;
        public override string ModuleType => Kind.ModuleType;
        public override Activation? Activation => Kind;

        // The activation as a module of its own; its one parameter (leaky_relu's slope, elu's alpha) is PyTorch's first
        // argument, and the softmaxes run over the channels.
        public override LayerPlan Lower()
        {
            var arguments = new List<PlanArgument>();
            if (Kind.Parameter != null)
                arguments.Add(new PlanArgument(Kind.Parameter, new RealValue(Parameter), Positional: true));
            if (Kind == Activation.Softmax || Kind == Activation.LogSoftmax)
                arguments.Add(new PlanArgument("dim", new IntValue(Exprs.One)));
            return LayerPlan.Call(new PlanModule(Kind.ModuleType, arguments.ToEquatableArray()));
        }
    }
}
