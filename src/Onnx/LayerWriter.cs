using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;
using static CnnDsl.Onnx.OnnxGraph;

namespace CnnDsl.Onnx
{
    /// <summary>
    /// Translates each layer's plan (<see cref="LayerPlan"/>) into ONNX nodes: one table from PyTorch's module types to
    /// ONNX operators (with the expansions opset 17 needs), and the forward steps. A module type or step it does not know
    /// is an error naming the layer.
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

        // The layer's plan, step by step. A pad step waits for the module after it: a convolution takes fixed padding into
        // its own pads, a pooling is given the padded input.
        string WriteLayer(BoundLayer layer, string name, IReadOnlyList<string> inputs)
        {
            if (layer.Config is BlockConfig block)
                return new LayerWriter(graph, weights).Write(block.Statements, name + ".", new Dictionary<string, string> { [BoundModel.InputTensorName] = inputs[0] });
            var plan = layer.Config.Lower();
            var x = inputs[0];
            Pad? pending = null;
            foreach (var step in plan.Steps)
            {
                switch (step)
                {
                    case Pad pad:
                        pending = pad;
                        break;
                    case CallModule:
                        x = Module(plan.Module ?? throw new OnnxExportException($"Layer '{name}' calls a module its plan does not have"), layer, name, x, pending);
                        pending = null;
                        break;
                    case AverageOverRealPixels average:
                        x = SameAverage(plan.Module!, average.Padding, name, x);
                        break;
                    case ApplyActivation activation:
                        x = Activation(activation.Activation, activation.Parameter == null ? activation.Activation.ParameterDefault : Real(activation.Parameter, name), x, name + "." + activation.Activation.Name);
                        break;
                    case Merge { Kind: MergeKind.Concat }:
                        x = graph.Node("Concat", name, inputs, Int("axis", 1));
                        break;
                    case Merge { Kind: MergeKind.Multiply }:
                    {
                        // Mul takes two inputs and broadcasts as the module's * does ((C, 1, 1) over (C, H, W)).
                        var product = inputs[0];
                        for (int i = 1; i < inputs.Count; i++)
                            product = graph.Node("Mul", i == inputs.Count - 1 ? name : name + ".product", new[] { product, inputs[i] });
                        x = inputs.Count == 1 ? graph.Node("Identity", name, product) : product;
                        break;
                    }
                    case Merge:
                        x = graph.Node("Sum", name, inputs);
                        break;
                    case GlobalReduce global:
                        x = graph.Node(global.IsMax ? "ReduceMax" : "ReduceMean", name, x, Ints("axes", Enumerable.Range(2, global.Rank).Select(a => (long)a)), Int("keepdims", 0));
                        break;
                    case Rescale rescale:
                    {
                        int rank = layer.InputShape.Rank;
                        var scaled = graph.Node("Mul", name + ".scaled", new[] { x, PerChannel(rescale.Scale, rank, name + ".scale") });
                        x = graph.Node("Add", name, new[] { scaled, PerChannel(rescale.Offset, rank, name + ".offset") });
                        break;
                    }
                    case MoveChannels move:
                        x = graph.Node("Transpose", name + (move.ToLast ? ".channels_last" : ".channels_first"), x, Ints("perm", move.Permutation.Select(d => (long)d)));
                        break;
                    case DropPath:
                        // Inference: torchvision's stochastic depth passes its input through.
                        x = graph.Node("Identity", name, x);
                        break;
                    default:
                        throw new OnnxExportException($"Layer '{name}' is a {layer.Kind} layer whose plan step {step.GetType().Name} the ONNX exporter cannot write yet");
                }
            }
            return x;
        }

