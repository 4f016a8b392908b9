using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Symbolic;
using static CnnDsl.Onnx.OnnxGraph;

namespace CnnDsl.Onnx
{
    /// <summary>
    /// The one place where each layer kind's configuration becomes ONNX nodes, as the generator's LayerEmitter is for
    /// TorchSharp code. A configuration type it does not know is an error naming the layer and its kind.
    /// </summary>
    internal sealed class LayerWriter
    {
        readonly OnnxGraph graph;
        readonly IReadOnlyDictionary<string, WeightTensor> weights;

        public LayerWriter(OnnxGraph graph, IReadOnlyDictionary<string, WeightTensor> weights)
        {
            this.graph = graph;
            this.weights = weights;
        }

        /// <summary>Writes the statements; <paramref name="tensors"/> maps the tensor names they read to graph values. Returns the last value.</summary>
        public string Write(IEnumerable<BoundStatement> statements, string prefix, Dictionary<string, string> tensors)
        {
            var last = tensors[BoundModel.InputTensorName];
            foreach (var statement in statements)
            {
                if (!(statement is BoundLayer layer))
                    throw new OnnxExportException($"A condition in a block under '{prefix.TrimEnd('.')}' depends on a value known only when the module is built; ONNX export needs it decided");
                var inputs = layer.Inputs.Select(name => tensors[name]).ToList();
                last = WriteLayer(layer, prefix + layer.Name, inputs);
                tensors[layer.Name] = last;
            }
            return last;
        }

        string WriteLayer(BoundLayer layer, string name, IReadOnlyList<string> inputs)
        {
            var x = inputs[0];
            switch (layer.Config)
            {
                case ConvConfig conv:
                    return Activate(Conv(conv, name, x), conv.Activation, name);
                case DenseConfig dense:
                {
                    var arguments = new List<string> { x, Weight(name + ".weight") };
                    if (!(dense.Bias is BoolExpr { Value: false }))
                        arguments.Add(Weight(name + ".bias"));
                    return Activate(graph.Node("Gemm", name, arguments, Int("transB", 1)), dense.Activation, name);
                }
                case PoolConfig pool:
                    return Pool(pool, layer, name, x);
                case BatchNormConfig norm:
                    return graph.Node("BatchNormalization", name,
                        new[] { x, Weight(name + ".weight"), Weight(name + ".bias"), Weight(name + ".running_mean"), Weight(name + ".running_var") },
                        Float("epsilon", (float)Real(norm.Eps, name)));
                case DropoutConfig:
                    // Inference: dropout passes its input through.
                    return graph.Node("Identity", name, x);
                case FlattenConfig:
                    return graph.Node("Flatten", name, x, Int("axis", 1));
                case ZeroPadConfig pad:
                {
                    var pads = OnnxPads(pad.PerSide.Select(p => Number(p, layer, "padding")).ToArray());
                    return graph.Node("Pad", name, new[] { x, graph.Int64Constant(name + ".pads", new long[] { 0, 0 }.Concat(pads.Take(pad.Rank)).Concat(new long[] { 0, 0 }).Concat(pads.Skip(pad.Rank)).ToArray()) });
                }
                case AdaptiveAvgPoolConfig adaptive:
                    return AdaptiveAverage(adaptive, layer, name, x);
                case GlobalPoolConfig global:
                    return graph.Node(global.IsMax ? "ReduceMax" : "ReduceMean", name, x, Ints("axes", Enumerable.Range(2, global.Rank).Select(a => (long)a)), Int("keepdims", 0));
                case ActivationConfig activation:
                    return Activation(activation.Kind, Real(activation.Parameter, name), x, name);
                case MergeConfig merge:
                    switch (merge.Kind)
                    {
                        case MergeKind.Concat:
                            return graph.Node("Concat", name, inputs, Int("axis", 1));
                        case MergeKind.Multiply:
                        {
                            // Mul takes two inputs and broadcasts as the module's * does ((C, 1, 1) over (C, H, W)).
                            var product = inputs[0];
                            for (int i = 1; i < inputs.Count; i++)
                                product = graph.Node("Mul", i == inputs.Count - 1 ? name : name + ".product", new[] { product, inputs[i] });
                            return inputs.Count == 1 ? graph.Node("Identity", name, product) : product;
                        }
                        default:
                            return graph.Node("Sum", name, inputs);
                    }
                case SeparableConvConfig separable:
                    return Activate(Conv(separable.Pointwise, name + ".pointwise", Conv(separable.Depthwise, name + ".depthwise", x)), separable.Activation, name);
                case ConvTransposeConfig transpose:
                    return Activate(ConvTranspose(transpose, name, x), transpose.Activation, name);
                case UpsampleConfig upsample:
                    return Upsample(upsample, name, x);
                case PReLUConfig prelu:
                {
                    // PRelu broadcasts its slope from the right: one slope per channel must be shaped (C, 1, ...).
                    var slopes = Number(prelu.Slopes, layer, "slopes");
                    var slope = Weight(name + ".weight");
                    int spatial = prelu.Input.Rank - 1;
                    if (slopes != 1 && spatial > 0)
                        slope = graph.Node("Reshape", name + ".slope", new[] { slope, graph.Int64Constant(name + ".slope_shape", new[] { slopes }.Concat(Repeat(1, spatial)).ToArray()) });
                    return graph.Node("PRelu", name, new[] { x, slope });
                }
                case RescalingConfig rescaling:
                {
                    var scaled = graph.Node("Mul", name + ".scaled", new[] { x, PerChannel(rescaling.Scale, rescaling.Input.Rank, name + ".scale") });
                    return graph.Node("Add", name, new[] { scaled, PerChannel(rescaling.Offset, rescaling.Input.Rank, name + ".offset") });
                }
                case StochasticDepthConfig:
                    // Inference: torchvision's stochastic depth passes its input through.
                    return graph.Node("Identity", name, x);
                case BlockConfig block:
                    return new LayerWriter(graph, weights).Write(block.Statements, name + ".", new Dictionary<string, string> { [BoundModel.InputTensorName] = x });
                default:
                    throw new OnnxExportException($"Layer '{name}' is a {layer.Kind} layer ({layer.Config.ModuleType}), which the ONNX exporter cannot write yet; leave it out of the exported model or export with a version that supports it");
            }
        }

