using System;

namespace CnnDsl
{
    // One attribute per layer kind of the catalogue (CnnDsl.Dsl.Catalog.LayerCatalog), with the same arguments in
    // PascalCase; constructor parameters are the positional arguments. Sizes and paddings take an int, an int[] with one
    // value per dimension, or for padding Padding.Same / Padding.Valid, hence 'object'.

    /// <summary>The arguments every convolution takes.</summary>
    public abstract class ConvolutionAttribute : LayerAttribute
    {
        protected ConvolutionAttribute(int filters) => Filters = filters;
        /// <summary>Output channels.</summary>
        public int Filters { get; }
        /// <summary>Window size: an int or an int[] with one size per dimension.</summary>
        public object? Kernel { get; set; }
        /// <summary>Step between windows: an int or an int[].</summary>
        public object? Stride { get; set; }
        /// <summary><see cref="CnnDsl.Padding"/>, an int, an int[] per dimension, or an int[] of (before, after) per dimension.</summary>
        public object? Padding { get; set; }
        /// <summary>Spacing between kernel elements: an int or an int[].</summary>
        public object? Dilation { get; set; }
        /// <summary>Channel groups; the input channels for a depthwise convolution.</summary>
        public int Groups { get; set; }
        public bool Bias { get; set; }
        public Activation Activation { get; set; }
        /// <summary>The expected input channels, checked against the inferred ones.</summary>
        public int InChannels { get; set; }
        /// <summary>How the kernel starts (<c>kernel_init=</c>); the module's own when not set.</summary>
        public WeightInit KernelInit { get; set; }
        /// <summary>How the bias starts (<c>bias_init=</c>): Default, Zeros or Ones.</summary>
        public WeightInit BiasInit { get; set; }
        /// <summary>The fan KernelInit scales by (Kaiming and Uniform).</summary>
        public FanMode InitMode { get; set; }
        /// <summary>The deviation of KernelInit Normal and TruncNormal (0.01 when not set).</summary>
        public double InitStd { get; set; }
    }

    /// <summary>
    /// A use of a block from the project's .cnn files (or the zoo), written as in a .cnn file: <c>[Block("pair 64, k=5")]</c>.
    /// The model holds an instance of the block's generated class under <see cref="LayerAttribute.Name"/>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class BlockAttribute : LayerAttribute
    {
        public BlockAttribute(string use) => Use = use;
        /// <summary>The block's name and arguments, e.g. <c>resnet_basic_block 128, stride=2</c>.</summary>
        public string Use { get; }
    }

    /// <summary>A 1-D convolution: <c>conv1d filters, kernel</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class Conv1dAttribute : ConvolutionAttribute
    {
        public Conv1dAttribute(int filters) : base(filters) { }
        public Conv1dAttribute(int filters, int kernel) : base(filters) => Kernel = kernel;
    }

    /// <summary>A 2-D convolution: <c>conv2d filters, kernel</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class Conv2dAttribute : ConvolutionAttribute
    {
        public Conv2dAttribute(int filters) : base(filters) { }
        public Conv2dAttribute(int filters, int kernel) : base(filters) => Kernel = kernel;
    }

    /// <summary>A 3-D convolution: <c>conv3d filters, kernel</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class Conv3dAttribute : ConvolutionAttribute
    {
        public Conv3dAttribute(int filters) : base(filters) { }
        public Conv3dAttribute(int filters, int kernel) : base(filters) => Kernel = kernel;
    }

    /// <summary>The arguments every max or average pool takes.</summary>
    public abstract class PoolingAttribute : LayerAttribute
    {
        protected PoolingAttribute(int kernel) => Kernel = kernel;
        protected PoolingAttribute(int kernel, int stride) : this(kernel) => Stride = stride;
        public object? Kernel { get; set; }
        /// <summary>Step between windows; the kernel by default.</summary>
        public object? Stride { get; set; }
        public object? Padding { get; set; }
        public bool CeilMode { get; set; }
    }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MaxPool1dAttribute : PoolingAttribute
    {
        public MaxPool1dAttribute(int kernel) : base(kernel) { }
        public MaxPool1dAttribute(int kernel, int stride) : base(kernel, stride) { }
    }

    /// <summary>Max pooling: <c>maxpool2d kernel</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MaxPool2dAttribute : PoolingAttribute
    {
        public MaxPool2dAttribute(int kernel) : base(kernel) { }
        public MaxPool2dAttribute(int kernel, int stride) : base(kernel, stride) { }
    }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MaxPool3dAttribute : PoolingAttribute
    {
        public MaxPool3dAttribute(int kernel) : base(kernel) { }
        public MaxPool3dAttribute(int kernel, int stride) : base(kernel, stride) { }
    }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AvgPool1dAttribute : PoolingAttribute
    {
        public AvgPool1dAttribute(int kernel) : base(kernel) { }
        public AvgPool1dAttribute(int kernel, int stride) : base(kernel, stride) { }
    }