        // The one table from the plan's module types to ONNX operators.
        string Module(PlanModule module, BoundLayer layer, string name, string x, Pad? pad)
        {
            var a = new PlanNumbers(module, problem => new OnnxExportException($"Layer '{name}': {problem}; export the model at a fixed input size (--input) with its block arguments given"));
            string type = module.Type;
            int rank = type.Length > 2 && type.EndsWith("d", StringComparison.Ordinal) && char.IsDigit(type[type.Length - 2]) ? type[type.Length - 2] - '0' : 0;
            switch (rank > 0 ? type.Substring(0, type.Length - 2) : type)
            {
                case "Conv":
                    return Conv(module, name, x, pad);
                case "Sequential" when module.Children.Count == 2:
                    // A separable convolution: the depthwise convolution (which takes the padding), then the pointwise one.
                    return Conv(module.Children[1].Module, name + "." + module.Children[1].Name, Conv(module.Children[0].Module, name + "." + module.Children[0].Name, x, pad), null);
                case "ConvTranspose":
                {
                    // PyTorch's padding removes p from both sides of each dimension, and output_padding adds to the end only, as ONNX's.
                    var padding = a.Sizes("padding", rank, 0);
                    var attributes = new[]
                    {
                        Ints("kernel_shape", a.RequiredSizes("kernel_size", rank)),
                        Ints("strides", a.Sizes("stride", rank, 1)),
                        Ints("dilations", a.Sizes("dilation", rank, 1)),
                        Ints("pads", padding.Concat(padding)),
                        Ints("output_padding", a.Sizes("output_padding", rank, 0)),
                        Int("group", a.Long("groups", 1)),
                    };
                    return graph.Node("ConvTranspose", name, WeightAndBias(name, x, a.Bool("bias", true)), attributes);
                }
                case "MaxPool":
                case "AvgPool":
                    return Pool(module, rank, name, x, pad);
                case "Linear":
                    return graph.Node("Gemm", name, WeightAndBias(name, x, a.Bool("bias", true)), Int("transB", 1));
                case "BatchNorm":
                    return graph.Node("BatchNormalization", name,
                        new[] { x, Weight(name + ".weight"), Weight(name + ".bias"), Weight(name + ".running_mean"), Weight(name + ".running_var") },
                        Float("epsilon", (float)a.Double("eps", 1e-5)));
                case "InstanceNorm":
                {
                    // Without affine, a unit scale and zero shift.
                    long channels = a.Positional(0);
                    string scale, shift;
                    if (a.Bool("affine", false))
                    {
                        scale = Weight(name + ".weight");
                        shift = Weight(name + ".bias");
                    }
                    else
                    {
                        scale = graph.Fresh(name + ".unit_scale");
                        graph.Initializer(scale, new WeightTensor(new[] { channels }, Enumerable.Repeat(1f, (int)channels).ToArray()));
                        shift = graph.Fresh(name + ".zero_shift");
                        graph.Initializer(shift, new WeightTensor(new[] { channels }, new float[channels]));
                    }
                    return graph.Node("InstanceNormalization", name, new[] { x, scale, shift }, Float("epsilon", (float)a.Double("eps", 1e-5)));
                }
                case "GroupNorm":
                {
                    // Opset 17 has no GroupNormalization: (N, G, rest) through InstanceNormalization with unit scale and zero
                    // shift normalises each group, then the input's shape back and the per-channel scale and shift.
                    long groups = a.Positional(0), channels = a.Positional(1);
                    var grouped = graph.Node("Reshape", name + ".grouped", new[] { x, graph.Int64Constant(name + ".group_shape", new long[] { 0, groups, -1 }) });
                    var ones = graph.Fresh(name + ".unit_scale");
                    graph.Initializer(ones, new WeightTensor(new[] { groups }, Enumerable.Repeat(1f, (int)groups).ToArray()));
                    var zeros = graph.Fresh(name + ".zero_shift");
                    graph.Initializer(zeros, new WeightTensor(new[] { groups }, new float[groups]));
                    var normalised = graph.Node("InstanceNormalization", name + ".normalised", new[] { grouped, ones, zeros }, Float("epsilon", (float)a.Double("eps", 1e-5)));
                    var shaped = graph.Node("Reshape", a.Bool("affine", true) ? name + ".shaped" : name, new[] { normalised, graph.Node("Shape", name + ".shape", x) });
                    if (!a.Bool("affine", true))
                        return shaped;
                    var perChannel = graph.Int64Constant(name + ".channel_shape", new[] { channels }.Concat(Repeat(1, layer.InputShape.Rank - 1)).ToArray());
                    var scale = graph.Node("Reshape", name + ".scale", new[] { Weight(name + ".weight"), perChannel });
                    var shift = graph.Node("Reshape", name + ".shift", new[] { Weight(name + ".bias"), perChannel });
                    return graph.Node("Add", name, new[] { graph.Node("Mul", name + ".scaled", new[] { shaped, scale }), shift });
                }
                case "LayerNorm":
                {
                    // Over the last dimension (the plan has moved the channels there); without affine, a unit scale and no shift.
                    long channels = a.Positional(0);
                    var attributes = new[] { Int("axis", -1), Float("epsilon", (float)a.Double("eps", 1e-5)) };
                    if (a.Bool("elementwise_affine", true))
                        return graph.Node("LayerNormalization", name, new[] { x, Weight(name + ".weight"), Weight(name + ".bias") }, attributes);
                    var scale = graph.Fresh(name + ".unit_scale");
                    graph.Initializer(scale, new WeightTensor(new[] { channels }, Enumerable.Repeat(1f, (int)channels).ToArray()));
                    return graph.Node("LayerNormalization", name, new[] { x, scale }, attributes);
                }
                case "Dropout":
                    // Inference: dropout passes its input through.
                    return graph.Node("Identity", name, x);
                case "Flatten":
                    return graph.Node("Flatten", name, x, Int("axis", 1));
                case "ZeroPad":
                case "ConstantPad":
                {
                    // PyTorch's order (last dimension first, before and after) to ONNX's (every dimension's before, then after).
                    var torch = a.PositionalSizes(0);
                    int dims = torch.Length / 2;
                    var before = Enumerable.Range(0, dims).Select(d => torch[2 * (dims - 1 - d)]).ToArray();
                    var after = Enumerable.Range(0, dims).Select(d => torch[2 * (dims - 1 - d) + 1]).ToArray();
                    return graph.Node("Pad", name, new[] { x, graph.Int64Constant(name + ".pads", new long[] { 0, 0 }.Concat(before).Concat(new long[] { 0, 0 }).Concat(after).ToArray()) });
                }
                case "AdaptiveAvgPool":
                    return AdaptiveAverage(a.PositionalSizes(0), layer, name, x);
                case "Upsample":
                    return Upsample(a, name, x);
                case "PReLU":
                {
                    // PRelu broadcasts its slope from the right: one slope per channel must be shaped (C, 1, ...).
                    long slopes = a.Long("num_parameters", 1);
                    var slope = Weight(name + ".weight");
                    int spatial = layer.InputShape.Rank - 1;
                    if (slopes != 1 && spatial > 0)
                        slope = graph.Node("Reshape", name + ".slope", new[] { slope, graph.Int64Constant(name + ".slope_shape", new[] { slopes }.Concat(Repeat(1, spatial)).ToArray()) });
                    return graph.Node("PRelu", name, new[] { x, slope });
                }
                default:
                    // An activation as a module of its own: its catalogue entry names the PyTorch type.
                    var activation = CnnDsl.Dsl.Catalog.Activation.All.FirstOrDefault(act => act.ModuleType == type)
                        ?? throw new OnnxExportException($"Layer '{name}' is a {layer.Kind} layer ({type}), which the ONNX exporter cannot write yet; leave it out of the exported model or export with a version that supports it");
                    double parameter = module.Arguments.FirstOrDefault(arg => arg.Positional)?.Value is RealValue r ? Real(r.Value, name) : activation.ParameterDefault;
                    return Activation(activation, parameter, x, name);
            }
        }

