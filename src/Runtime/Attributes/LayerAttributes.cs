using System;

namespace CnnDsl
{
    // One attribute per layer kind of the catalogue (CnnDsl.Dsl.Catalog.LayerCatalog), with the same arguments in
    // PascalCase; constructor parameters are the positional arguments. Sizes and paddings take an int, an int[] with one
    // value per dimension, or for padding Padding.Same / Padding.Valid, hence 'object'.

    /// <summary>A 2-D convolution: <c>conv2d filters, kernel</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class Conv2dAttribute : LayerAttribute
    {
        public Conv2dAttribute(int filters) => Filters = filters;
        public Conv2dAttribute(int filters, int kernel) : this(filters) => Kernel = kernel;
        /// <summary>Output channels.</summary>
        public int Filters { get; }
        /// <summary>Window size: an int or an int[] (height, width).</summary>
        public object? Kernel { get; set; }
        /// <summary>Step between windows: an int or an int[].</summary>
        public object? Stride { get; set; }
        /// <summary><see cref="CnnDsl.Padding"/>, an int, an int[] per dimension, or an int[] (top, bottom, left, right).</summary>
        public object? Padding { get; set; }
        /// <summary>Spacing between kernel elements: an int or an int[].</summary>
        public object? Dilation { get; set; }
        public int Groups { get; set; }
        public bool Bias { get; set; }
        public Activation Activation { get; set; }
        /// <summary>The expected input channels, checked against the inferred ones.</summary>
        public int InChannels { get; set; }
    }

    /// <summary>Max pooling: <c>maxpool2d kernel</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MaxPool2dAttribute : LayerAttribute
    {
        public MaxPool2dAttribute(int kernel) => Kernel = kernel;
        public MaxPool2dAttribute(int kernel, int stride) : this(kernel) => Stride = stride;
        public object? Kernel { get; set; }
        public object? Stride { get; set; }
        public object? Padding { get; set; }
        public bool CeilMode { get; set; }
    }

    /// <summary>Average pooling: <c>avgpool2d kernel</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AvgPool2dAttribute : LayerAttribute
    {
        public AvgPool2dAttribute(int kernel) => Kernel = kernel;
        public AvgPool2dAttribute(int kernel, int stride) : this(kernel) => Stride = stride;
        public object? Kernel { get; set; }
        public object? Stride { get; set; }
        public object? Padding { get; set; }
        public bool CeilMode { get; set; }
    }

    /// <summary>Flattens each sample: <c>flatten</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class FlattenAttribute : LayerAttribute
    {
    }

    /// <summary>A fully connected layer: <c>dense units</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class DenseAttribute : LayerAttribute
    {
        public DenseAttribute(int units) => Units = units;
        public int Units { get; }
        public Activation Activation { get; set; }
        public bool Bias { get; set; }
        public int InFeatures { get; set; }
    }

    /// <summary>Dropout: <c>dropout rate</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class DropoutAttribute : LayerAttribute
    {
        public DropoutAttribute(double rate) => Rate = rate;
        public double Rate { get; }
    }

    /// <summary>Batch normalization over (features) or (channels, length): <c>batchnorm1d</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class BatchNorm1dAttribute : LayerAttribute
    {
        public double Eps { get; set; }
        public double Momentum { get; set; }
        public int InFeatures { get; set; }
    }

    /// <summary>Batch normalization over (channels, height, width): <c>batchnorm2d</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class BatchNorm2dAttribute : LayerAttribute
    {
        public double Eps { get; set; }
        public double Momentum { get; set; }
        public int InChannels { get; set; }
    }

    /// <summary>The ReLU activation as a layer: <c>relu</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ReLUAttribute : LayerAttribute
    {
    }

    /// <summary>The sigmoid activation as a layer: <c>sigmoid</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class SigmoidAttribute : LayerAttribute
    {
    }

    /// <summary>The tanh activation as a layer: <c>tanh</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class TanhAttribute : LayerAttribute
    {
    }

    /// <summary>Softmax over the channels or features as a layer: <c>softmax</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class SoftmaxAttribute : LayerAttribute
    {
    }

    /// <summary>Log-softmax over the channels or features as a layer: <c>log_softmax</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class LogSoftmaxAttribute : LayerAttribute
    {
    }
}
