using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.PyTorchExport
{
    /// <summary>A model the PyTorch export cannot write, with the layer and the reason.</summary>
    public sealed class PyTorchExportException : Exception
    {
        public PyTorchExportException(string message) : base(message) { }
    }

    /// <summary>
    /// Writes a checked model as a PyTorch <c>nn.Module</c> in Python: the same layers under the same names, so its
    /// state_dict keys, order and shapes are the generated TorchSharp module's, and the same forward (Keras-style
    /// <c>same</c> padding, global pooling, merges). Blocks are written out per use, as the model's graph has them.
    /// A layer kind without a PyTorch form here is an error naming the layer, never a silent gap.
    /// </summary>
    public static class PyTorchModuleWriter
    {
        /// <summary>The Python module's file name for a model: <c>FashionCnn</c> is <c>fashion_cnn.py</c>.</summary>
        public static string ModuleName(BoundModel model) => Names.ToSnakeCase(model.Name.TrimStart('@'));

        public static string Write(BoundModel model)
        {
            var writer = new PythonWriter(model);
            return writer.Write();
        }

        sealed class PythonWriter
        {
            readonly BoundModel model;
            readonly StringBuilder init = new StringBuilder();
            readonly StringBuilder forward = new StringBuilder();
            readonly HashSet<string> containers = new HashSet<string>(StringComparer.Ordinal);
            readonly HashSet<string> variables = new HashSet<string>(StringComparer.Ordinal);
            bool needsSamePadding;
            bool needsSameAverage;
            bool needsRescaling;
            bool needsStochasticDepth;

            public PythonWriter(BoundModel model) => this.model = model;

            public string Write()
            {
                var tensors = new Dictionary<string, string>(StringComparer.Ordinal) { [BoundModel.InputTensorName] = "input" };
                WriteLayers(model.Layers, "", tensors);
                var output = model.Layers.Count == 0 ? "input" : tensors[model.Layers[model.Layers.Count - 1].Name];

                var text = new StringBuilder();
                text.Append("\"\"\"").Append(Escape(model.Name)).Append(" from ").Append(Escape(System.IO.Path.GetFileName(model.SourcePath)))
                    .Append(", as a PyTorch module: the layers, state_dict keys and forward of the CnnDsl model.\n\n");
                text.Append("Input ").Append(Tuple(model.InputShape)).Append(" per sample, output ").Append(Tuple(model.OutputShape))
                    .Append(", ").Append(model.ParameterCount.ToString("#,0", CultureInfo.InvariantCulture)).Append(" parameters")
                    .Append(model.SizeVariables.Count == 0 ? "" : "; accepts " + model.AcceptedSizeRule).Append(".\n\"\"\"\n");
                text.Append("import collections\nimport math\n\nimport torch\nfrom torch import nn\nimport torch.nn.functional as F\n\n\n");
                if (needsSamePadding || needsSameAverage)
                    text.Append(SamePaddingHelpers);
                if (needsRescaling)
                    text.Append(RescalingHelper);
                if (needsStochasticDepth)
                    text.Append(StochasticDepthHelper);
                text.Append("class ").Append(ClassName).Append("(nn.Module):\n");
                text.Append("    input_shape = ").Append(PythonShape(model.InputShape)).Append("  # None marks a size the model takes as a variable\n");
                text.Append("    output_activation = \"").Append(model.OutputActivation).Append("\"\n\n");
                text.Append("    def __init__(self):\n        super().__init__()\n");
                text.Append(init.Length == 0 ? "        pass\n" : init.ToString());
                text.Append("\n    def forward(self, input):\n");
                text.Append("        if input.dim() != ").Append(model.InputShape.Rank + 1).Append(" or any(e is not None and e != a for e, a in zip(self.input_shape, input.shape[1:])):\n");
                text.Append("            raise ValueError(f\"").Append(ClassName).Append(" expects (N, ").Append(string.Join(", ", model.InputShape.Dimensions.Select(d => d.ToString())))
                    .Append("), got {tuple(input.shape)}\")\n");
                text.Append(forward);
                text.Append("        return ").Append(output).Append("\n");
                text.Append("\n\n").Append(SafetensorsLoader);
                return text.ToString();
            }

            string ClassName => model.Name.TrimStart('@');

            void WriteLayers(IEnumerable<BoundLayer> layers, string prefix, Dictionary<string, string> tensors)
            {
                foreach (var layer in layers)
                {
                    var name = prefix + layer.Name;
                    var inputs = layer.Inputs.Select(i => tensors.TryGetValue(i, out var v) ? v
                        : throw new PyTorchExportException($"layer '{name}' reads '{i}', which the export cannot find")).ToList();
                    if (layer.Config is BlockConfig use)
                    {
                        // A block use: its layers, named below the use, reading the use's input as 'input'.
                        var inner = new Dictionary<string, string>(StringComparer.Ordinal) { [BoundModel.InputTensorName] = inputs[0] };
                        WriteLayers(use.Layers, name + ".", inner);
                        tensors[layer.Name] = use.Layers.Count == 0 ? inputs[0] : inner[use.Layers[use.Layers.Count - 1].Name];
                        continue;
                    }
                    var variable = Variable(name);
                    var module = layer.Config.HasModule ? Module(name, layer.Config) : null;
                    forward.Append("        ").Append(variable).Append(" = ").Append(Forward(name, layer.Config, module, inputs)).Append('\n');
                    tensors[layer.Name] = variable;
                }
            }

            // Registers the module under its dotted name, creating plain containers for the parts before the last, in
            // order, so the state_dict keys and their order are the generated module's.
            string? Module(string name, LayerConfig config)
            {
                var constructor = Constructor(name, config);
                if (constructor == null)
                    return null;
                if (IsPlainAttribute(name))
                {
                    init.Append("        self.").Append(name).Append(" = ").Append(constructor).Append('\n');
                    return "self." + name;
                }
                var parts = name.Split('.');
                for (int i = 0; i < parts.Length - 1; i++)
                {
                    var container = string.Join(".", parts.Take(i + 1));
                    if (containers.Add(container))
                        init.Append("        ").Append(Owner(parts, i)).Append(".add_module(").Append(Literal(parts[i])).Append(", nn.Module())\n");
                }
                init.Append("        ").Append(Owner(parts, parts.Length - 1)).Append(".add_module(").Append(Literal(parts[parts.Length - 1])).Append(", ").Append(constructor).Append(")\n");
                return "self.get_submodule(" + Literal(name) + ")";
            }

            // A name that reads as an attribute (self.conv1) unless it is dotted, a Python keyword, or a member of nn.Module
            // or of the generated class (self.train would replace the method): those go through add_module/get_submodule.
            static bool IsPlainAttribute(string name) =>
                name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => c < 128 && (char.IsLetterOrDigit(c) || c == '_'))
                && !name.StartsWith("_") && !PythonKeywords.Contains(name) && !ModuleMembers.Contains(name);

            static readonly HashSet<string> PythonKeywords = new HashSet<string>(StringComparer.Ordinal)
            {
                "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except",
                "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
                "while", "with", "yield", "match", "case",
            };

            static readonly HashSet<string> ModuleMembers = new HashSet<string>(StringComparer.Ordinal)
            {
                "T_destination", "add_module", "apply", "bfloat16", "buffers", "children", "cpu", "cuda", "double", "dump_patches", "eval", "extra_repr",
                "float", "forward", "get_buffer", "get_extra_state", "get_parameter", "get_submodule", "half", "ipu", "load_state_dict", "modules",
                "named_buffers", "named_children", "named_modules", "named_parameters", "parameters", "register_backward_hook", "register_buffer",
                "register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook", "register_load_state_dict_post_hook",
                "register_module", "register_parameter", "requires_grad_", "set_extra_state", "share_memory", "state_dict", "to", "to_empty", "train",
                "training", "type", "xpu", "zero_grad", "compile", "mtia", "register_state_dict_pre_hook", "register_state_dict_post_hook",
                "register_load_state_dict_pre_hook", "set_submodule", "call_super_init", "input_shape", "output_activation",
            };

            // The module that holds part i of a dotted name: the model itself, or the container named by the parts before it.
            static string Owner(string[] parts, int i) => i == 0 ? "self" : "self.get_submodule(" + Literal(string.Join(".", parts.Take(i))) + ")";

            string? Constructor(string name, LayerConfig config)
            {
                switch (config)
                {
                    case ConvConfig conv:
                        return Conv(conv, name);
                    case SeparableConvConfig separable:
                        // Keras' SeparableConv: a depthwise then a pointwise convolution, keys name.depthwise.*, name.pointwise.*.
                        return "nn.Sequential(collections.OrderedDict([(\"depthwise\", " + Conv(separable.Depthwise, name) + "), (\"pointwise\", " + Conv(separable.Pointwise, name) + ")]))";
                    case ConvTransposeConfig transpose:
                    {
                        var arguments = new List<string> { Int(transpose.InChannels, name), Int(transpose.Filters, name), "kernel_size=" + Sizes(transpose.Kernel, name) };
                        if (transpose.Stride.Any(s => !(s is IntExpr { Value: 1 })))
                            arguments.Add("stride=" + Sizes(transpose.Stride, name));
                        if (transpose.Padding.Any(p => !(p is IntExpr { Value: 0 })))
                            arguments.Add("padding=" + Sizes(transpose.Padding, name));
                        if (transpose.OutputPadding.Any(p => !(p is IntExpr { Value: 0 })))
                            arguments.Add("output_padding=" + Sizes(transpose.OutputPadding, name));
                        if (!(transpose.Groups is IntExpr { Value: 1 }))
                            arguments.Add("groups=" + Int(transpose.Groups, name));
                        if (transpose.Bias is BoolExpr { Value: false })
                            arguments.Add("bias=False");
                        if (transpose.Dilation.Any(d => !(d is IntExpr { Value: 1 })))
                            arguments.Add("dilation=" + Sizes(transpose.Dilation, name));
                        return "nn." + transpose.ModuleType + "(" + string.Join(", ", arguments) + ")";
                    }
                    case UpsampleConfig upsample:
                        return "nn.Upsample(" + (upsample.Size is { } size ? "size=" + Sizes(size, name, forceTuple: true) : "scale_factor=(" + string.Join(", ", upsample.Scale!.Value.Select(s => Real(s, name))) + (upsample.Scale!.Value.Count == 1 ? ",)" : ")"))
                            + ", mode=\"" + upsample.Mode + "\"" + (upsample.Mode == "nearest" ? "" : ", align_corners=" + Bool(upsample.AlignCorners, name)) + ")";
                    case PReLUConfig prelu:
                        return "nn.PReLU(num_parameters=" + Int(prelu.Slopes, name) + ", init=" + Real(prelu.Init, name) + ")";
                    case RescalingConfig:
                    case StochasticDepthConfig:
                        // No parameters or buffers: written out in forward.
                        return null;
                    case PoolConfig pool:
                    {
                        var arguments = new List<string> { "kernel_size=" + Sizes(pool.Kernel, name) };
                        if (!pool.Stride.SequenceEqual(pool.Kernel))
                            arguments.Add("stride=" + Sizes(pool.Stride, name));
                        var padding = pool.PadsInForward ? new Expr[0] : SpatialWindow.PerDimension(pool.PerSidePadding);
                        if (padding.Any(p => !(p is IntExpr { Value: 0 })))
                            arguments.Add("padding=" + Sizes(padding, name));
                        if (pool.CeilMode)
                            arguments.Add("ceil_mode=True");
                        if (!pool.IsMax && pool.SamePadding && !pool.PadsInForward && padding.Any(p => !(p is IntExpr { Value: 0 })))
                            arguments.Add("count_include_pad=False");
                        return "nn." + (pool.IsMax ? "MaxPool" : "AvgPool") + pool.Rank + "d(" + string.Join(", ", arguments) + ")";
                    }
                    case DenseConfig dense:
                        return "nn.Linear(" + Int(dense.InFeatures, name) + ", " + Int(dense.Units, name) + (dense.Bias is BoolExpr { Value: false } ? ", bias=False" : "") + ")";
                    case BatchNormConfig norm:
                        return "nn." + norm.ModuleType + "(" + Int(norm.Channels, name) + ", eps=" + Real(norm.Eps, name) + ", momentum=" + Real(norm.Momentum, name) + ")";
                    case DropoutConfig dropout:
                        return "nn." + dropout.ModuleType + "(" + Real(dropout.Rate, name) + ")";
                    case ZeroPadConfig pad:
                        return "nn." + pad.ModuleType + "((" + string.Join(", ", SpatialWindow.PadOrder(pad.PerSide).Select(p => Int(p, name))) + ")" + (pad.Rank == 2 ? ")" : ", 0.0)");
                    case AdaptiveAvgPoolConfig adaptive:
                        return "nn." + adaptive.ModuleType + "(" + Sizes(adaptive.Size, name) + ")";
                    case FlattenConfig:
                        return "nn.Flatten()";
                    case ActivationConfig activation:
                        return ActivationModule(activation, name);
                    case GlobalPoolConfig:
                        // No parameters or buffers: a plain function in forward, as Keras' global pooling.
                        return null;
                    default:
                        throw Unsupported(name, config);
                }
            }

            static string Conv(ConvConfig conv, string name)
            {
                var arguments = new List<string> { Int(conv.InChannels, name), Int(conv.Filters, name), "kernel_size=" + Sizes(conv.Kernel, name) };
                if (conv.Stride.Any(s => !(s is IntExpr { Value: 1 })))
                    arguments.Add("stride=" + Sizes(conv.Stride, name));
                if (conv.UsesTorchSame)
                    arguments.Add("padding=\"same\"");
                else if (!conv.PadsInForward && conv.PerSidePadding.Any(p => !(p is IntExpr { Value: 0 })))
                    arguments.Add("padding=" + Sizes(SpatialWindow.PerDimension(conv.PerSidePadding), name));
                if (conv.Dilation.Any(d => !(d is IntExpr { Value: 1 })))
                    arguments.Add("dilation=" + Sizes(conv.Dilation, name));
                if (!(conv.Groups is IntExpr { Value: 1 }))
                    arguments.Add("groups=" + Int(conv.Groups, name));
                if (conv.Bias is BoolExpr { Value: false })
                    arguments.Add("bias=False");
                return "nn.Conv" + conv.Rank + "d(" + string.Join(", ", arguments) + ")";
            }

            string Forward(string name, LayerConfig config, string? module, IReadOnlyList<string> inputs)
            {
                string x = inputs.Count > 0 ? inputs[0] : "input";
                string result;
                switch (config)
                {
                    case MergeConfig merge:
                        return merge.Kind switch
                        {
                            MergeKind.Concat => "torch.cat([" + string.Join(", ", inputs) + "], dim=1)",
                            MergeKind.Multiply => string.Join(" * ", inputs),
                            MergeKind.Add => string.Join(" + ", inputs),
                            _ => throw new PyTorchExportException($"layer '{name}': the merge '{merge.Kind}' has no PyTorch export yet"),
                        };
                    case RescalingConfig rescaling:
                        needsRescaling = true;
                        result = "_rescale(" + x + ", [" + string.Join(", ", rescaling.Scale.Select(v => Real(v, name))) + "], [" + string.Join(", ", rescaling.Offset.Select(v => Real(v, name))) + "])";
                        break;
                    case StochasticDepthConfig drop:
                        needsStochasticDepth = true;
                        result = "_stochastic_depth(" + x + ", " + Real(drop.Rate, name) + ", " + (drop.PerRow ? "True" : "False") + ", self.training)";
                        break;
                    case SeparableConvConfig separable when separable.Depthwise.PadsInForward:
                    {
                        var depthwise = separable.Depthwise;
                        result = module + "(F.pad(" + x + ", " + PadArgument(name, depthwise.PerSidePadding, depthwise.Kernel, depthwise.Stride, depthwise.Dilation, x) + "))";
                        break;
                    }
                    case GlobalPoolConfig global:
                    {
                        var dims = "(" + string.Join(", ", Enumerable.Range(2, global.Rank).Select(d => d.ToString(CultureInfo.InvariantCulture))) + (global.Rank == 1 ? ",)" : ")");
                        return global.IsMax ? "torch.amax(" + x + ", dim=" + dims + ")" : "torch.mean(" + x + ", dim=" + dims + ")";
                    }
                    case ConvConfig conv when conv.PadsInForward:
                        result = module + "(F.pad(" + x + ", " + PadArgument(name, conv.PerSidePadding, conv.Kernel, conv.Stride, conv.Dilation, x) + "))";
                        break;
                    case PoolConfig pool when pool.PadsInForward:
                    {
                        var ones = Enumerable.Repeat((Expr)Exprs.One, pool.Rank).ToList();
                        var pad = PadArgument(name, pool.PerSidePadding, pool.Kernel, pool.Stride, ones, x);
                        if (pool.IsMax)
                        {
                            result = module + "(F.pad(" + x + ", " + pad + ", value=-math.inf))";
                        }
                        else if (pool.SamePadding)
                        {
                            needsSameAverage = true;
                            result = "_average_over_real_pixels(" + x + ", " + module + ", " + Sizes(pool.Kernel, name, forceTuple: true) + ", "
                                + Sizes(pool.Stride, name, forceTuple: true) + ", " + pad + ")";
                        }
                        else
                        {
                            result = module + "(F.pad(" + x + ", " + pad + "))";
                        }
                        break;
                    }
                    default:
                        result = module + "(" + x + ")";
                        break;
                }
                if (config.Activation != null && !(config is ActivationConfig))
                    result = ActivationFunction(config.Activation, result);
                return result;
            }

            // Padding in F.pad's order; Keras' same padding on a size the input decides is computed from the tensor.
            string PadArgument(string name, IReadOnlyList<Expr> perSide, IReadOnlyList<Expr> kernel, IReadOnlyList<Expr> stride, IReadOnlyList<Expr> dilation, string x)
            {
                if (perSide.All(p => p is IntExpr))
                    return "[" + string.Join(", ", SpatialWindow.PadOrder(perSide).Select(p => Int(p, name))) + "]";
                needsSamePadding = true;
                return "_same_padding(" + x + ", " + Sizes(kernel, name, forceTuple: true) + ", " + Sizes(stride, name, forceTuple: true) + ", " + Sizes(dilation, name, forceTuple: true) + ")";
            }

            static string ActivationModule(ActivationConfig activation, string name) => activation.Kind.Name switch
            {
                "leaky_relu" => "nn.LeakyReLU(" + Real(activation.Parameter, name) + ")",
                "elu" => "nn.ELU(" + Real(activation.Parameter, name) + ")",
                "softmax" => "nn.Softmax(dim=1)",
                "log_softmax" => "nn.LogSoftmax(dim=1)",
                "relu" => "nn.ReLU()",
                "relu6" => "nn.ReLU6()",
                "gelu" => "nn.GELU()",
                "silu" => "nn.SiLU()",
                "sigmoid" => "nn.Sigmoid()",
                "tanh" => "nn.Tanh()",
                "hardswish" => "nn.Hardswish()",
                "hardsigmoid" => "nn.Hardsigmoid()",
                "mish" => "nn.Mish()",
                _ => throw new PyTorchExportException($"layer '{name}': the activation '{activation.Kind.Name}' has no PyTorch export yet"),
            };

            // activation= after a module, with the activation's default parameter, as the generated module applies it.
            static string ActivationFunction(Activation activation, string x) => activation.Name switch
            {
                "leaky_relu" => "F.leaky_relu(" + x + ", " + Number(activation.ParameterDefault) + ")",
                "elu" => "F.elu(" + x + ", " + Number(activation.ParameterDefault) + ")",
                "softmax" => "F.softmax(" + x + ", dim=1)",
                "log_softmax" => "F.log_softmax(" + x + ", dim=1)",
                "relu" => "F.relu(" + x + ")",
                "relu6" => "F.relu6(" + x + ")",
                "gelu" => "F.gelu(" + x + ")",
                "silu" => "F.silu(" + x + ")",
                "sigmoid" => "torch.sigmoid(" + x + ")",
                "tanh" => "torch.tanh(" + x + ")",
                "hardswish" => "F.hardswish(" + x + ")",
                "hardsigmoid" => "F.hardsigmoid(" + x + ")",
                "mish" => "F.mish(" + x + ")",
                _ => throw new PyTorchExportException($"the activation '{activation.Name}' has no PyTorch export yet"),
            };

            static PyTorchExportException Unsupported(string name, LayerConfig config) =>
                new PyTorchExportException($"layer '{name}' ({config.ModuleType}) has no PyTorch export yet");

            string Variable(string name)
            {
                var variable = "x_" + new string(name.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());
                var candidate = variable;
                for (int i = 2; !variables.Add(candidate); i++)
                    candidate = variable + "_" + i;
                return candidate;
            }

            static string Int(Expr value, string layer) => value is IntExpr i ? i.Value.ToString(CultureInfo.InvariantCulture)
                : throw new PyTorchExportException($"layer '{layer}': {value} depends on the input size; export the model with a fixed input");

            static string Bool(Expr value, string layer) => value is BoolExpr b ? (b.Value ? "True" : "False")
                : throw new PyTorchExportException($"layer '{layer}': {value} is not a truth value the export can write");

            static string Real(Expr value, string layer) => value switch
            {
                RealExpr r => Number(r.Value),
                IntExpr i => i.Value.ToString(CultureInfo.InvariantCulture) + ".0",
                _ => throw new PyTorchExportException($"layer '{layer}': {value} is not a number the export can write"),
            };

            static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture) is var text && (text.Contains(".") || text.Contains("E")) ? text : text + ".0";

            static string Sizes(IReadOnlyList<Expr> values, string layer, bool forceTuple = false) =>
                !forceTuple && values.All(v => v.Equals(values[0])) ? Int(values[0], layer)
                    : "(" + string.Join(", ", values.Select(v => Int(v, layer))) + (values.Count == 1 ? ",)" : ")");



            static string Tuple(TensorShape shape) => "(" + string.Join(", ", shape.Dimensions.Select(d => d.ToString())) + ")";

            static string PythonShape(TensorShape shape) =>
                "(" + string.Join(", ", shape.Dimensions.Select(d => d is IntExpr i ? i.Value.ToString(CultureInfo.InvariantCulture) : "None")) + (shape.Rank == 1 ? ",)" : ")");

            static string Literal(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

            static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\"\"\"", "\\\"\\\"\\\"");
        }

        // Keras' Rescaling: one scale and offset for all channels, or one per channel.
        // Reads CnnDsl's safetensors files (and any other) with PyTorch alone, and the model's facts from their metadata.
        const string SafetensorsLoader = @"_SAFETENSORS_DTYPES = {
    ""F64"": torch.float64, ""F32"": torch.float32, ""F16"": torch.float16, ""BF16"": torch.bfloat16, ""I64"": torch.int64,
    ""I32"": torch.int32, ""I16"": torch.int16, ""I8"": torch.int8, ""U8"": torch.uint8, ""BOOL"": torch.bool,
}