        List<string> WeightAndBias(string name, string x, bool bias)
        {
            var arguments = new List<string> { x, Weight(name + ".weight") };
            if (bias)
                arguments.Add(Weight(name + ".bias"));
            return arguments;
        }

        // A convolution: PyTorch's "same" (stride 1: d (k - 1) in all, the odd pixel after), its symmetric padding, or a
        // fixed pad step folded into ONNX's pads; padding computed from the tensor (Keras' same on a variable size) first.
        string Conv(PlanModule module, string name, string x, Pad? pad)
        {
            var a = new PlanNumbers(module, problem => new OnnxExportException($"Layer '{name}': {problem}; export the model at a fixed input size (--input) with its block arguments given"));
            int rank = module.Type[module.Type.Length - 2] - '0';
            var kernel = a.RequiredSizes("kernel_size", rank);
            var dilation = a.Sizes("dilation", rank, 1);
            long[] before, after;
            if (a.Text("padding") == "same")
            {
                before = kernel.Select((k, i) => dilation[i] * (k - 1) / 2).ToArray();
                after = kernel.Select((k, i) => dilation[i] * (k - 1) - before[i]).ToArray();
            }
            else
            {
                before = after = a.Sizes("padding", rank, 0);
            }
            if (pad != null && pad.IsFixed)
            {
                before = before.Select((b, i) => b + ((IntExpr)pad.PerSide[2 * i]).Value).ToArray();
                after = after.Select((b, i) => b + ((IntExpr)pad.PerSide[2 * i + 1]).Value).ToArray();
            }
            else if (pad != null)
            {
                x = graph.Node("Pad", name + ".padded", new[] { x, SamePads(x, pad.Kernel, pad.Stride, pad.Dilation, name) });
            }
            var attributes = new[]
            {
                Ints("kernel_shape", kernel),
                Ints("strides", a.Sizes("stride", rank, 1)),
                Ints("dilations", dilation),
                Int("group", a.Long("groups", 1)),
                Ints("pads", before.Concat(after)),
            };
            return graph.Node("Conv", name, WeightAndBias(name, x, a.Bool("bias", true)), attributes);
        }