    /// <summary>Average pooling: <c>avgpool2d kernel</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AvgPool2dAttribute : PoolingAttribute
    {
        public AvgPool2dAttribute(int kernel) : base(kernel) { }
        public AvgPool2dAttribute(int kernel, int stride) : base(kernel, stride) { }
    }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AvgPool3dAttribute : PoolingAttribute
    {
        public AvgPool3dAttribute(int kernel) : base(kernel) { }
        public AvgPool3dAttribute(int kernel, int stride) : base(kernel, stride) { }
    }

    /// <summary>Global average pooling over all positions: <c>global_avgpool1d</c>; output (channels).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class GlobalAvgPool1dAttribute : LayerAttribute { }

    /// <summary>Global average pooling over all positions: <c>global_avgpool2d</c>; output (channels).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class GlobalAvgPool2dAttribute : LayerAttribute { }

    /// <summary>Global average pooling over all positions: <c>global_avgpool3d</c>; output (channels).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class GlobalAvgPool3dAttribute : LayerAttribute { }

    /// <summary>Global max pooling over all positions: <c>global_maxpool1d</c>; output (channels).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class GlobalMaxPool1dAttribute : LayerAttribute { }

    /// <summary>Global max pooling over all positions: <c>global_maxpool2d</c>; output (channels).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class GlobalMaxPool2dAttribute : LayerAttribute { }

    /// <summary>Global max pooling over all positions: <c>global_maxpool3d</c>; output (channels).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class GlobalMaxPool3dAttribute : LayerAttribute { }

    /// <summary>The argument of adaptive average pools.</summary>
    public abstract class AdaptiveAvgPoolAttribute : LayerAttribute
    {
        protected AdaptiveAvgPoolAttribute(int outputSize) => OutputSize = outputSize;
        /// <summary>The output size: an int or an int[] per dimension.</summary>
        public object? OutputSize { get; set; }
    }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AdaptiveAvgPool1dAttribute : AdaptiveAvgPoolAttribute
    {
        public AdaptiveAvgPool1dAttribute(int outputSize) : base(outputSize) { }
    }

    /// <summary>Adaptive average pooling to a fixed size: <c>adaptive_avgpool2d output_size</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AdaptiveAvgPool2dAttribute : AdaptiveAvgPoolAttribute
    {
        public AdaptiveAvgPool2dAttribute(int outputSize) : base(outputSize) { }
    }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AdaptiveAvgPool3dAttribute : AdaptiveAvgPoolAttribute
    {
        public AdaptiveAvgPool3dAttribute(int outputSize) : base(outputSize) { }
    }

    /// <summary>The argument of zero-padding layers.</summary>
    public abstract class ZeroPadAttribute : LayerAttribute
    {
        protected ZeroPadAttribute(int padding) => Padding = padding;
        /// <summary>An int for every side, an int[] per dimension, or an int[] of (before, after) per dimension.</summary>
        public object? Padding { get; set; }
    }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ZeroPad1dAttribute : ZeroPadAttribute
    {
        public ZeroPad1dAttribute(int padding) : base(padding) { }
    }

    /// <summary>Zero padding: <c>zeropad2d padding</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ZeroPad2dAttribute : ZeroPadAttribute
    {
        public ZeroPad2dAttribute(int padding) : base(padding) { }
    }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ZeroPad3dAttribute : ZeroPadAttribute
    {
        public ZeroPad3dAttribute(int padding) : base(padding) { }
    }

    /// <summary>Flattens each sample: <c>flatten</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class FlattenAttribute : LayerAttribute { }

    /// <summary>A fully connected layer: <c>dense units</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class DenseAttribute : LayerAttribute
    {
        public DenseAttribute(int units) => Units = units;
        public int Units { get; }
        public Activation Activation { get; set; }
        public bool Bias { get; set; }
        public int InFeatures { get; set; }
        /// <summary>How the kernel starts (<c>kernel_init=</c>); the module's own when not set.</summary>
        public WeightInit KernelInit { get; set; }
        /// <summary>How the bias starts (<c>bias_init=</c>): Default, Zeros or Ones.</summary>
        public WeightInit BiasInit { get; set; }
        /// <summary>The fan KernelInit scales by (Kaiming and Uniform).</summary>
        public FanMode InitMode { get; set; }
        /// <summary>The deviation of KernelInit Normal and TruncNormal (0.01 when not set).</summary>
        public double InitStd { get; set; }
    }