        string Conv(ConvConfig conv, string name, string x)
        {
            var attributes = new List<global::Onnx.AttributeProto>
            {
                Ints("kernel_shape", conv.Kernel.Select(k => Constant(k, name, "kernel"))),
                Ints("strides", conv.Stride.Select(s => Constant(s, name, "stride"))),
                Ints("dilations", conv.Dilation.Select(d => Constant(d, name, "dilation"))),
                Int("group", Constant(conv.Groups, name, "groups")),
            };
            if (conv.PerSidePadding.All(p => p is IntExpr))
            {
                attributes.Add(Ints("pads", OnnxPads(conv.PerSidePadding.Select(p => ((IntExpr)p).Value).ToArray())));
            }
            else
            {
                // Keras' same on a variable size: the padding is computed from the tensor's size, as the module does.
                RequireSame(conv.SamePadding, conv.PerSidePadding, name);
                x = graph.Node("Pad", name + ".padded", new[] { x, SamePads(x, conv.Kernel, conv.Stride, conv.Dilation, name) });
            }
            var arguments = new List<string> { x, Weight(name + ".weight") };
            if (!(conv.Bias is BoolExpr { Value: false }))
                arguments.Add(Weight(name + ".bias"));
            return graph.Node("Conv", name, arguments, attributes.ToArray());
        }

        string ConvTranspose(ConvTransposeConfig conv, string name, string x)
        {
            // PyTorch's padding removes p from both sides of each dimension, and output_padding adds to the end only, as ONNX's.
            var padding = conv.Padding.Select(p => Constant(p, name, "padding")).ToArray();
            var attributes = new[]
            {
                Ints("kernel_shape", conv.Kernel.Select(k => Constant(k, name, "kernel"))),
                Ints("strides", conv.Stride.Select(s => Constant(s, name, "stride"))),
                Ints("dilations", conv.Dilation.Select(d => Constant(d, name, "dilation"))),
                Ints("pads", padding.Concat(padding)),
                Ints("output_padding", conv.OutputPadding.Select(p => Constant(p, name, "output_padding"))),
                Int("group", Constant(conv.Groups, name, "groups")),
            };
            var arguments = new List<string> { x, Weight(name + ".weight") };
            if (!(conv.Bias is BoolExpr { Value: false }))
                arguments.Add(Weight(name + ".bias"));
            return graph.Node("ConvTranspose", name, arguments, attributes);
        }