        string Pool(PlanModule module, int rank, string name, string x, Pad? pad)
        {
            var a = new PlanNumbers(module, problem => new OnnxExportException($"Layer '{name}': {problem}; export the model at a fixed input size (--input) with its block arguments given"));
            bool isMax = module.Type.StartsWith("Max", StringComparison.Ordinal);
            var op = isMax ? "MaxPool" : "AveragePool";
            var kernel = a.RequiredSizes("kernel_size", rank);
            var stride = a.Sizes("stride", rank, 0);
            bool ceil = a.Bool("ceil_mode", false);
            var attributes = new List<global::Onnx.AttributeProto>
            {
                Ints("kernel_shape", kernel),
                Ints("strides", stride),
                Int("ceil_mode", ceil ? 1 : 0),
            };
            long[] before, after;
            if (pad != null && !pad.IsFixed)
            {
                if (ceil)
                    throw new OnnxExportException($"Layer '{name}' combines ceil_mode with same padding on a variable input size, which the ONNX exporter cannot write; export the model at a fixed input size (--input)");
                attributes.Add(Ints("pads", Repeat(0, 2 * rank)));
                var pads = SamePads(x, pad.Kernel, pad.Stride, pad.Dilation, name);
                return graph.Node(op, name, graph.Node("Pad", name + ".padded", new[] { x, pads, graph.FloatConstant(name + ".pad_value", float.NegativeInfinity) }), attributes.ToArray());
            }
            if (pad != null)
            {
                // As the module does: pad first (minus infinity for max, zeros for average), then pool the padded input.
                var pads = OnnxPads(pad.PerSide.Select(p => ((IntExpr)p).Value).ToArray());
                var padInputs = new List<string> { x, graph.Int64Constant(name + ".pads", new long[] { 0, 0 }.Concat(pads.Take(rank)).Concat(new long[] { 0, 0 }).Concat(pads.Skip(rank)).ToArray()) };
                if (pad.Fill == PadFill.NegativeInfinity)
                    padInputs.Add(graph.FloatConstant(name + ".pad_value", float.NegativeInfinity));
                x = graph.Node("Pad", name + ".padded", padInputs);
                before = after = Repeat(0, rank).ToArray();
            }
            else
            {
                before = after = a.Sizes("padding", rank, 0);
            }
            attributes.Add(Ints("pads", before.Concat(after)));
            if (!isMax)
                attributes.Add(Int("count_include_pad", a.Bool("count_include_pad", true) ? 1 : 0));
            var pooled = graph.Node(op, ceil ? name + ".ceil" : name, x, attributes.ToArray());
            return ceil ? DropWindowsStartingInPadding(pooled, x, before, stride, name) : pooled;
        }

