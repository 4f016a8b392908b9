using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Generator
{
    /// <summary>
    /// Translates a layer's plan (<see cref="LayerPlan"/>) into TorchSharp code: the field's type, the expression that
    /// builds the module (one table from PyTorch's module types to TorchSharp's constructors and argument names), and the
    /// steps forward takes. Numbers that depend on a block's parameters are written as C# expressions over the generated
    /// constructor's parameters.
    /// </summary>
    internal static class LayerEmitter
    {
        const string Nn = "global::TorchSharp.torch.nn.";
        const string Layers = "global::CnnDsl.Layers.";

        /// <summary>The fully qualified type of a layer's field (block uses are typed by their class elsewhere).</summary>
        public static string FieldType(LayerPlan plan)
        {
            if (plan.Module is not { } module)
                return Layers + StepModule(plan);
            if (IsSeparable(module))
                return Layers + "SeparableConv";
            if (module.Type.StartsWith("ConvTranspose", System.StringComparison.Ordinal) && !IsUniform(Values(module, "output_padding")))
                return Layers + "ConvTransposePerDimension";
            return "global::TorchSharp.Modules." + module.Type;
        }

        // The library's modules for the steps that are layers of their own.
        static string StepModule(LayerPlan plan) => plan.Steps.Count == 1 ? plan.Steps[0] switch
        {
            GlobalReduce global => (global.IsMax ? "GlobalMaxPool" : "GlobalAvgPool") + global.Rank + "d",
            Rescale => "Rescaling",
            DropPath => "StochasticDepth",
            var other => throw new System.NotSupportedException("No module for the plan step " + other.GetType().Name),
        } : throw new System.NotSupportedException("No module for a plan without one");

        /// <summary>The expression that creates the module.</summary>
        public static string Constructor(LayerPlan plan, CSharpExpressions w)
        {
            if (plan.Module is not { } module)
            {
                return plan.Steps[0] switch
                {
                    Rescale rescale => "new " + Layers + "Rescaling(scale: new double[] { " + string.Join(", ", rescale.Scale.Select(w.Write)) + " }, offset: new double[] { "
                        + string.Join(", ", rescale.Offset.Select(w.Write)) + " })",
                    DropPath drop => "new " + Layers + "StochasticDepth(p: " + w.Write(drop.Rate) + ", perRow: " + (drop.PerRow ? "true" : "false") + ")",
                    _ => "new " + Layers + StepModule(plan) + "()",
                };
            }
            return Construct(module, w);
        }

        static string Construct(PlanModule module, CSharpExpressions w)
        {
            if (IsSeparable(module))
                return "new " + Layers + "SeparableConv(depthwise: " + Construct(module.Children[0].Module, w) + ", pointwise: " + Construct(module.Children[1].Module, w) + ")";
            var a = new Arguments(module, w);
            string type = module.Type;
            int rank = Rank(type);
            switch (rank > 0 ? type.Substring(0, type.Length - 2) : type)
            {
                case "Conv":
                {
                    var padding = Values(module, "padding") ?? Zeros(rank);
                    bool asTuple = !(IsUniform(Values(module, "kernel_size")) && IsUniform(Values(module, "stride")) && IsUniform(Values(module, "dilation")) && IsUniform(padding));
                    var arguments = new List<string> { "in_channels: " + a.Positional(0), "out_channels: " + a.Positional(1), "kernel_size: " + a.Sizes("kernel_size", asTuple) };
                    a.AddSizes(arguments, "stride", asTuple);
                    if (a.Text("padding") == "same")
                        arguments.Add("padding: global::TorchSharp.Padding.Same");
                    else
                        a.AddSizes(arguments, "padding", asTuple);
                    a.AddSizes(arguments, "dilation", asTuple);
                    a.Add(arguments, "groups");
                    a.Add(arguments, "bias");
                    return Nn + type + "(" + string.Join(", ", arguments) + ")";
                }
                case "ConvTranspose":
                {
                    // TorchSharp's 1-D transposed convolution takes numbers only; 2-D and 3-D take numbers or tuples.
                    bool asTuple = rank > 1 && !new[] { "kernel_size", "stride", "padding", "output_padding", "dilation" }.All(n => IsUniform(Values(module, n)));
                    var arguments = new List<string> { "in_channels: " + a.Positional(0), "out_channels: " + a.Positional(1), "kernel_size: " + a.Sizes("kernel_size", asTuple) };
                    foreach (var name in new[] { "stride", "padding", "output_padding", "dilation" })
                        a.AddSizes(arguments, name, asTuple);
                    a.Add(arguments, "groups");
                    a.Add(arguments, "bias");
                    var built = Nn + type + "(" + string.Join(", ", arguments) + ")";
                    // TorchSharp 0.107's modules apply the first output_padding to every dimension: the module's weights, run with
                    // each dimension's own value, give PyTorch's sizes.
                    return IsUniform(Values(module, "output_padding")) ? built
                        : "new " + Layers + "ConvTransposePerDimension(" + built + ", stride: " + a.LongArray("stride") + ", padding: " + a.LongArray("padding")
                            + ", outputPadding: " + a.LongArray("output_padding") + ", dilation: " + a.LongArray("dilation") + ", groups: " + a.Value("groups") + ")";
                }
                case "MaxPool":
                case "AvgPool":
                {
                    var padding = Values(module, "padding") ?? Zeros(rank);
                    bool asTuple = rank > 1 && !(IsUniform(Values(module, "kernel_size")) && IsUniform(Values(module, "stride")) && IsUniform(padding));
                    var arguments = new List<string> { "kernel_size: " + a.Sizes("kernel_size", asTuple) };
                    a.AddSizes(arguments, "stride", asTuple);
                    a.AddSizes(arguments, "padding", asTuple);
                    a.Add(arguments, "ceil_mode");
                    a.Add(arguments, "count_include_pad");
                    return Nn + type + "(" + string.Join(", ", arguments) + ")";
                }
                case "Linear":
                {
                    var arguments = new List<string> { "inputSize: " + a.Positional(0), "outputSize: " + a.Positional(1) };
                    a.Add(arguments, "bias", "hasBias");
                    return Nn + "Linear(" + string.Join(", ", arguments) + ")";
                }
                case "BatchNorm":
                {
                    var arguments = new List<string> { "num_features: " + a.Positional(0) };
                    a.Add(arguments, "eps");
                    a.Add(arguments, "momentum");
                    return Nn + type + "(" + string.Join(", ", arguments) + ")";
                }
                case "InstanceNorm":
                {
                    var arguments = new List<string> { "num_features: " + a.Positional(0) };
                    a.Add(arguments, "eps");
                    a.Add(arguments, "affine");
                    return Nn + type + "(" + string.Join(", ", arguments) + ")";
                }
                case "GroupNorm":
                {
                    var arguments = new List<string> { "num_groups: " + a.Positional(0), "num_channels: " + a.Positional(1) };
                    a.Add(arguments, "eps");
                    a.Add(arguments, "affine");
                    // Started at ones and zeros, as PyTorch does (TorchSharp's own leaves them uninitialised).
                    return Layers + "Normalization.GroupNorm(" + string.Join(", ", arguments) + ")";
                }
                case "LayerNorm":
                {
                    var arguments = new List<string> { "normalized_shape: " + a.Positional(0) };
                    a.Add(arguments, "eps");
                    a.Add(arguments, "elementwise_affine");
                    return Nn + "LayerNorm(" + string.Join(", ", arguments) + ")";
                }
                case "Dropout":
                    return Nn + type + "(p: " + a.Positional(0) + ")";
                case "ZeroPad":
                case "ConstantPad":
                    // TorchSharp orders padding as functional.pad does: the last dimension first.
                    return Nn + type + "((" + string.Join(", ", PositionalValues(module, 0).Select(w.Write)) + ")" + (rank == 2 ? ")" : ", 0.0)");
                case "AdaptiveAvgPool":
                {
                    var size = PositionalValues(module, 0);
                    return Nn + type + "(" + (rank > 1 && !IsUniform(size) ? "(" + string.Join(", ", size.Select(w.Write)) + ")" : w.Write(size[0])) + ")";
                }
                case "Flatten":
                    return Nn + "Flatten()";
                case "Upsample":
                {
                    string mode = a.Text("mode")!;
                    return Nn + "Upsample(" + (a.Has("size") ? "size: " + a.LongArray("size") : "scale_factor: new double[] { " + string.Join(", ", Values(module, "scale_factor")!.Select(w.Write)) + " }")
                        + ", mode: global::TorchSharp.torch.UpsampleMode." + char.ToUpperInvariant(mode[0]) + mode.Substring(1)
                        + (a.Has("align_corners") ? ", align_corners: " + a.Value("align_corners") : "") + ")";
                }
                case "PReLU":
                    return Nn + "PReLU(num_parameters: " + a.Value("num_parameters") + ", init: " + a.Value("init") + ")";
                default:
                {
                    // An activation as a module of its own: its catalogue entry names the PyTorch type.
                    var activation = Activation.All.FirstOrDefault(act => act.ModuleType == type)
                        ?? throw new System.NotSupportedException("No TorchSharp module for the plan's module type " + type);
                    var parameter = module.Arguments.FirstOrDefault(arg => arg.Positional)?.Value is RealValue r ? r.Value : new RealExpr(activation.ParameterDefault);
                    return ActivationEmitter.Constructor(activation, parameter, w);
                }
            }
        }

        /// <summary>
        /// Expressions computing the layer's output in order; <c>$in</c> stands for the value so far (the first input,
        /// then the previous step). An activation applies to the step before it.
        /// </summary>
        public static IReadOnlyList<string> Forward(LayerPlan plan, string field, IReadOnlyList<string> inputs, CSharpExpressions w, ISet<string> sizeVariables)
        {
            var steps = new List<string>();
            foreach (var step in plan.Steps)
            {
                switch (step)
                {
                    case Merge merge:
                        steps.Add(merge.Kind switch
                        {
                            MergeKind.Concat => "global::TorchSharp.torch.cat(new[] { " + string.Join(", ", inputs) + " }, dim: 1)",
                            MergeKind.Multiply => string.Join(" * ", inputs),
                            _ => string.Join(" + ", inputs),
                        });
                        break;
                    case Pad pad:
                        // TorchSharp's Padding.Same refuses strides above 1, and its padding argument is symmetric: pad here instead.
                        steps.Add("global::TorchSharp.torch.nn.functional.pad($in, " + PadArray(pad, w, sizeVariables) + (pad.Fill == PadFill.NegativeInfinity ? ", value: double.NegativeInfinity" : "") + ")");
                        break;
                    case AverageOverRealPixels average:
                        steps.Add("global::CnnDsl.Layers.SamePooling.AverageOverRealPixels($in, " + field + ", kernel: " + LongArray(average.Padding.Kernel, w) + ", stride: "
                            + LongArray(average.Padding.Stride, w) + ", padding: " + PadArray(average.Padding, w, sizeVariables) + ")");
                        break;
                    case ApplyActivation activation:
                        steps[steps.Count - 1] = ActivationEmitter.Apply(activation.Activation, steps[steps.Count - 1]);
                        break;
                    case CallModule or GlobalReduce or Rescale or DropPath:
                        steps.Add(field + ".call($in)");
                        break;
                    case MoveChannels move:
                        steps.Add("$in.permute(" + string.Join(", ", move.Permutation) + ")");
                        break;
                    default:
                        throw new System.NotSupportedException("No TorchSharp code for the plan step " + step.GetType().Name);
                }
            }
            return steps;
        }

        /// <summary>
        /// Statements that start the module's tensors as the layer asks (<c>kernel_init=</c>, <c>bias_init=</c>), after it is
        /// built; none when the module's own initialisation stands.
        /// </summary>
        public static IEnumerable<string> Initialization(LayerPlan plan, string field, CSharpExpressions w)
        {
            if (plan.Module is not { } module)
                yield break;
            const string Init = "global::TorchSharp.torch.nn.init.";
            foreach (var (path, tensor) in module.ExplicitInits())
            {
                // Kernels and biases of TorchSharp's modules are properties; a child's (a separable convolution's) is found by its key.
                var target = path.Contains(".") ? Layers + "Initialization.Parameter(" + field + ", \"" + path + "\")" : field + "." + path + "!";
                var init = tensor.Init;
                var mode = Init + "FanInOut." + (init.FanOut ? "FanOut" : "FanIn");
                // TorchSharp 0.107's trunc_normal_ fills the tensor with the deviation and its xavier_normal_ draws a uniform: the
                // library's have PyTorch's distributions.
                yield return (init.Kind is PlanInitKind.TruncatedNormal or PlanInitKind.XavierNormal ? "" : Init) + init.Kind switch
                {
                    PlanInitKind.KaimingNormal => "kaiming_normal_(" + target + ", mode: " + mode + ", nonlinearity: " + Init + "NonlinearityType.ReLU)",
                    PlanInitKind.KaimingUniform => "kaiming_uniform_(" + target + ", mode: " + mode + ", nonlinearity: " + Init + "NonlinearityType.ReLU)",
                    PlanInitKind.XavierNormal => Layers + "Initialization.XavierNormal(" + target + ")",
                    PlanInitKind.XavierUniform => "xavier_uniform_(" + target + ")",
                    PlanInitKind.Normal => "normal_(" + target + ", std: " + w.Write(init.Std!) + ")",
                    PlanInitKind.TruncatedNormal => Layers + "Initialization.TruncatedNormal(" + target + ", std: " + w.Write(init.Std!) + ")",
                    PlanInitKind.Uniform => UniformByFan(target, tensor, w),
                    PlanInitKind.Zeros => "zeros_(" + target + ")",
                    PlanInitKind.Ones => "ones_(" + target + ")",
                    var other => throw new System.NotSupportedException("No TorchSharp initialisation for " + other),
                } + ";";
            }
        }

        // nn.init.uniform_ in +-1/sqrt(fan), the fan read from the tensor's shape as PyTorch reads it.
        static string UniformByFan(string target, PlanTensor tensor, CSharpExpressions w)
        {
            var fans = tensor.Fans();
            var bound = "1 / global::System.Math.Sqrt(" + w.Write(tensor.Init.FanOut ? fans.FanOut : fans.FanIn) + ")";
            return "uniform_(" + target + ", -" + bound + ", " + bound + ")";
        }

        static bool IsSeparable(PlanModule module) =>
            module.Type == "Sequential" && module.Children.Count == 2 && module.Children[0].Name == "depthwise" && module.Children[1].Name == "pointwise";

        static int Rank(string type) =>
            type.Length > 2 && type.EndsWith("d", System.StringComparison.Ordinal) && char.IsDigit(type[type.Length - 2]) ? type[type.Length - 2] - '0' : 0;

        static IReadOnlyList<Expr>? Values(PlanModule module, string name) =>
            module.Arguments.FirstOrDefault(a => a.Name == name)?.Value switch
            {
                SizesValue sizes => sizes.Values,
                RealsValue reals => reals.Values,
                _ => null,
            };

        static IReadOnlyList<Expr> PositionalValues(PlanModule module, int index) =>
            module.Arguments.Where(a => a.Positional).ElementAt(index).Value is SizesValue sizes ? sizes.Values
                : throw new System.NotSupportedException("Argument " + index + " of " + module.Type + " is not sizes");

        static IReadOnlyList<Expr> Zeros(int rank) => Enumerable.Repeat((Expr)Exprs.Zero, rank).ToArray();

        static bool IsUniform(IReadOnlyList<Expr>? values) => values == null || values.All(v => v.Equals(values[0]));

        // Padding that depends on the input's size (same with a stride above 1 on a variable size) is computed from the
        // tensor itself when forward runs; anything else is written out.
        static string PadArray(Pad pad, CSharpExpressions w, ISet<string> sizeVariables)
        {
            if (pad.PerSide.Any(p => p.Variables().Any(sizeVariables.Contains)))
                return "global::CnnDsl.Layers.Sizes.SamePadding($in, kernel: " + LongArray(pad.Kernel, w) + ", stride: " + LongArray(pad.Stride, w) + ", dilation: " + LongArray(pad.Dilation, w) + ")";
            return "new long[] { " + string.Join(", ", SpatialWindow.PadOrder(pad.PerSide).Select(w.Write)) + " }";
        }

        static string LongArray(IReadOnlyList<Expr> values, CSharpExpressions w) => "new long[] { " + string.Join(", ", values.Select(w.Write)) + " }";

        // A module's arguments by name, written as C#: the ones left at PyTorch's defaults are left out.
        sealed class Arguments
        {
            readonly PlanModule module;
            readonly CSharpExpressions w;

            public Arguments(PlanModule module, CSharpExpressions w)
            {
                this.module = module;
                this.w = w;
            }

            PlanArgument? Find(string name) => module.Arguments.FirstOrDefault(a => a.Name == name);

            public bool Has(string name) => Find(name) != null;

            public string Positional(int index) => Write(module.Arguments.Where(a => a.Positional).ElementAt(index).Value);

            public string? Text(string name) => Find(name)?.Value is TextValue t ? t.Value : null;

            public string Value(string name) => Write(Find(name)!.Value);

            public string LongArray(string name) => LayerEmitter.LongArray(Values(module, name)!, w);

            /// <summary>A size as TorchSharp takes it: <c>5</c> when all dimensions agree, else a tuple <c>(3, 5)</c>.</summary>
            public string Sizes(string name, bool asTuple)
            {
                var values = Values(module, name)!;
                return asTuple ? "(" + string.Join(", ", values.Select(w.Write)) + ")" : w.Write(values[0]);
            }

            public void AddSizes(List<string> arguments, string name, bool asTuple)
            {
                if (Find(name) is { IsDefault: false })
                    arguments.Add(name + ": " + Sizes(name, asTuple));
            }

            /// <summary>Adds <c>name: value</c> unless the plan marks it PyTorch's default (TorchSharp's is the same).</summary>
            public void Add(List<string> arguments, string name, string? csharpName = null)
            {
                if (Find(name) is { IsDefault: false } argument)
                    arguments.Add((csharpName ?? name) + ": " + Write(argument.Value));
            }

            string Write(PlanValue value) => value switch
            {
                IntValue i => w.Write(i.Value),
                RealValue r => w.Write(r.Value),
                BoolValue b => w.Write(b.Value),
                TextValue t => "\"" + t.Value + "\"",
                _ => throw new System.NotSupportedException("No C# for the plan value " + value.GetType().Name),
            };
        }
    }
}