        /// <summary>
        /// nn.Upsample as PyTorch exports it: nearest takes the floor of dst / scale (asymmetric, floor); the linear modes
        /// sample at (dst + 0.5) / scale - 0.5 (pytorch_half_pixel) or, with align_corners, at dst (n - 1) / (n' - 1).
        /// </summary>
        string Upsample(UpsampleConfig upsample, string name, string x)
        {
            bool nearest = upsample.Mode == "nearest";
            bool alignCorners = upsample.AlignCorners switch
            {
                BoolExpr b => b.Value,
                var other => throw new OnnxExportException($"Layer '{name}' has an align_corners that is not decided ({other}); export the model with its block arguments given"),
            };
            var attributes = new List<global::Onnx.AttributeProto>
            {
                String("mode", nearest ? "nearest" : "linear"),
                String("coordinate_transformation_mode", nearest ? "asymmetric" : alignCorners ? "align_corners" : "pytorch_half_pixel"),
            };
            if (nearest)
                attributes.Add(String("nearest_mode", "floor"));
            string scales = "", sizes = "";
            if (upsample.Size is { } size)
            {
                var spatial = graph.Int64Constant(name + ".spatial_size", size.Select(v => Constant(v, name, "size")).ToArray());
                var batchAndChannels = graph.Node("Shape", name + ".batch_and_channels", x, Int("start", 0), Int("end", 2));
                sizes = graph.Node("Concat", name + ".sizes", new[] { batchAndChannels, spatial }, Int("axis", 0));
            }
            else
            {
                var factors = new[] { 1f, 1f }.Concat(upsample.Scale!.Value.Select(v => (float)Constant(v, name, "scale"))).ToArray();
                scales = graph.Fresh(name + ".scales");
                graph.Initializer(scales, new WeightTensor(new long[] { factors.Length }, factors));
            }
            return graph.Node("Resize", name, new[] { x, "", scales, sizes }, attributes.ToArray());
        }

        /// <summary>Rescaling's constant: a scalar, or one value per channel shaped (C, 1, ...) to broadcast over the spatial dimensions.</summary>
        string PerChannel(IReadOnlyList<Expr> values, int rank, string wanted)
        {
            var numbers = values.Select(v => (float)Real(v, wanted)).ToArray();
            var shape = numbers.Length == 1 ? new long[0] : new long[] { numbers.Length }.Concat(Repeat(1, rank - 1)).ToArray();
            var constant = graph.Fresh(wanted);
            graph.Initializer(constant, new WeightTensor(shape, numbers));
            return constant;
        }

        static void RequireSame(bool same, IReadOnlyList<Expr> perSide, string name)
        {
            if (!same)
                throw new OnnxExportException($"Layer '{name}' has padding that depends on the input size ({string.Join(", ", perSide)}); export the model at a fixed input size (--input)");
        }

