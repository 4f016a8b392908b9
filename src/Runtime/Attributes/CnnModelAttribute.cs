using System;

namespace CnnDsl
{
    /// <summary>
    /// Marks a <c>partial class</c> as a CNN whose layers are the layer attributes on the same declaration, in source order.
    /// The compiler checks every shape and generates a TorchSharp module for it.
    /// </summary>
    /// <example><code>
    /// [CnnModel(Input = "1x28x28")]
    /// [Conv2d(32, Kernel = 3, Activation = Activation.ReLU)]
    /// [MaxPool2d(2)]
    /// [Flatten]
    /// [Dense(10)]
    /// public partial class TinyCnn;
    /// </code></example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class CnnModelAttribute : Attribute
    {
        /// <summary>One sample's shape without the batch dimension, channels first: <c>"1x28x28"</c>.</summary>
        public string? Input { get; set; }

        /// <summary>
        /// A zoo model (or block) whose layers the model starts with, written as in a .cnn file:
        /// <c>"resnet18 classes=10"</c>. Layer attributes, if any, follow its layers.
        /// </summary>
        public string? Base { get; set; }
    }

    /// <summary>The base of every layer attribute.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public abstract class LayerAttribute : Attribute
    {
        /// <summary>The layer's module name (and state_dict prefix); by default Keras-style: <c>conv2d</c>, <c>conv2d_1</c>.</summary>
        public string? Name { get; set; }

        /// <summary>The tensor the layer reads, by layer name (or <c>"input"</c>); by default the previous layer's output.</summary>
        public string? From { get; set; }
    }

    /// <summary>Keras-style padding for <see cref="Conv2dAttribute"/> and pooling attributes.</summary>
    public enum Padding
    {
        /// <summary>No padding.</summary>
        Valid,
        /// <summary>Pad so that the output has ceil(input / stride) positions, the odd pixel on the right and bottom.</summary>
        Same,
    }

    /// <summary>An activation applied by a layer's <c>Activation</c> argument.</summary>
    public enum Activation
    {
        None,
        ReLU,
        ReLU6,
        LeakyReLU,
        ELU,
        GELU,
        SiLU,
        Sigmoid,
        Tanh,
        Softmax,
        LogSoftmax,
        Hardswish,
        Hardsigmoid,
        Mish,
    }
}
