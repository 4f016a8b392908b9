using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Plan;
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
                    // Lowered once: the plan gives both the module and the forward steps.
                    var plan = layer.Config.Lower();
                    var module = layer.Config.HasModule ? Module(name, plan) : null;
                    forward.Append("        ").Append(variable).Append(" = ").Append(Forward(name, plan, module, inputs)).Append('\n');
                    tensors[layer.Name] = variable;
                }
            }

            // Registers the module under its dotted name, creating plain containers for the parts before the last, in
            // order, so the state_dict keys and their order are the generated module's.
            string? Module(string name, LayerPlan plan)
            {
                var constructor = plan.Module is { } planned ? Python(planned, name) : null;
                if (constructor == null)
                    return null;
                if (IsPlainAttribute(name))
                {
                    init.Append("        self.").Append(name).Append(" = ").Append(constructor).Append('\n');
                    Initialize("self." + name, plan.Module!, name);
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
                Initialize("self.get_submodule(" + Literal(name) + ")", plan.Module!, name);
                return "self.get_submodule(" + Literal(name) + ")";
            }

            // The tensors the layer starts other than its module does (kernel_init=, bias_init=), as torch.nn.init calls.
            void Initialize(string module, PlanModule planned, string name)
            {
                foreach (var (path, tensor) in planned.ExplicitInits())
                {
                    var target = path.Contains('.') ? module + ".get_parameter(" + Literal(path) + ")" : module + "." + path;
                    var start = tensor.Init;
                    var mode = start.FanOut ? "\"fan_out\"" : "\"fan_in\"";
                    var (fanIn, fanOut) = tensor.Fans();
                    var call = start.Kind switch
                    {
                        PlanInitKind.KaimingNormal => "nn.init.kaiming_normal_(" + target + ", mode=" + mode + ", nonlinearity=\"relu\")",
                        PlanInitKind.KaimingUniform => "nn.init.kaiming_uniform_(" + target + ", mode=" + mode + ", nonlinearity=\"relu\")",
                        PlanInitKind.XavierNormal => "nn.init.xavier_normal_(" + target + ")",
                        PlanInitKind.XavierUniform => "nn.init.xavier_uniform_(" + target + ")",
                        PlanInitKind.Normal => "nn.init.normal_(" + target + ", std=" + Real(start.Std!, name) + ")",
                        PlanInitKind.TruncatedNormal => "nn.init.trunc_normal_(" + target + ", std=" + Real(start.Std!, name) + ")",
                        PlanInitKind.Uniform => "nn.init.uniform_(" + target + ", -1 / math.sqrt(" + Int(start.FanOut ? fanOut : fanIn, name) + "), 1 / math.sqrt("
                            + Int(start.FanOut ? fanOut : fanIn, name) + "))",
                        PlanInitKind.Zeros => "nn.init.zeros_(" + target + ")",
                        PlanInitKind.Ones => "nn.init.ones_(" + target + ")",
                        var other => throw new PyTorchExportException($"layer '{name}': the initialisation {other} has no PyTorch export yet"),
                    };
                    init.Append("        ").Append(call).Append('\n');
                }
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

            // The layer's module as the plan describes it: nn.Type(arguments left at their defaults omitted), or a
            // Sequential of named children.
            static string Python(PlanModule module, string name)
            {
                if (module.Children.Count > 0)
                    return "nn.Sequential(collections.OrderedDict([" + string.Join(", ", module.Children.Select(c => "(" + Literal(c.Name) + ", " + Python(c.Module, name) + ")")) + "]))";
                var arguments = module.Arguments.Where(a => !a.IsDefault).Select(a => (a.Positional ? "" : a.Name + "=") + Value(a.Value, name));
                return "nn." + module.Type + "(" + string.Join(", ", arguments) + ")";
            }

            static string Value(PlanValue value, string name) => value switch
            {
                IntValue i => Int(i.Value, name),
                RealValue r => Real(r.Value, name),
                BoolValue b => Bool(b.Value, name),
                SizesValue sizes => Sizes(sizes.Values, name, sizes.AlwaysTuple),
                RealsValue reals => "(" + string.Join(", ", reals.Values.Select(v => Real(v, name))) + (reals.Values.Count == 1 ? ",)" : ")"),
                TextValue text => Literal(text.Value),
                _ => throw new PyTorchExportException($"layer '{name}': a plan value {value.GetType().Name} has no PyTorch form"),
            };

            // The plan's forward steps, each applied to the expression so far (the layer's first input at the start).
            string Forward(string name, LayerPlan plan, string? module, IReadOnlyList<string> inputs)
            {
                string x = inputs.Count > 0 ? inputs[0] : "input";
                foreach (var step in plan.Steps)
                {
                    switch (step)
                    {
                        case CallModule:
                            x = module + "(" + x + ")";
                            break;
                        case Pad pad:
                            x = "F.pad(" + x + ", " + PadArgument(name, pad, x) + (pad.Fill == PadFill.NegativeInfinity ? ", value=-math.inf" : "") + ")";
                            break;
                        case AverageOverRealPixels average:
                            needsSameAverage = true;
                            x = "_average_over_real_pixels(" + x + ", " + module + ", " + Sizes(average.Padding.Kernel, name, forceTuple: true) + ", "
                                + Sizes(average.Padding.Stride, name, forceTuple: true) + ", " + PadArgument(name, average.Padding, x) + ")";
                            break;
                        case ApplyActivation activation:
                            x = ActivationFunction(activation, x, name);
                            break;
                        case MoveChannels move:
                            x = x + ".permute(" + string.Join(", ", move.Permutation) + ")";
                            break;
                        case Merge merge:
                            x = merge.Kind switch
                            {
                                MergeKind.Concat => "torch.cat([" + string.Join(", ", inputs) + "], dim=1)",
                                MergeKind.Multiply => string.Join(" * ", inputs),
                                MergeKind.Add => string.Join(" + ", inputs),
                                _ => throw new PyTorchExportException($"layer '{name}': the merge '{merge.Kind}' has no PyTorch export yet"),
                            };
                            break;
                        case GlobalReduce global:
                        {
                            var dims = "(" + string.Join(", ", Enumerable.Range(2, global.Rank).Select(d => d.ToString(CultureInfo.InvariantCulture))) + (global.Rank == 1 ? ",)" : ")");
                            x = global.IsMax ? "torch.amax(" + x + ", dim=" + dims + ")" : "torch.mean(" + x + ", dim=" + dims + ")";
                            break;
                        }
                        case Rescale rescale:
                            needsRescaling = true;
                            x = "_rescale(" + x + ", [" + string.Join(", ", rescale.Scale.Select(v => Real(v, name))) + "], [" + string.Join(", ", rescale.Offset.Select(v => Real(v, name))) + "])";
                            break;
                        case DropPath drop:
                            needsStochasticDepth = true;
                            x = "_stochastic_depth(" + x + ", " + Real(drop.Rate, name) + ", " + (drop.PerRow ? "True" : "False") + ", self.training)";
                            break;
                        default:
                            throw new PyTorchExportException($"layer '{name}': the plan step {step.GetType().Name} has no PyTorch export yet");
                    }
                }
                return x;
            }

            // Padding in F.pad's order; Keras' same padding on a size the input decides is computed from the tensor.
            string PadArgument(string name, Pad pad, string x)
            {
                if (pad.IsFixed)
                    return "[" + string.Join(", ", SpatialWindow.PadOrder(pad.PerSide).Select(p => Int(p, name))) + "]";
                needsSamePadding = true;
                return "_same_padding(" + x + ", " + Sizes(pad.Kernel, name, forceTuple: true) + ", " + Sizes(pad.Stride, name, forceTuple: true) + ", " + Sizes(pad.Dilation, name, forceTuple: true) + ")";
            }

            // The one table from the plan's activations to PyTorch's functions.
            static string ActivationFunction(ApplyActivation step, string x, string name) => step.Activation.Name switch
            {
                "leaky_relu" => "F.leaky_relu(" + x + ", " + Real(step.Parameter!, name) + ")",
                "elu" => "F.elu(" + x + ", " + Real(step.Parameter!, name) + ")",
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
                _ => throw new PyTorchExportException($"layer '{name}': the activation '{step.Activation.Name}' has no PyTorch export yet"),
            };

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
