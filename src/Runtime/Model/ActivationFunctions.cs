using System;
using System.Linq;
using DslActivation = CnnDsl.Dsl.Catalog.Activation;
using static TorchSharp.torch;

namespace CnnDsl
{
    /// <summary>
    /// The run time's one table from the catalogue's activations to TorchSharp's functions, with each activation's default
    /// parameter: what <c>activation=</c> appends to a layer. The run-time builder and layer handles (feature maps,
    /// Grad-CAM) both use it, so an activation added to the catalogue is missing from both or from neither.
    /// </summary>
    internal static class ActivationFunctions
    {
        /// <summary>Applies <paramref name="activation"/> as <c>activation=</c> does; softmax and log_softmax run over dimension 1.</summary>
        public static Tensor Apply(DslActivation activation, Tensor x) => activation.Name switch
        {
            "relu" => x.relu(),
            "relu6" => x.relu6(),
            "leaky_relu" => x.leaky_relu(activation.ParameterDefault),
            "elu" => x.elu(activation.ParameterDefault),
            "gelu" => x.gelu(),
            "silu" => x.silu(),
            "sigmoid" => x.sigmoid(),
            "tanh" => x.tanh(),
            "softmax" => x.softmax(1),
            "log_softmax" => x.log_softmax(1),
            "hardswish" => x.hardswish(),
            "hardsigmoid" => x.hardsigmoid(),
            "mish" => nn.functional.mish(x),
            _ => throw new NotSupportedException($"The activation '{activation.Name}' has no run-time function; add it to {nameof(ActivationFunctions)}."),
        };

        /// <summary>
        /// The activation by its name in the language (<c>hardswish</c>) or a common alias (<c>swish</c>, <c>leakyrelu</c>);
        /// null for <c>none</c> and <c>linear</c>, which apply nothing.
        /// </summary>
        public static DslActivation? Find(string name)
        {
            var folded = name.ToLowerInvariant();
            if (folded is "none" or "linear")
                return null;
            folded = folded switch { "swish" => "silu", "leakyrelu" => "leaky_relu", "logsoftmax" => "log_softmax", "hard_swish" => "hardswish", "hard_sigmoid" => "hardsigmoid", _ => folded };
            return DslActivation.All.FirstOrDefault(a => a.Name == folded)
                ?? throw new ArgumentException($"Unknown activation '{name}'; use one of {string.Join(", ", DslActivation.All.Select(a => a.Name))} or none.", nameof(name));
        }
    }
}