    /// <summary>Dropout: <c>dropout rate</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class DropoutAttribute : LayerAttribute
    {
        public DropoutAttribute(double rate) => Rate = rate;
        public double Rate { get; }
    }

    /// <summary>Dropout of whole channels: <c>dropout2d rate</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class Dropout2dAttribute : LayerAttribute
    {
        public Dropout2dAttribute(double rate) => Rate = rate;
        public double Rate { get; }
    }

    /// <summary>The arguments of batch normalization.</summary>
    public abstract class BatchNormAttribute : LayerAttribute
    {
        public double Eps { get; set; }
        public double Momentum { get; set; }
    }

    /// <summary>Batch normalization over (features) or (channels, length): <c>batchnorm1d</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class BatchNorm1dAttribute : BatchNormAttribute
    {
        public int InFeatures { get; set; }
    }

    /// <summary>Batch normalization over (channels, height, width): <c>batchnorm2d</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class BatchNorm2dAttribute : BatchNormAttribute
    {
        public int InChannels { get; set; }
    }

    /// <summary>Batch normalization over (channels, depth, height, width): <c>batchnorm3d</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class BatchNorm3dAttribute : BatchNormAttribute
    {
        public int InChannels { get; set; }
    }

    /// <summary>Group normalization over (channels, ...): <c>groupnorm groups</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class GroupNormAttribute : LayerAttribute
    {
        public GroupNormAttribute(int groups) => Groups = groups;
        public int Groups { get; }
        public double Eps { get; set; }
        public bool Affine { get; set; }
    }

    /// <summary>Layer normalization over the channels at each position: <c>layernorm</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class LayerNormAttribute : LayerAttribute
    {
        public double Eps { get; set; }
        public bool Affine { get; set; }
    }

    /// <summary>The arguments of instance normalization.</summary>
    public abstract class InstanceNormAttribute : LayerAttribute
    {
        public double Eps { get; set; }
        public bool Affine { get; set; }
    }

    /// <summary>Instance normalization over (channels, length): <c>instancenorm1d</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class InstanceNorm1dAttribute : InstanceNormAttribute { }

    /// <summary>Instance normalization over (channels, height, width): <c>instancenorm2d</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class InstanceNorm2dAttribute : InstanceNormAttribute { }

    /// <summary>Instance normalization over (channels, depth, height, width): <c>instancenorm3d</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class InstanceNorm3dAttribute : InstanceNormAttribute { }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ReLUAttribute : LayerAttribute { }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ReLU6Attribute : LayerAttribute { }

    /// <summary>Leaky ReLU as a layer: <c>leaky_relu slope</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class LeakyReLUAttribute : LayerAttribute
    {
        public LeakyReLUAttribute() { }
        public LeakyReLUAttribute(double slope) => Slope = slope;
        /// <summary>The slope for negative inputs (0.01 by default).</summary>
        public double Slope { get; set; }
    }

    /// <summary>ELU as a layer: <c>elu alpha</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ELUAttribute : LayerAttribute
    {
        public ELUAttribute() { }
        public ELUAttribute(double alpha) => Alpha = alpha;
        public double Alpha { get; set; }
    }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class GELUAttribute : LayerAttribute { }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class SiLUAttribute : LayerAttribute { }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class SigmoidAttribute : LayerAttribute { }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class TanhAttribute : LayerAttribute { }

    /// <summary>Softmax over the channels or features as a layer: <c>softmax</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class SoftmaxAttribute : LayerAttribute { }

    /// <summary>Log-softmax over the channels or features as a layer: <c>log_softmax</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class LogSoftmaxAttribute : LayerAttribute { }

    /// <summary>The element-wise sum of tensors of equal shape, named by layer: <c>add a, b</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AddAttribute : LayerAttribute
    {
        public AddAttribute(params string[] inputs) => Inputs = inputs;
        /// <summary>The layers whose outputs are added.</summary>
        public string[] Inputs { get; }
    }

    /// <summary>Tensors joined along the channels, named by layer: <c>concat a, b</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ConcatAttribute : LayerAttribute
    {
        public ConcatAttribute(params string[] inputs) => Inputs = inputs;
        /// <summary>The layers whose outputs are joined.</summary>
        public string[] Inputs { get; }
    }

    /// <summary>Hardswish as a layer: <c>hardswish</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class HardswishAttribute : LayerAttribute { }

