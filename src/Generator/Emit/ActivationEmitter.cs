using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Generator
{
    /// <summary>TorchSharp's code for each activation: its module when it is a layer, its tensor method after <c>activation=</c>.</summary>
    internal static class ActivationEmitter
    {
        const string Nn = "global::TorchSharp.torch.nn.";

        public static string Constructor(Activation activation, Expr parameter, CSharpExpressions w) => activation.Name switch
        {
            "leaky_relu" => Nn + "LeakyReLU(negative_slope: " + w.Write(parameter) + ")",
            "elu" => Nn + "ELU(alpha: " + w.Write(parameter) + ")",
            "softmax" => Nn + "Softmax(dim: 1)",
            "log_softmax" => Nn + "LogSoftmax(dim: 1)",
            _ => Nn + activation.ModuleType + "()",
        };

        /// <summary>The expression applying <c>activation=</c> to a tensor expression, with the activation's default parameter.</summary>
        public static string Apply(Activation activation, string expression) =>
            // TorchSharp's Tensor has no mish method; its functional form does the same.
            activation.Name == "mish" ? Nn + "functional.mish(" + expression + ")" : expression + TensorMethod(activation);

        static string TensorMethod(Activation activation) => activation.Name switch
        {
            "leaky_relu" => ".leaky_relu(" + CSharpExpressions.Real(activation.ParameterDefault) + ")",
            "elu" => ".elu(" + CSharpExpressions.Real(activation.ParameterDefault) + ")",
            "softmax" => ".softmax(1)",
            "log_softmax" => ".log_softmax(1)",
            _ => "." + activation.Name + "()",
        };
    }
}
