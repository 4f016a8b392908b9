using System.Collections.Generic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// An activation, usable as a layer of its own (<c>relu</c>, <c>leaky_relu slope=0.2</c>) and as <c>activation=relu</c>
    /// on convolution and dense layers. As <c>activation=</c> it adds no module. Softmax runs over dimension 1, the
    /// channels or features: what Keras' last axis is in NHWC.
    /// </summary>
    public sealed class Activation
    {
        Activation(string name, string moduleType, string defaultLayerName, string outputActivation, Equivalents equivalents,
            string? parameter = null, double parameterDefault = 0, string parameterDescription = "")
        {
            Equivalents = equivalents;
            Name = name;
            ModuleType = moduleType;
            DefaultLayerName = defaultLayerName;
            OutputActivation = outputActivation;
            Parameter = parameter;
            ParameterDefault = parameterDefault;
            ParameterDescription = parameterDescription;
        }

        public string Name { get; }
        /// <summary>The TorchSharp module class when used as a layer.</summary>
        public string ModuleType { get; }
        public string DefaultLayerName { get; }
        /// <summary>The member of <c>CnnDsl.OutputActivation</c> for a model ending in it.</summary>
        public string OutputActivation { get; }
        /// <summary>The one argument the activation takes as a layer, if any (<c>slope</c> of leaky_relu, <c>alpha</c> of elu).</summary>
        public string? Parameter { get; }
        public double ParameterDefault { get; }
        public string ParameterDescription { get; }
        /// <summary>The PyTorch module and Keras layer of the activation as a layer of its own.</summary>
        public Equivalents Equivalents { get; }

        public static Activation ReLU { get; } = new Activation("relu", "ReLU", "re_lu", "None",
            new Equivalents("nn.ReLU", "layers.ReLU"));
        public static Activation ReLU6 { get; } = new Activation("relu6", "ReLU6", "re_lu6", "None",
            new Equivalents("nn.ReLU6", "layers.ReLU(max_value=6)"));
        public static Activation LeakyReLU { get; } = new Activation("leaky_relu", "LeakyReLU", "leaky_re_lu", "None",
            new Equivalents("nn.LeakyReLU", "layers.LeakyReLU", "The slope defaults to 0.01, as PyTorch's; Keras' default is 0.3 (`negative_slope`, `alpha` before Keras 3)."), "slope", 0.01, "the slope for negative inputs");
        public static Activation Elu { get; } = new Activation("elu", "ELU", "elu", "None",
            new Equivalents("nn.ELU", "layers.ELU"), "alpha", 1.0, "the value negative inputs saturate to, negated");
        public static Activation Gelu { get; } = new Activation("gelu", "GELU", "gelu", "None",
            new Equivalents("nn.GELU", "layers.Activation(\"gelu\")", "The exact form with erf in both (PyTorch's `approximate=\"none\"`, Keras' `approximate=False`)."));
        public static Activation Silu { get; } = new Activation("silu", "SiLU", "silu", "None",
            new Equivalents("nn.SiLU", "layers.Activation(\"silu\")", "Keras also calls it swish."));
        public static Activation Sigmoid { get; } = new Activation("sigmoid", "Sigmoid", "sigmoid", "Sigmoid",
            new Equivalents("nn.Sigmoid", "layers.Activation(\"sigmoid\")"));
        public static Activation Tanh { get; } = new Activation("tanh", "Tanh", "tanh", "None",
            new Equivalents("nn.Tanh", "layers.Activation(\"tanh\")"));
        public static Activation Softmax { get; } = new Activation("softmax", "Softmax", "softmax", "Softmax",
            new Equivalents("nn.Softmax(dim=1)", "layers.Softmax", "Over dimension 1, the channels or features: Keras' default `axis=-1` in NHWC."));
        public static Activation LogSoftmax { get; } = new Activation("log_softmax", "LogSoftmax", "log_softmax", "LogSoftmax",
            new Equivalents("nn.LogSoftmax(dim=1)", "layers.Activation(\"log_softmax\")", "Over dimension 1, the channels or features, as softmax."));
        /// <summary>x * relu6(x + 3) / 6, MobileNetV3's activation.</summary>
        public static Activation Hardswish { get; } = new Activation("hardswish", "Hardswish", "hard_swish", "None",
            new Equivalents("nn.Hardswish", "layers.Activation(\"hard_swish\")", "Keras 3 also calls it hard_silu."));
        /// <summary>relu6(x + 3) / 6, the gate of MobileNetV3's squeeze-and-excitation.</summary>
        public static Activation Hardsigmoid { get; } = new Activation("hardsigmoid", "Hardsigmoid", "hard_sigmoid", "None",
            new Equivalents("nn.Hardsigmoid", "layers.Activation(\"hard_sigmoid\")", "Both compute relu6(x + 3) / 6 in Keras 3; Keras 2's hard_sigmoid was clip(0.2x + 0.5, 0, 1)."));
        /// <summary>x * tanh(softplus(x)).</summary>
        public static Activation Mish { get; } = new Activation("mish", "Mish", "mish", "None",
            new Equivalents("nn.Mish", "layers.Activation(\"mish\")"));

        public static IReadOnlyList<Activation> All { get; } = new[] { ReLU, ReLU6, LeakyReLU, Elu, Gelu, Silu, Sigmoid, Tanh, Softmax, LogSoftmax, Hardswish, Hardsigmoid, Mish };
    }
}
