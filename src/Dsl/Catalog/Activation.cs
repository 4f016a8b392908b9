using System.Collections.Generic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// An activation, usable as a layer of its own (<c>relu</c>) and as <c>activation=relu</c> on conv and dense layers.
    /// As <c>activation=</c> it is applied as a tensor method inside forward, so it adds no module.
    /// </summary>
    public sealed class Activation
    {
        Activation(string name, string moduleType, string constructor, string tensorMethod, string defaultLayerName, string outputActivation)
        {
            Name = name;
            ModuleType = moduleType;
            Constructor = constructor;
            TensorMethod = tensorMethod;
            DefaultLayerName = defaultLayerName;
            OutputActivation = outputActivation;
        }

        public string Name { get; }
        /// <summary>The TorchSharp module class when used as a layer.</summary>
        public string ModuleType { get; }
        /// <summary>The expression that creates that module.</summary>
        public string Constructor { get; }
        /// <summary>The call appended to a tensor when used as <c>activation=</c>.</summary>
        public string TensorMethod { get; }
        public string DefaultLayerName { get; }
        /// <summary>The member of <c>CnnDsl.OutputActivation</c> for a model ending in it.</summary>
        public string OutputActivation { get; }

        // Softmax runs over dimension 1, the channels or features: what Keras' last axis is in NHWC.
        public static Activation ReLU { get; } = new Activation("relu", "ReLU", "global::TorchSharp.torch.nn.ReLU()", ".relu()", "re_lu", "None");
        public static Activation Sigmoid { get; } = new Activation("sigmoid", "Sigmoid", "global::TorchSharp.torch.nn.Sigmoid()", ".sigmoid()", "sigmoid", "Sigmoid");
        public static Activation Tanh { get; } = new Activation("tanh", "Tanh", "global::TorchSharp.torch.nn.Tanh()", ".tanh()", "tanh", "None");
        public static Activation Softmax { get; } = new Activation("softmax", "Softmax", "global::TorchSharp.torch.nn.Softmax(dim: 1)", ".softmax(1)", "softmax", "Softmax");
        public static Activation LogSoftmax { get; } = new Activation("log_softmax", "LogSoftmax", "global::TorchSharp.torch.nn.LogSoftmax(dim: 1)", ".log_softmax(1)", "log_softmax", "LogSoftmax");

        public static IReadOnlyList<Activation> All { get; } = new[] { ReLU, Sigmoid, Tanh, Softmax, LogSoftmax };
    }
}