    /// <summary>Hardsigmoid as a layer: <c>hardsigmoid</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class HardsigmoidAttribute : LayerAttribute { }

    /// <summary>Mish as a layer: <c>mish</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MishAttribute : LayerAttribute { }

    /// <summary>A leaky ReLU with a learned slope: <c>prelu</c>, <c>prelu per_channel=true</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class PReLUAttribute : LayerAttribute
    {
        /// <summary>Whether each channel learns its own slope (one shared slope by default).</summary>
        public bool PerChannel { get; set; }
        /// <summary>The slope's initial value (0.25 by default).</summary>
        public double Init { get; set; }
    }

    /// <summary>The element-wise product of layers' outputs, broadcasting sizes of 1: <c>multiply a, b</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MultiplyAttribute : LayerAttribute
    {
        public MultiplyAttribute(params string[] inputs) => Inputs = inputs;
        /// <summary>The layers whose outputs are multiplied.</summary>
        public string[] Inputs { get; }
    }

    /// <summary>Each channel convolved on its own (Keras' DepthwiseConv2D): <c>depthwise_conv2d kernel</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class DepthwiseConv2dAttribute : LayerAttribute
    {
        public DepthwiseConv2dAttribute(int kernel) => Kernel = kernel;
        public object? Kernel { get; set; }
        public object? Stride { get; set; }
        public object? Padding { get; set; }
        public object? Dilation { get; set; }
        /// <summary>Output channels per input channel (1 by default).</summary>
        public int DepthMultiplier { get; set; }
        public bool Bias { get; set; }
        public Activation Activation { get; set; }
        public int InChannels { get; set; }
        /// <summary>How the kernel starts (<c>kernel_init=</c>); the module's own when not set.</summary>
        public WeightInit KernelInit { get; set; }
        /// <summary>How the bias starts (<c>bias_init=</c>): Default, Zeros or Ones.</summary>
        public WeightInit BiasInit { get; set; }
        /// <summary>The fan KernelInit scales by (Kaiming and Uniform).</summary>
        public FanMode InitMode { get; set; }
        /// <summary>The deviation of KernelInit Normal and TruncNormal (0.01 when not set).</summary>
        public double InitStd { get; set; }
    }

    /// <summary>The arguments separable convolutions take: a convolution's without groups, and the depthwise step's multiplier.</summary>
    public abstract class SeparableConvolutionAttribute : LayerAttribute
    {
        protected SeparableConvolutionAttribute(int filters) => Filters = filters;
        public int Filters { get; }
        public object? Kernel { get; set; }
        public object? Stride { get; set; }
        public object? Padding { get; set; }
        public object? Dilation { get; set; }
        /// <summary>Depthwise output channels per input channel (1 by default).</summary>
        public int DepthMultiplier { get; set; }
        /// <summary>Whether the pointwise step adds a bias; the depthwise step has none, as in Keras.</summary>
        public bool Bias { get; set; }
        public Activation Activation { get; set; }
        public int InChannels { get; set; }
        /// <summary>How the kernel starts (<c>kernel_init=</c>); the module's own when not set.</summary>
        public WeightInit KernelInit { get; set; }
        /// <summary>How the bias starts (<c>bias_init=</c>): Default, Zeros or Ones.</summary>
        public WeightInit BiasInit { get; set; }
        /// <summary>The fan KernelInit scales by (Kaiming and Uniform).</summary>
        public FanMode InitMode { get; set; }
        /// <summary>The deviation of KernelInit Normal and TruncNormal (0.01 when not set).</summary>
        public double InitStd { get; set; }
    }

    /// <summary>A depthwise then pointwise 1-D convolution: <c>separable_conv1d filters, kernel</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class SeparableConv1dAttribute : SeparableConvolutionAttribute
    {
        public SeparableConv1dAttribute(int filters) : base(filters) { }
        public SeparableConv1dAttribute(int filters, int kernel) : base(filters) => Kernel = kernel;
    }

    /// <summary>A depthwise then pointwise 2-D convolution (Keras' SeparableConv2D): <c>separable_conv2d filters, kernel</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class SeparableConv2dAttribute : SeparableConvolutionAttribute
    {
        public SeparableConv2dAttribute(int filters) : base(filters) { }
        public SeparableConv2dAttribute(int filters, int kernel) : base(filters) => Kernel = kernel;
    }