        /// <summary>
        /// Keras' same padding for the tensor's spatial sizes n, computed in the graph as CnnDsl.Layers.Sizes.SamePadding
        /// does: total = max((ceil(n / s) - 1) s + d (k - 1) + 1 - n, 0), the odd pixel after. Returns Pad's pads input.
        /// </summary>
        string SamePads(string x, IReadOnlyList<Expr> kernel, IReadOnlyList<Expr> stride, IReadOnlyList<Expr> dilation, string name)
        {
            int rank = kernel.Count;
            var k = kernel.Select(v => Constant(v, name, "kernel")).ToArray();
            var s = stride.Select(v => Constant(v, name, "stride")).ToArray();
            var d = dilation.Select(v => Constant(v, name, "dilation")).ToArray();
            var n = graph.Node("Shape", name + ".size", x, Int("start", 2));
            var strides = graph.Int64Constant(name + ".strides", s);
            var positions = graph.Node("Div", name + ".positions", new[] { graph.Node("Add", name + ".rounded", new[] { n, graph.Int64Constant(name + ".stride_less_one", s.Select(v => v - 1).ToArray()) }), strides });
            var last = graph.Node("Mul", name + ".last_start", new[] { graph.Node("Sub", name + ".positions_less_one", new[] { positions, graph.Int64Constant(name + ".ones", Repeat(1, rank).ToArray()) }), strides });
            var span = graph.Node("Add", name + ".span", new[] { last, graph.Int64Constant(name + ".window", k.Select((kk, i) => d[i] * (kk - 1) + 1).ToArray()) });
            var total = graph.Node("Max", name + ".total", new[] { graph.Node("Sub", name + ".needed", new[] { span, n }), graph.Int64Constant(name + ".zeros", Repeat(0, rank).ToArray()) });
            var before = graph.Node("Div", name + ".before", new[] { total, graph.Int64Constant(name + ".twos", Repeat(2, rank).ToArray()) });
            var after = graph.Node("Sub", name + ".after", new[] { total, before });
            var none = graph.Int64Constant(name + ".batch_and_channels", new long[] { 0, 0 });
            return graph.Node("Concat", name + ".pads", new[] { none, before, none, after }, Int("axis", 0));
        }

        string Pool(PoolConfig pool, BoundLayer layer, string name, string x)
        {
            var op = pool.IsMax ? "MaxPool" : "AveragePool";
            var attributes = new List<global::Onnx.AttributeProto>
            {
                Ints("kernel_shape", pool.Kernel.Select(k => Constant(k, name, "kernel"))),
                Ints("strides", pool.Stride.Select(s => Constant(s, name, "stride"))),
                Int("ceil_mode", pool.CeilMode ? 1 : 0),
            };
            if (!pool.PerSidePadding.All(p => p is IntExpr))
            {
                RequireSame(pool.SamePadding, pool.PerSidePadding, name);
                if (pool.CeilMode)
                    throw new OnnxExportException($"Layer '{name}' combines ceil_mode with same padding on a variable input size, which the ONNX exporter cannot write; export the model at a fixed input size (--input)");
                var ones = pool.Kernel.Select(_ => (Expr)Exprs.One).ToList();
                var pads = SamePads(x, pool.Kernel, pool.Stride, ones, name);
                attributes.Add(Ints("pads", Repeat(0, 2 * pool.Rank)));
                if (pool.IsMax)
                    return graph.Node(op, name, graph.Node("Pad", name + ".padded", new[] { x, pads, graph.FloatConstant(name + ".pad_value", float.NegativeInfinity) }), attributes.ToArray());
                // As CnnDsl.Layers.SamePooling: the pool of the zero-padded input over the pool of a padded mask of ones.
                var sums = graph.Node(op, name + ".sums", graph.Node("Pad", name + ".padded", new[] { x, pads }), attributes.ToArray());
                var maskShape = graph.Node("Concat", name + ".mask_shape", new[] { graph.Int64Constant(name + ".one_one", new long[] { 1, 1 }), graph.Node("Shape", name + ".size", x, Int("start", 2)) }, Int("axis", 0));
                var mask = graph.Node("ConstantOfShape", name + ".mask", maskShape, new global::Onnx.AttributeProto { Name = "value", Type = global::Onnx.AttributeProto.Types.AttributeType.Tensor, T = OnnxGraph.FloatTensor(1f) });
                var fraction = graph.Node(op, name + ".real_fraction", graph.Node("Pad", name + ".mask_padded", new[] { mask, pads }), attributes.ToArray());
                return graph.Node("Div", name, new[] { sums, fraction });
            }
            long[] before, after;
            if (pool.PadsInForward && !(pool.SamePadding && !pool.IsMax))
            {
                // As the module does: pad first (minus infinity for max, zeros for average), then pool the padded input.
                var pads = OnnxPads(pool.PerSidePadding.Select(p => ((IntExpr)p).Value).ToArray());
                var padInputs = new List<string> { x, graph.Int64Constant(name + ".pads", new long[] { 0, 0 }.Concat(pads.Take(pool.Rank)).Concat(new long[] { 0, 0 }).Concat(pads.Skip(pool.Rank)).ToArray()) };
                if (pool.IsMax)
                    padInputs.Add(graph.FloatConstant(name + ".pad_value", float.NegativeInfinity));
                x = graph.Node("Pad", name + ".padded", padInputs);
                before = after = Repeat(0, pool.Rank).ToArray();
            }
            else
            {
                before = pool.PerSidePadding.Where((_, i) => i % 2 == 0).Select(p => ((IntExpr)p).Value).ToArray();
                after = pool.PerSidePadding.Where((_, i) => i % 2 == 1).Select(p => ((IntExpr)p).Value).ToArray();
            }
            attributes.Add(Ints("pads", before.Concat(after)));
            if (!pool.IsMax)
                // Keras' same averages over the real pixels; PyTorch's explicit padding counts as zeros.
                attributes.Add(Int("count_include_pad", pool.SamePadding ? 0 : 1));
            var pooled = graph.Node(op, pool.CeilMode ? name + ".ceil" : name, x, attributes.ToArray());
            return pool.CeilMode ? DropWindowsStartingInPadding(pooled, x, before, pool.Stride.Select(v => Constant(v, name, "stride")).ToArray(), name) : pooled;
        }

