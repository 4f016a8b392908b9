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
        Activation(string name, string moduleType, string defaultLayerName, string outputActivation,
            string? parameter = null, double parameterDefault = 0, string parameterDescription = "")
        {
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

        public static Activation ReLU { get; } = new Activation("relu", "ReLU", "re_lu", "None");
        public static Activation ReLU6 { get; } = new Activation("relu6", "ReLU6", "re_lu6", "None");
        public static Activation LeakyReLU { get; } = new Activation("leaky_relu", "LeakyReLU", "leaky_re_lu", "None", "slope", 0.01, "the slope for negative inputs");
        public static Activation Elu { get; } = new Activation("elu", "ELU", "elu", "None", "alpha", 1.0, "the value negative inputs saturate to, negated");
        public static Activation Gelu { get; } = new Activation("gelu", "GELU", "gelu", "None");
        public static Activation Silu { get; } = new Activation("silu", "SiLU", "silu", "None");
        public static Activation Sigmoid { get; } = new Activation("sigmoid", "Sigmoid", "sigmoid", "Sigmoid");
        public static Activation Tanh { get; } = new Activation("tanh", "Tanh", "tanh", "None");
        public static Activation Softmax { get; } = new Activation("softmax", "Softmax", "softmax", "Softmax");
        public static Activation LogSoftmax { get; } = new Activation("log_softmax", "LogSoftmax", "log_softmax", "LogSoftmax");
        /// <summary>x * relu6(x + 3) / 6, MobileNetV3's activation.</summary>
        public static Activation Hardswish { get; } = new Activation("hardswish", "Hardswish", "hard_swish", "None");
        /// <summary>relu6(x + 3) / 6, the gate of MobileNetV3's squeeze-and-excitation.</summary>
        public static Activation Hardsigmoid { get; } = new Activation("hardsigmoid", "Hardsigmoid", "hard_sigmoid", "None");
        /// <summary>x * tanh(softplus(x)).</summary>
        public static Activation Mish { get; } = new Activation("mish", "Mish", "mish", "None");

        public static IReadOnlyList<Activation> All { get; } = new[] { ReLU, ReLU6, LeakyReLU, Elu, Gelu, Silu, Sigmoid, Tanh, Softmax, LogSoftmax, Hardswish, Hardsigmoid, Mish };
    }
}
