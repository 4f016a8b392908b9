using System.Collections.Generic;
using System.Globalization;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// An activation, usable as a layer of its own (<c>relu</c>, <c>leaky_relu slope=0.2</c>) and as <c>activation=relu</c>
    /// on convolution and dense layers. As <c>activation=</c> it is a tensor method inside forward and adds no module.
    /// </summary>
    public sealed class Activation
    {
        readonly string constructor;
        readonly string tensorMethod;

        Activation(string name, string moduleType, string constructor, string tensorMethod, string defaultLayerName, string outputActivation,
            string? parameter = null, double parameterDefault = 0, string parameterDescription = "")
        {
            Name = name;
            ModuleType = moduleType;
            this.constructor = constructor;
            this.tensorMethod = tensorMethod;
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

        /// <summary>The expression that creates the module; <c>{0}</c> in the template is the parameter.</summary>
        public string Constructor(double parameter) => string.Format(CultureInfo.InvariantCulture, constructor, Format(parameter));

        /// <summary>The call appended to a tensor when used as <c>activation=</c>.</summary>
        public string TensorMethod(double parameter) => string.Format(CultureInfo.InvariantCulture, tensorMethod, Format(parameter));

        static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        const string Nn = "global::TorchSharp.torch.nn.";

        // Softmax runs over dimension 1, the channels or features: what Keras' last axis is in NHWC.
        public static Activation ReLU { get; } = new Activation("relu", "ReLU", Nn + "ReLU()", ".relu()", "re_lu", "None");
        public static Activation ReLU6 { get; } = new Activation("relu6", "ReLU6", Nn + "ReLU6()", ".relu6()", "re_lu6", "None");
        public static Activation LeakyReLU { get; } = new Activation("leaky_relu", "LeakyReLU", Nn + "LeakyReLU(negative_slope: {0})", ".leaky_relu({0})", "leaky_re_lu", "None",
            "slope", 0.01, "the slope for negative inputs");
        public static Activation Elu { get; } = new Activation("elu", "ELU", Nn + "ELU(alpha: {0})", ".elu({0})", "elu", "None",
            "alpha", 1.0, "the value negative inputs saturate to, negated");
        public static Activation Gelu { get; } = new Activation("gelu", "GELU", Nn + "GELU()", ".gelu()", "gelu", "None");
        public static Activation Silu { get; } = new Activation("silu", "SiLU", Nn + "SiLU()", ".silu()", "silu", "None");
        public static Activation Sigmoid { get; } = new Activation("sigmoid", "Sigmoid", Nn + "Sigmoid()", ".sigmoid()", "sigmoid", "Sigmoid");
        public static Activation Tanh { get; } = new Activation("tanh", "Tanh", Nn + "Tanh()", ".tanh()", "tanh", "None");
        public static Activation Softmax { get; } = new Activation("softmax", "Softmax", Nn + "Softmax(dim: 1)", ".softmax(1)", "softmax", "Softmax");
        public static Activation LogSoftmax { get; } = new Activation("log_softmax", "LogSoftmax", Nn + "LogSoftmax(dim: 1)", ".log_softmax(1)", "log_softmax", "LogSoftmax");

        public static IReadOnlyList<Activation> All { get; } = new[] { ReLU, ReLU6, LeakyReLU, Elu, Gelu, Silu, Sigmoid, Tanh, Softmax, LogSoftmax };
    }
}