    /// <summary>The arguments every transposed convolution takes: a convolution's, with symmetric padding and output_padding.</summary>
    public abstract class ConvolutionTransposeAttribute : LayerAttribute
    {
        protected ConvolutionTransposeAttribute(int filters) => Filters = filters;
        public int Filters { get; }
        public object? Kernel { get; set; }
        public object? Stride { get; set; }
        /// <summary>PyTorch's padding: an int or an int[] per dimension, removed from both sides of the output.</summary>
        public object? Padding { get; set; }
        /// <summary>Added to one side of the output; smaller than the stride or the dilation.</summary>
        public object? OutputPadding { get; set; }
        public object? Dilation { get; set; }
        public int Groups { get; set; }
        public bool Bias { get; set; }
        public Activation Activation { get; set; }
        public int InChannels { get; set; }
        /// <summary>How the kernel starts (<c>kernel_init=</c>); the module's own when not set.</summary>
        public WeightInit KernelInit { get; set; }
        /// <summary>How the bias starts (<c>bias_init=</c>): Default, Zeros or Ones.</summary>
        public WeightInit BiasInit { get; set; }
        /// <summary>The fan KernelInit scales by (Kaiming and Uniform).</summary>
        public FanMode InitMode { get; set; }
        /// <summary>The deviation of KernelInit Normal and TruncNormal (0.01 when not set).</summary>
        public double InitStd { get; set; }
    }

    /// <summary>A 1-D transposed convolution: <c>conv_transpose1d filters, kernel</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ConvTranspose1dAttribute : ConvolutionTransposeAttribute
    {
        public ConvTranspose1dAttribute(int filters) : base(filters) { }
        public ConvTranspose1dAttribute(int filters, int kernel) : base(filters) => Kernel = kernel;
    }

    /// <summary>A 2-D transposed convolution: <c>conv_transpose2d filters, kernel</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ConvTranspose2dAttribute : ConvolutionTransposeAttribute
    {
        public ConvTranspose2dAttribute(int filters) : base(filters) { }
        public ConvTranspose2dAttribute(int filters, int kernel) : base(filters) => Kernel = kernel;
    }

    /// <summary>A 3-D transposed convolution: <c>conv_transpose3d filters, kernel</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ConvTranspose3dAttribute : ConvolutionTransposeAttribute
    {
        public ConvTranspose3dAttribute(int filters) : base(filters) { }
        public ConvTranspose3dAttribute(int filters, int kernel) : base(filters) => Kernel = kernel;
    }

    /// <summary>How a kernel or bias starts, as <c>torch.nn.init</c> names the schemes (<c>kernel_init=</c>, <c>bias_init=</c>).</summary>
    public enum WeightInit
    {
        /// <summary>The module's own: uniform in +-1/sqrt(fan in).</summary>
        Default,
        KaimingNormal,
        KaimingUniform,
        XavierNormal,
        XavierUniform,
        Normal,
        TruncNormal,
        Uniform,
        Zeros,
        Ones,
    }

    /// <summary>The fan a Kaiming or uniform initialisation scales by (<c>init_mode=</c>).</summary>
    public enum FanMode
    {
        FanIn,
        FanOut,
    }

    /// <summary>How <see cref="UpsampleAttribute"/> fills the new positions.</summary>
    public enum Interpolation
    {
        Nearest,
        Linear,
        Bilinear,
        Trilinear,
    }

    /// <summary>Enlarges the spatial dimensions: <c>upsample 2</c>, <c>upsample size=(64, 64), mode=bilinear</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class UpsampleAttribute : LayerAttribute
    {
        public UpsampleAttribute() { }
        public UpsampleAttribute(int scale) => Scale = scale;
        /// <summary>The whole factor per dimension: an int or an int[].</summary>
        public object? Scale { get; set; }
        /// <summary>The output's spatial size: an int or an int[].</summary>
        public object? Size { get; set; }
        public Interpolation Mode { get; set; }
        public bool AlignCorners { get; set; }
    }

    /// <summary>torchvision's StochasticDepth on a residual branch: <c>stochastic_depth rate</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class StochasticDepthAttribute : LayerAttribute
    {
        public StochasticDepthAttribute(double rate) => Rate = rate;
        /// <summary>The probability of dropping the branch.</summary>
        public double Rate { get; }
        /// <summary>"row" (each sample, the default) or "batch".</summary>
        public string? Mode { get; set; }
    }

    /// <summary>x * scale + offset with constants (Keras' Rescaling): <c>rescaling 0.00392</c>, per channel with a double[].</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class RescalingAttribute : LayerAttribute
    {
        public RescalingAttribute() { }
        public RescalingAttribute(double scale) => Scale = scale;
        /// <summary>A double, or a double[] with one value per channel.</summary>
        public object? Scale { get; set; }
        /// <summary>A double, or a double[] with one value per channel.</summary>
        public object? Offset { get; set; }
    }
}