        // Keras' same average pooling: over real pixels only. Fixed padding is ONNX's own (count_include_pad 0); padding
        // computed from the tensor divides the pool of the zero-padded input by the pool of a padded mask of ones, as
        // CnnDsl.Layers.SamePooling does.
        string SameAverage(PlanModule module, Pad pad, string name, string x)
        {
            var a = new PlanNumbers(module, problem => new OnnxExportException($"Layer '{name}': {problem}; export the model at a fixed input size (--input) with its block arguments given"));
            int rank = pad.Kernel.Count;
            bool ceil = a.Bool("ceil_mode", false);
            var stride = a.Sizes("stride", rank, 0);
            var attributes = new List<global::Onnx.AttributeProto>
            {
                Ints("kernel_shape", a.RequiredSizes("kernel_size", rank)),
                Ints("strides", stride),
                Int("ceil_mode", ceil ? 1 : 0),
            };
            if (pad.IsFixed)
            {
                var before = pad.PerSide.Where((_, i) => i % 2 == 0).Select(p => ((IntExpr)p).Value).ToArray();
                var after = pad.PerSide.Where((_, i) => i % 2 == 1).Select(p => ((IntExpr)p).Value).ToArray();
                attributes.Add(Ints("pads", before.Concat(after)));
                attributes.Add(Int("count_include_pad", 0));
                var pooled = graph.Node("AveragePool", ceil ? name + ".ceil" : name, x, attributes.ToArray());
                return ceil ? DropWindowsStartingInPadding(pooled, x, before, stride, name) : pooled;
            }
            if (ceil)
                throw new OnnxExportException($"Layer '{name}' combines ceil_mode with same padding on a variable input size, which the ONNX exporter cannot write; export the model at a fixed input size (--input)");
            attributes.Add(Ints("pads", Repeat(0, 2 * rank)));
            var pads = SamePads(x, pad.Kernel, pad.Stride, pad.Dilation, name);
            var sums = graph.Node("AveragePool", name + ".sums", graph.Node("Pad", name + ".padded", new[] { x, pads }), attributes.ToArray());
            var maskShape = graph.Node("Concat", name + ".mask_shape", new[] { graph.Int64Constant(name + ".one_one", new long[] { 1, 1 }), graph.Node("Shape", name + ".size", x, Int("start", 2)) }, Int("axis", 0));
            var mask = graph.Node("ConstantOfShape", name + ".mask", maskShape, new global::Onnx.AttributeProto { Name = "value", Type = global::Onnx.AttributeProto.Types.AttributeType.Tensor, T = OnnxGraph.FloatTensor(1f) });
            var fraction = graph.Node("AveragePool", name + ".real_fraction", graph.Node("Pad", name + ".mask_padded", new[] { mask, pads }), attributes.ToArray());
            return graph.Node("Div", name, new[] { sums, fraction });
        }

        /// <summary>
        /// nn.Upsample as PyTorch exports it: nearest takes the floor of dst / scale (asymmetric, floor); the linear modes
        /// sample at (dst + 0.5) / scale - 0.5 (pytorch_half_pixel) or, with align_corners, at dst (n - 1) / (n' - 1).
        /// </summary>
        string Upsample(PlanNumbers a, string name, string x)
        {
            bool nearest = a.Text("mode") == "nearest";
            bool alignCorners = a.Bool("align_corners", false);
            var attributes = new List<global::Onnx.AttributeProto>
            {
                String("mode", nearest ? "nearest" : "linear"),
                String("coordinate_transformation_mode", nearest ? "asymmetric" : alignCorners ? "align_corners" : "pytorch_half_pixel"),
            };
            if (nearest)
                attributes.Add(String("nearest_mode", "floor"));
            string scales = "", sizes = "";
            if (a.Has("size"))
            {
                var spatial = graph.Int64Constant(name + ".spatial_size", a.Sizes("size", 0, 0));
                var batchAndChannels = graph.Node("Shape", name + ".batch_and_channels", x, Int("start", 0), Int("end", 2));
                sizes = graph.Node("Concat", name + ".sizes", new[] { batchAndChannels, spatial }, Int("axis", 0));
            }
            else
            {
                var factors = new[] { 1f, 1f }.Concat(a.Reals("scale_factor").Select(v => (float)v)).ToArray();
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
        string AdaptiveAverage(long[] outputs, BoundLayer layer, string name, string x)
        {
            if (outputs.All(o => o == 1))
                return graph.Node("ReduceMean", name, x, Ints("axes", Enumerable.Range(2, outputs.Length).Select(a => (long)a)), Int("keepdims", 1));
            var inputs = layer.InputShape.Dimensions.Skip(1).ToArray();
            if (inputs.Any(n => !(n is IntExpr)))
                throw new OnnxExportException($"Layer '{name}' (adaptive_avgpool{outputs.Length}d {string.Join("x", outputs)}) has a variable input size ({layer.InputShape}), and ONNX has no adaptive pooling operator; export the model at a fixed input size (--input)");
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

        static double Real(Expr value, string layer) => value switch
        {
            RealExpr r => r.Value,
            IntExpr i => i.Value,
            _ => throw new OnnxExportException($"Layer '{layer}' has a value that is not a number ({value}); export the model with its block arguments given as numbers"),
        };
    }
}