def load_safetensors(path, model=None):
    """"""Reads a safetensors file (CnnDsl's SaveSafeTensors writes them) with PyTorch alone, no safetensors package.

    Returns (state_dict, facts): facts are the CnnDsl model's facts from the file's metadata (a dict with ""class_names"",
    ""normalization"", ""evaluation_transforms"", ""loss"", ...), or None for a file without them. Given a model, loads the
    state_dict into it (strict) and returns (model, facts).
    """"""
    import json
    import struct

    with open(path, ""rb"") as file:
        data = file.read()
    if len(data) < 8:
        raise ValueError(f""{path} is not a safetensors file: it has {len(data)} bytes"")
    (header_length,) = struct.unpack(""<Q"", data[:8])
    if 8 + header_length > len(data):
        raise ValueError(f""{path} is not a safetensors file: its header length {header_length} runs past its end"")
    header = json.loads(data[8:8 + header_length].decode(""utf-8""))
    metadata = header.pop(""__metadata__"", None) or {}
    start = 8 + header_length
    state = collections.OrderedDict()
    for name, entry in sorted(header.items(), key=lambda item: item[1][""data_offsets""][0]):
        begin, end = entry[""data_offsets""]
        dtype = _SAFETENSORS_DTYPES[entry[""dtype""]]
        raw = bytearray(data[start + begin:start + end])
        flat = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        state[name] = flat.reshape(entry[""shape""]).clone()
    facts = json.loads(metadata[""cnndsl.facts""]) if ""cnndsl.facts"" in metadata else None
    if model is not None:
        model.load_state_dict(state, strict=True)
        return model, facts
    return state, facts
";

        const string RescalingHelper = @"def _rescale(x, scale, offset):
    shape = (1, -1) + (1,) * (x.dim() - 2)
    return x * torch.tensor(scale, dtype=x.dtype, device=x.device).reshape(shape) + torch.tensor(offset, dtype=x.dtype, device=x.device).reshape(shape)


";

        // torchvision's StochasticDepth: identity in evaluation; in training each row (or the whole batch) is kept with
        // probability 1 - p and scaled by 1 / (1 - p).
        const string StochasticDepthHelper = @"def _stochastic_depth(x, p, per_row, training):
    if not training or p == 0.0:
        return x
    survival = 1.0 - p
    size = [x.shape[0]] + [1] * (x.dim() - 1) if per_row else [1] * x.dim()
    noise = torch.empty(size, dtype=x.dtype, device=x.device).bernoulli_(survival)
    if survival > 0.0:
        noise.div_(survival)
    return x * noise


";

        // Keras' same padding, computed from the tensor when the input size is a variable, and Keras' average pooling
        // over the real pixels of a window where that padding is uneven.
        const string SamePaddingHelpers = @"def _same_padding(x, kernel, stride, dilation):
    pad = []
    for size, k, s, d in reversed(list(zip(x.shape[2:], kernel, stride, dilation))):
        out = -(-size // s)
        total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
        pad += [total // 2, total - total // 2]
    return pad


def _average_over_real_pixels(x, pool, kernel, stride, padding):
    sums = pool(F.pad(x, padding))
    mask = F.pad(torch.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype, device=x.device), padding)
    pools = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}
    return sums / pools[len(kernel)](mask, kernel, stride)


";
    }
}
