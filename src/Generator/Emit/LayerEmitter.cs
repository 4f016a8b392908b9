using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Generator
{
    /// <summary>
    /// The one place where each layer kind's configuration becomes TorchSharp code: the field's type, the expression that
    /// builds the module, and the steps forward takes. Numbers that depend on a block's parameters are written as C#
    /// expressions over the generated constructor's parameters.
    /// </summary>
    internal static class LayerEmitter
    {
        const string Nn = "global::TorchSharp.torch.nn.";

        /// <summary>The fully qualified type of a layer's field (block uses are typed by their class elsewhere).</summary>
        public static string FieldType(LayerConfig config) => config switch
        {
            GlobalPoolConfig global => "global::CnnDsl.Layers." + global.ModuleType,
            SeparableConvConfig => "global::CnnDsl.Layers.SeparableConv",
            StochasticDepthConfig => "global::CnnDsl.Layers.StochasticDepth",
            RescalingConfig => "global::CnnDsl.Layers.Rescaling",
            ConvTransposeConfig { OutputPaddingPerDimension: true } => "global::CnnDsl.Layers.ConvTransposePerDimension",
            _ => "global::TorchSharp.Modules." + config.ModuleType,
        };

        /// <summary>The expression that creates the module.</summary>
        public static string Constructor(LayerConfig config, CSharpExpressions w)
        {
            switch (config)
            {
                case ConvConfig conv:
                    return Conv(conv, w);
                case PoolConfig pool:
                    return Pool(pool, w);
                case DenseConfig dense:
                    return Nn + "Linear(inputSize: " + w.Write(dense.InFeatures) + ", outputSize: " + w.Write(dense.Units) + BiasArgument(dense.Bias, "hasBias", w) + ")";
                case BatchNormConfig norm:
                    return Nn + norm.ModuleType + "(num_features: " + w.Write(norm.Channels)
                        + (norm.Eps is RealExpr { Value: 1e-5 } ? "" : ", eps: " + w.Write(norm.Eps))
                        + (norm.Momentum is RealExpr { Value: 0.1 } ? "" : ", momentum: " + w.Write(norm.Momentum)) + ")";
                case DropoutConfig dropout:
                    return Nn + dropout.ModuleType + "(p: " + w.Write(dropout.Rate) + ")";
                case ZeroPadConfig pad:
                    // TorchSharp orders padding as functional.pad does: the last dimension first.
                    return Nn + pad.ModuleType + "((" + string.Join(", ", SpatialWindow.PadOrder(pad.PerSide).Select(w.Write)) + ")" + (pad.Rank == 2 ? ")" : ", 0.0)");
                case AdaptiveAvgPoolConfig adaptive:
                    return Nn + adaptive.ModuleType + "(" + Sizes(adaptive.Size, adaptive.Rank > 1 && !IsUniform(adaptive.Size), w) + ")";
                case GlobalPoolConfig global:
                    return "new " + FieldType(global) + "()";
                case FlattenConfig:
                    return Nn + "Flatten()";
                case ActivationConfig activation:
                    return ActivationEmitter.Constructor(activation.Kind, activation.Parameter, w);
                case SeparableConvConfig separable:
                    return "new " + FieldType(separable) + "(depthwise: " + Conv(separable.Depthwise, w) + ", pointwise: " + Conv(separable.Pointwise, w) + ")";
                case ConvTransposeConfig transpose:
                    return ConvTranspose(transpose, w);
                case UpsampleConfig upsample:
                    return Nn + "Upsample(" + (upsample.Size is { } size ? "size: " + LongArray(size, w) : "scale_factor: new double[] { " + string.Join(", ", upsample.Scale!.Value.Select(w.Write)) + " }")
                        + ", mode: global::TorchSharp.torch.UpsampleMode." + char.ToUpperInvariant(upsample.Mode[0]) + upsample.Mode.Substring(1)
                        + (upsample.Mode == "nearest" ? "" : ", align_corners: " + w.Write(upsample.AlignCorners)) + ")";
                case PReLUConfig prelu:
                    return Nn + "PReLU(num_parameters: " + w.Write(prelu.Slopes) + ", init: " + w.Write(prelu.Init) + ")";
                case RescalingConfig rescaling:
                    return "new " + FieldType(rescaling) + "(scale: new double[] { " + string.Join(", ", rescaling.Scale.Select(w.Write)) + " }, offset: new double[] { "
                        + string.Join(", ", rescaling.Offset.Select(w.Write)) + " })";
                case StochasticDepthConfig drop:
                    return "new " + FieldType(drop) + "(p: " + w.Write(drop.Rate) + ", perRow: " + (drop.PerRow ? "true" : "false") + ")";
                default:
                    throw new System.NotSupportedException("No emitter for " + config.GetType().Name);
            }
        }

        /// <summary>
        /// Expressions computing the layer's output in order; <c>$in</c> stands for the value so far (the first input,
        /// then the previous step). The last one applies the activation, if any.
        /// </summary>
        public static IReadOnlyList<string> Forward(LayerConfig config, string field, IReadOnlyList<string> inputs, CSharpExpressions w, ISet<string> sizeVariables)
        {
            var steps = new List<string>();
            switch (config)
            {
                case MergeConfig merge:
                    steps.Add(merge.Kind switch
                    {
                        MergeKind.Concat => "global::TorchSharp.torch.cat(new[] { " + string.Join(", ", inputs) + " }, dim: 1)",
                        MergeKind.Multiply => string.Join(" * ", inputs),
                        _ => string.Join(" + ", inputs),
                    });
                    return steps;
                case ConvConfig conv when conv.PadsInForward:
                    // TorchSharp's Padding.Same refuses strides above 1, and its padding argument is symmetric: pad here instead.
                    steps.Add("global::TorchSharp.torch.nn.functional.pad($in, " + PadArray(conv.PerSidePadding, conv.Kernel, conv.Stride, conv.Dilation, w, sizeVariables) + ")");
                    steps.Add(field + ".call($in)");
                    break;
                case SeparableConvConfig separable when separable.Depthwise.PadsInForward:
                    var depthwise = separable.Depthwise;
                    steps.Add("global::TorchSharp.torch.nn.functional.pad($in, " + PadArray(depthwise.PerSidePadding, depthwise.Kernel, depthwise.Stride, depthwise.Dilation, w, sizeVariables) + ")");
                    steps.Add(field + ".call($in)");
                    break;
                case PoolConfig pool when pool.PadsInForward:
                    var ones = Enumerable.Repeat((Expr)Exprs.One, pool.Rank).ToEquatableArray();
                    var pad = PadArray(pool.PerSidePadding, pool.Kernel, pool.Stride, ones, w, sizeVariables);
                    if (pool.IsMax)
                    {
                        steps.Add("global::TorchSharp.torch.nn.functional.pad($in, " + pad + ", value: double.NegativeInfinity)");
                        steps.Add(field + ".call($in)");
                    }
                    else if (pool.SamePadding)
                    {
                        steps.Add("global::CnnDsl.Layers.SamePooling.AverageOverRealPixels($in, " + field + ", kernel: " + LongArray(pool.Kernel, w) + ", stride: " + LongArray(pool.Stride, w) + ", padding: " + pad + ")");
                    }
                    else
                    {
                        steps.Add("global::TorchSharp.torch.nn.functional.pad($in, " + pad + ")");
                        steps.Add(field + ".call($in)");
                    }
                    break;
                default:
                    steps.Add(field + ".call($in)");
                    break;
            }
            if (config.Activation != null && !(config is ActivationConfig))
                steps[steps.Count - 1] = ActivationEmitter.Apply(config.Activation, steps[steps.Count - 1]);
            return steps;
        }

        static string Conv(ConvConfig conv, CSharpExpressions w)
        {
            var padding = conv.PadsInForward ? Enumerable.Repeat((Expr)Exprs.Zero, conv.Rank).ToArray() : SpatialWindow.PerDimension(conv.PerSidePadding);
            bool asTuple = !(IsUniform(conv.Kernel) && IsUniform(conv.Stride) && IsUniform(conv.Dilation) && IsUniform(padding));
            var arguments = new List<string> { "in_channels: " + w.Write(conv.InChannels), "out_channels: " + w.Write(conv.Filters), "kernel_size: " + Sizes(conv.Kernel, asTuple, w) };
            if (conv.Stride.Any(s => !(s is IntExpr { Value: 1 })))
                arguments.Add("stride: " + Sizes(conv.Stride, asTuple, w));
            if (conv.UsesTorchSame)
                arguments.Add("padding: global::TorchSharp.Padding.Same");
            else if (padding.Any(p => !(p is IntExpr { Value: 0 })))
                arguments.Add("padding: " + Sizes(padding, asTuple, w));
            if (conv.Dilation.Any(d => !(d is IntExpr { Value: 1 })))
                arguments.Add("dilation: " + Sizes(conv.Dilation, asTuple, w));
            if (!(conv.Groups is IntExpr { Value: 1 }))
                arguments.Add("groups: " + w.Write(conv.Groups));
            var bias = BiasArgument(conv.Bias, "bias", w);
            if (bias.Length > 0)
                arguments.Add(bias.Substring(2));
            return Nn + conv.ModuleType + "(" + string.Join(", ", arguments) + ")";
        }

        // TorchSharp's 1-D transposed convolution takes numbers only; 2-D and 3-D take numbers or tuples.
        static string ConvTranspose(ConvTransposeConfig conv, CSharpExpressions w)
        {
            bool asTuple = conv.Rank > 1 && !(IsUniform(conv.Kernel) && IsUniform(conv.Stride) && IsUniform(conv.Padding) && IsUniform(conv.OutputPadding) && IsUniform(conv.Dilation));
            var arguments = new List<string> { "in_channels: " + w.Write(conv.InChannels), "out_channels: " + w.Write(conv.Filters), "kernel_size: " + Sizes(conv.Kernel, asTuple, w) };
            if (conv.Stride.Any(s => !(s is IntExpr { Value: 1 })))
                arguments.Add("stride: " + Sizes(conv.Stride, asTuple, w));
            if (conv.Padding.Any(p => !(p is IntExpr { Value: 0 })))
                arguments.Add("padding: " + Sizes(conv.Padding, asTuple, w));
            if (conv.OutputPadding.Any(p => !(p is IntExpr { Value: 0 })))
                arguments.Add("output_padding: " + Sizes(conv.OutputPadding, asTuple, w));
            if (conv.Dilation.Any(d => !(d is IntExpr { Value: 1 })))
                arguments.Add("dilation: " + Sizes(conv.Dilation, asTuple, w));
            if (!(conv.Groups is IntExpr { Value: 1 }))
                arguments.Add("groups: " + w.Write(conv.Groups));
            var bias = BiasArgument(conv.Bias, "bias", w);
            if (bias.Length > 0)
                arguments.Add(bias.Substring(2));
            var module = Nn + conv.ModuleType + "(" + string.Join(", ", arguments) + ")";
            // TorchSharp 0.107's modules apply the first output_padding to every dimension: the module's weights, run with
            // each dimension's own value, give PyTorch's sizes.
            return !conv.OutputPaddingPerDimension ? module
                : "new global::CnnDsl.Layers.ConvTransposePerDimension(" + module + ", stride: " + LongArray(conv.Stride, w) + ", padding: " + LongArray(conv.Padding, w)
                    + ", outputPadding: " + LongArray(conv.OutputPadding, w) + ", dilation: " + LongArray(conv.Dilation, w) + ", groups: " + w.Write(conv.Groups) + ")";
        }

        static string Pool(PoolConfig pool, CSharpExpressions w)
        {
            var padding = pool.PadsInForward ? Enumerable.Repeat((Expr)Exprs.Zero, pool.Rank).ToArray() : SpatialWindow.PerDimension(pool.PerSidePadding);
            bool asTuple = pool.Rank > 1 && !(IsUniform(pool.Kernel) && IsUniform(pool.Stride) && IsUniform(padding));
            var arguments = new List<string> { "kernel_size: " + Sizes(pool.Kernel, asTuple, w) };
            if (!pool.Stride.SequenceEqual(pool.Kernel))
                arguments.Add("stride: " + Sizes(pool.Stride, asTuple, w));
            if (padding.Any(p => !(p is IntExpr { Value: 0 })))
                arguments.Add("padding: " + Sizes(padding, asTuple, w));
            if (pool.CeilMode)
                arguments.Add("ceil_mode: true");
            // Keras averages over the real pixels only; PyTorch's default counts explicit padding, as PyTorch users expect.
            if (!pool.IsMax && pool.SamePadding && !pool.PadsInForward && padding.Any(p => !(p is IntExpr { Value: 0 })))
                arguments.Add("count_include_pad: false");
            return Nn + pool.ModuleType + "(" + string.Join(", ", arguments) + ")";
        }

        // bias: false, or bias: <parameter> when a block's parameter decides it; nothing for the default.
        static string BiasArgument(Expr bias, string name, CSharpExpressions w) =>
            bias is BoolExpr { Value: true } ? "" : ", " + name + ": " + w.Write(bias);

        /// <summary>A size as TorchSharp takes it: <c>5</c> when all dimensions agree, else a tuple <c>(3, 5)</c>.</summary>
        static string Sizes(IReadOnlyList<Expr> values, bool asTuple, CSharpExpressions w) =>
            asTuple ? "(" + string.Join(", ", values.Select(w.Write)) + ")" : w.Write(values[0]);

        static bool IsUniform(IReadOnlyList<Expr> values) => values.All(v => v.Equals(values[0]));



        // Padding that depends on the input's size (same with a stride above 1 on a variable size) is computed from the
        // tensor itself when forward runs; anything else is written out.
        static string PadArray(IReadOnlyList<Expr> perSide, IReadOnlyList<Expr> kernel, IReadOnlyList<Expr> stride, IReadOnlyList<Expr> dilation,
            CSharpExpressions w, ISet<string> sizeVariables)
        {
            if (perSide.Any(p => p.Variables().Any(sizeVariables.Contains)))
                return "global::CnnDsl.Layers.Sizes.SamePadding($in, kernel: " + LongArray(kernel, w) + ", stride: " + LongArray(stride, w) + ", dilation: " + LongArray(dilation, w) + ")";
            return "new long[] { " + string.Join(", ", SpatialWindow.PadOrder(perSide).Select(w.Write)) + " }";
        }

        static string LongArray(IReadOnlyList<Expr> values, CSharpExpressions w) => "new long[] { " + string.Join(", ", values.Select(w.Write)) + " }";
    }
}