        /// <summary>
        /// PyTorch's ceil mode drops a last window that would start in the right padding: at most (n + before - 1) // s + 1
        /// windows. ONNX's ceil mode keeps it, so the surplus is sliced off (the windows before it are the same).
        /// </summary>
        string DropWindowsStartingInPadding(string pooled, string input, long[] before, long[] stride, string name)
        {
            int rank = stride.Length;
            var n = graph.Node("Shape", name + ".input_size", input, Int("start", 2));
            var shifted = graph.Node("Add", name + ".shifted", new[] { n, graph.Int64Constant(name + ".before_less_one", before.Select(b => b - 1).ToArray()) });
            var starts = graph.Node("Div", name + ".window_starts", new[] { shifted, graph.Int64Constant(name + ".strides", stride) });
            var ends = graph.Node("Add", name + ".windows", new[] { starts, graph.Int64Constant(name + ".ones", Repeat(1, rank).ToArray()) });
            return graph.Node("Slice", name, new[] { pooled, graph.Int64Constant(name + ".zeros", Repeat(0, rank).ToArray()), ends, graph.Int64Constant(name + ".axes", Enumerable.Range(2, rank).Select(a => (long)a).ToArray()) });
        }

        /// <summary>
        /// PyTorch's adaptive average: output cell i of a dimension of n averages [floor(i n / o), ceil((i + 1) n / o)).
        /// The windows of the dimensions are independent, so it is pooled one dimension at a time with slices.
        /// </summary>
        string AdaptiveAverage(AdaptiveAvgPoolConfig adaptive, BoundLayer layer, string name, string x)
        {
            var outputs = adaptive.Size.Select(s => Number(s, layer, "output_size")).ToArray();
            if (outputs.All(o => o == 1))
                return graph.Node("ReduceMean", name, x, Ints("axes", Enumerable.Range(2, adaptive.Rank).Select(a => (long)a)), Int("keepdims", 1));
            var inputs = layer.InputShape.Dimensions.Skip(1).ToArray();
            if (inputs.Any(n => !(n is IntExpr)))
                throw new OnnxExportException($"Layer '{name}' (adaptive_avgpool{adaptive.Rank}d {string.Join("x", outputs)}) has a variable input size ({layer.InputShape}), and ONNX has no adaptive pooling operator; export the model at a fixed input size (--input)");
            for (int d = 0; d < outputs.Length; d++)
            {
                long n = ((IntExpr)inputs[d]).Value, o = outputs[d];
                if (n == o)
                    continue;
                long axis = d + 2;
                var cells = new List<string>();
                for (long i = 0; i < o; i++)
                {
                    long start = i * n / o, end = ((i + 1) * n + o - 1) / o;
                    var slice = graph.Node("Slice", name + ".slice", new[]
                    {
                        x, graph.Int64Constant(name + ".start", new[] { start }), graph.Int64Constant(name + ".end", new[] { end }), graph.Int64Constant(name + ".axis", new[] { axis }),
                    });
                    cells.Add(graph.Node("ReduceMean", name + ".cell", slice, Ints("axes", new[] { axis }), Int("keepdims", 1)));
                }
                x = graph.Node("Concat", name + ".dim" + d, cells, Int("axis", axis));
            }
            return graph.Node("Identity", name, x);
        }

        /// <summary>The activation applied after a convolution or dense layer (<c>activation=</c>), with its default parameter.</summary>
        string Activate(string x, Activation? activation, string name) =>
            activation == null ? x : Activation(activation, activation.ParameterDefault, x, name + "." + activation.Name);

        string Activation(Activation activation, double parameter, string x, string name)
        {
            switch (activation.Name)
            {
                case "relu": return graph.Node("Relu", name, x);
                case "relu6": return graph.Node("Clip", name, new[] { x, graph.FloatConstant(name + ".min", 0), graph.FloatConstant(name + ".max", 6) });
                case "leaky_relu": return graph.Node("LeakyRelu", name, x, Float("alpha", (float)parameter));
                case "elu": return graph.Node("Elu", name, x, Float("alpha", (float)parameter));
                case "sigmoid": return graph.Node("Sigmoid", name, x);
                case "tanh": return graph.Node("Tanh", name, x);
                case "softmax": return graph.Node("Softmax", name, x, Int("axis", 1));
                case "log_softmax": return graph.Node("LogSoftmax", name, x, Int("axis", 1));
                case "silu": return graph.Node("Mul", name, new[] { x, graph.Node("Sigmoid", name + ".sigmoid", x) });
                case "gelu":
                {
                    // Opset 17 has no Gelu: PyTorch's exact form, x * (1 + erf(x / sqrt 2)) / 2.
                    var scaled = graph.Node("Div", name + ".scaled", new[] { x, graph.FloatConstant(name + ".sqrt2", (float)Math.Sqrt(2)) });
                    var erf = graph.Node("Erf", name + ".erf", scaled);
                    var onePlus = graph.Node("Add", name + ".one_plus", new[] { erf, graph.FloatConstant(name + ".one", 1) });
                    var product = graph.Node("Mul", name + ".product", new[] { x, onePlus });
                    return graph.Node("Mul", name, new[] { product, graph.FloatConstant(name + ".half", 0.5f) });
                }
                case "hardswish": return graph.Node("HardSwish", name, x);
                // PyTorch's hardsigmoid is relu6(x + 3) / 6: ONNX's max(0, min(1, alpha x + beta)) with alpha 1/6, beta 1/2.
                case "hardsigmoid": return graph.Node("HardSigmoid", name, x, Float("alpha", 1f / 6), Float("beta", 0.5f));
                case "mish":
                {
                    // Opset 17 has no Mish: x * tanh(softplus(x)).
                    var softplus = graph.Node("Softplus", name + ".softplus", x);
                    return graph.Node("Mul", name, new[] { x, graph.Node("Tanh", name + ".tanh", softplus) });
                }
                default:
                    throw new OnnxExportException($"Layer '{name}' uses the activation {activation.Name}, which the ONNX exporter cannot write yet");
            }
        }

        string Weight(string key)
        {
            if (!graph.Proto.Initializer.Any(i => i.Name == key))
                graph.Initializer(key, weights[key]);
            return key;
        }

        /// <summary>ONNX's order: every dimension's padding before, then every dimension's padding after.</summary>
        static long[] OnnxPads(long[] perSide)
        {
            int rank = perSide.Length / 2;
            return Enumerable.Range(0, rank).Select(i => perSide[2 * i]).Concat(Enumerable.Range(0, rank).Select(i => perSide[2 * i + 1])).ToArray();
        }

        static long Constant(Expr value, string layer, string argument) =>
            value.Constant ?? throw new OnnxExportException($"Layer '{layer}' has a {argument} that depends on the input size ({value}); export the model at a fixed input size (--input)");

        static long Number(Expr value, BoundLayer layer, string argument) => Constant(value, layer.Name, argument);

        static double Real(Expr value, string layer) => value switch
        {
            RealExpr r => r.Value,
            IntExpr i => i.Value,
            _ => throw new OnnxExportException($"Layer '{layer}' has a value that is not a number ({value}); export the model with its block arguments given as numbers"),
        };
    }
}
