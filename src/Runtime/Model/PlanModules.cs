using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;
using CnnDsl.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl
{
    /// <summary>
    /// The run time's translation of a layer's plan (<see cref="LayerPlan"/>) into TorchSharp: one table from PyTorch's
    /// module types to TorchSharp's constructors, one for the steps that are modules of this library (global pooling,
    /// rescaling, stochastic depth), and the forward steps. It decides nothing about a layer kind.
    /// </summary>
    internal static class PlanModules
    {
        /// <summary>The module of a layer: the plan's module, or the library module that performs its one step; null for none.</summary>
        public static nn.Module<Tensor, Tensor>? Create(LayerPlan plan, string layer)
        {
            if (plan.Module is { } module)
                return Create(module, layer);
            return plan.Steps.Count == 1 ? plan.Steps[0] switch
            {
                GlobalReduce { IsMax: false, Rank: 1 } => new GlobalAvgPool1d(),
                GlobalReduce { IsMax: false, Rank: 2 } => new GlobalAvgPool2d(),
                GlobalReduce { IsMax: false } => new GlobalAvgPool3d(),
                GlobalReduce { Rank: 1 } => new GlobalMaxPool1d(),
                GlobalReduce { Rank: 2 } => new GlobalMaxPool2d(),
                GlobalReduce => new GlobalMaxPool3d(),
                Rescale rescale => new Rescaling(rescale.Scale.Select(v => Real(v, layer)).ToArray(), rescale.Offset.Select(v => Real(v, layer)).ToArray()),
                DropPath drop => new StochasticDepth(Real(drop.Rate, layer), drop.PerRow),
                _ => null,
            } : null;
        }

        /// <summary>Starts the module's tensors as the layer asks (<c>kernel_init=</c>, <c>bias_init=</c>), where it differs from the module's own start.</summary>
        public static void Initialize(LayerPlan plan, nn.Module<Tensor, Tensor> module, string layer)
        {
            if (plan.Module is not { } planned)
                return;
            foreach (var (path, tensor) in planned.ExplicitInits())
            {
                var target = Initialization.Parameter(module, path);
                var init = tensor.Init;
                var mode = init.FanOut ? nn.init.FanInOut.FanOut : nn.init.FanInOut.FanIn;
                var (fanIn, fanOut) = tensor.Fans();
                switch (init.Kind)
                {
                    case PlanInitKind.KaimingNormal: nn.init.kaiming_normal_(target, mode: mode, nonlinearity: nn.init.NonlinearityType.ReLU); break;
                    case PlanInitKind.KaimingUniform: nn.init.kaiming_uniform_(target, mode: mode, nonlinearity: nn.init.NonlinearityType.ReLU); break;
                    case PlanInitKind.XavierNormal: Initialization.XavierNormal(target); break;
                    case PlanInitKind.XavierUniform: nn.init.xavier_uniform_(target); break;
                    case PlanInitKind.Normal: nn.init.normal_(target, std: Real(init.Std!, layer)); break;
                    case PlanInitKind.TruncatedNormal: Initialization.TruncatedNormal(target, std: Real(init.Std!, layer)); break;
                    case PlanInitKind.Uniform:
                    {
                        var (_, bound) = init.Sampling(Long(fanIn, layer), Long(fanOut, layer));
                        nn.init.uniform_(target, -bound, bound);
                        break;
                    }
                    case PlanInitKind.Zeros: nn.init.zeros_(target); break;
                    case PlanInitKind.Ones: nn.init.ones_(target); break;
                    default: throw new NotSupportedException($"Layer '{layer}': no run-time initialisation {init.Kind}");
                }
            }
        }

        /// <summary>Runs the plan's steps on the layer's inputs.</summary>
        public static Tensor Apply(LayerPlan plan, nn.Module<Tensor, Tensor>? module, IReadOnlyList<Tensor> inputs, string layer)
        {
            var x = inputs[0];
            foreach (var step in plan.Steps)
            {
                x = step switch
                {
                    CallModule or GlobalReduce or Rescale or DropPath => (module ?? throw new InvalidOperationException($"Layer '{layer}' has no module to call")).call(x),
                    Pad pad => nn.functional.pad(x, PadArray(x, pad, layer), value: pad.Fill == PadFill.NegativeInfinity ? double.NegativeInfinity : 0),
                    AverageOverRealPixels average => SamePooling.AverageOverRealPixels(x, module!, Longs(average.Padding.Kernel, layer), Longs(average.Padding.Stride, layer), PadArray(x, average.Padding, layer)),
                    ApplyActivation activation => ActivationFunctions.Apply(activation.Activation, x),
                    MoveChannels move => x.permute(move.Permutation.Select(d => (long)d).ToArray()),
                    Merge { Kind: MergeKind.Concat } => cat(inputs.ToArray(), 1),
                    Merge { Kind: MergeKind.Multiply } => inputs.Skip(1).Aggregate(x, (product, next) => product * next),
                    Merge => inputs.Skip(1).Aggregate(x, (sum, next) => sum + next),
                    _ => throw new NotSupportedException($"Layer '{layer}': the plan step {step.GetType().Name} has no run-time form"),
                };
            }
            return x;
        }

        // F.pad's order (last dimension first); Keras' same padding on a size the input decides is computed from the tensor.
        static long[] PadArray(Tensor x, Pad pad, string layer)
        {
            if (!pad.IsFixed)
                return Sizes.SamePadding(x, Longs(pad.Kernel, layer), Longs(pad.Stride, layer), Longs(pad.Dilation, layer));
            return SpatialWindow.PadOrder(pad.PerSide).Select(p => Long(p, layer)).ToArray();
        }

        static nn.Module<Tensor, Tensor> Create(PlanModule module, string layer)
        {
            var a = new PlanNumbers(module, Error(layer));
            var type = module.Type;
            int rank = type.Length > 2 && type.EndsWith("d", StringComparison.Ordinal) && char.IsDigit(type[type.Length - 2]) ? type[type.Length - 2] - '0' : 0;
            // Conv2d's family is Conv; a type without a rank suffix is its own family.
            switch (rank > 0 ? type.Substring(0, type.Length - 2) : type)
            {
                case "Sequential" when module.Children.Count == 2 && module.Children[0].Name == "depthwise" && module.Children[1].Name == "pointwise":
                    return new SeparableConv(Create(module.Children[0].Module, layer), Create(module.Children[1].Module, layer));
                case "Conv":
                {
                    long input = a.Positional(0), output = a.Positional(1), groups = a.Long("groups", 1);
                    var k = a.RequiredSizes("kernel_size", rank);
                    var s = a.Sizes("stride", rank, 1);
                    var d = a.Sizes("dilation", rank, 1);
                    bool bias = a.Bool("bias", true);
                    if (a.Text("padding") == "same")
                    {
                        return rank switch
                        {
                            1 => nn.Conv1d(input, output, k[0], padding: TorchSharp.Padding.Same, dilation: d[0], groups: groups, bias: bias),
                            2 => nn.Conv2d(input, output, (k[0], k[1]), padding: TorchSharp.Padding.Same, dilation: (d[0], d[1]), groups: groups, bias: bias),
                            _ => nn.Conv3d(input, output, (k[0], k[1], k[2]), padding: TorchSharp.Padding.Same, dilation: (d[0], d[1], d[2]), groups: groups, bias: bias),
                        };
                    }
                    var p = a.Sizes("padding", rank, 0);
                    return rank switch
                    {
                        1 => nn.Conv1d(input, output, k[0], stride: s[0], padding: p[0], dilation: d[0], groups: groups, bias: bias),
                        2 => nn.Conv2d(input, output, (k[0], k[1]), stride: (s[0], s[1]), padding: (p[0], p[1]), dilation: (d[0], d[1]), groups: groups, bias: bias),
                        _ => nn.Conv3d(input, output, (k[0], k[1], k[2]), stride: (s[0], s[1], s[2]), padding: (p[0], p[1], p[2]), dilation: (d[0], d[1], d[2]), groups: groups, bias: bias),
                    };
                }
                case "ConvTranspose":
                {
                    long input = a.Positional(0), output = a.Positional(1), groups = a.Long("groups", 1);
                    var k = a.RequiredSizes("kernel_size", rank);
                    var s = a.Sizes("stride", rank, 1);
                    var p = a.Sizes("padding", rank, 0);
                    var o = a.Sizes("output_padding", rank, 0);
                    var d = a.Sizes("dilation", rank, 1);
                    bool bias = a.Bool("bias", true);
                    var transpose = rank switch
                    {
                        1 => (TorchSharp.Modules.ConvolutionTranspose)nn.ConvTranspose1d(input, output, k[0], stride: s[0], padding: p[0], output_padding: o[0], dilation: d[0], groups: groups, bias: bias),
                        2 => nn.ConvTranspose2d(input, output, (k[0], k[1]), stride: (s[0], s[1]), padding: (p[0], p[1]), output_padding: (o[0], o[1]), dilation: (d[0], d[1]), groups: groups, bias: bias),
                        _ => (TorchSharp.Modules.ConvolutionTranspose)nn.ConvTranspose3d(input, output, (k[0], k[1], k[2]), stride: (s[0], s[1], s[2]), padding: (p[0], p[1], p[2]), output_padding: (o[0], o[1], o[2]), dilation: (d[0], d[1], d[2]), groups: groups, bias: bias),
                    };
                    // TorchSharp 0.107's modules apply the first output_padding to every dimension: PyTorch's sizes need the functional form.
                    return o.Any(v => v != o[0]) ? new ConvTransposePerDimension(transpose, s, p, o, d, groups) : transpose;
                }
                case "MaxPool":
                case "AvgPool":
                {
                    var k = a.RequiredSizes("kernel_size", rank);
                    var s = a.Sizes("stride", rank) ?? k;
                    var p = a.Sizes("padding", rank, 0);
                    bool ceil = a.Bool("ceil_mode", false);
                    if (type.StartsWith("Max", StringComparison.Ordinal))
                    {
                        return rank switch
                        {
                            1 => nn.MaxPool1d(k[0], s[0], p[0], ceil_mode: ceil),
                            2 => nn.MaxPool2d((k[0], k[1]), (s[0], s[1]), (p[0], p[1]), ceil_mode: ceil),
                            _ => nn.MaxPool3d((k[0], k[1], k[2]), (s[0], s[1], s[2]), (p[0], p[1], p[2]), ceil_mode: ceil),
                        };
                    }
                    bool countPadding = a.Bool("count_include_pad", true);
                    return rank switch
                    {
                        1 => nn.AvgPool1d(k[0], s[0], p[0], ceil_mode: ceil, count_include_pad: countPadding),
                        2 => nn.AvgPool2d((k[0], k[1]), (s[0], s[1]), (p[0], p[1]), ceil_mode: ceil, count_include_pad: countPadding),
                        _ => nn.AvgPool3d((k[0], k[1], k[2]), (s[0], s[1], s[2]), (p[0], p[1], p[2]), ceil_mode: ceil, count_include_pad: countPadding),
                    };
                }
                case "Linear":
                    return nn.Linear(a.Positional(0), a.Positional(1), hasBias: a.Bool("bias", true));
                case "BatchNorm":
                {
                    long features = a.Positional(0);
                    double eps = a.Double("eps", 1e-5), momentum = a.Double("momentum", 0.1);
                    return rank switch
                    {
                        1 => nn.BatchNorm1d(features, eps: eps, momentum: momentum),
                        2 => nn.BatchNorm2d(features, eps: eps, momentum: momentum),
                        _ => nn.BatchNorm3d(features, eps: eps, momentum: momentum),
                    };
                }
                case "InstanceNorm":
                {
                    long features = a.Positional(0);
                    double eps = a.Double("eps", 1e-5);
                    bool affine = a.Bool("affine", false);
                    return rank switch
                    {
                        1 => nn.InstanceNorm1d(features, eps, affine: affine),
                        2 => nn.InstanceNorm2d(features, eps, affine: affine),
                        _ => nn.InstanceNorm3d(features, eps, affine: affine),
                    };
                }
                case "GroupNorm":
                    return Normalization.GroupNorm(a.Positional(0), a.Positional(1), eps: a.Double("eps", 1e-5), affine: a.Bool("affine", true));
                case "LayerNorm":
                    return nn.LayerNorm(a.Positional(0), eps: a.Double("eps", 1e-5), elementwise_affine: a.Bool("elementwise_affine", true));
                case "Dropout":
                    return rank == 2 ? nn.Dropout2d(a.PositionalDouble(0)) : rank == 3 ? nn.Dropout3d(a.PositionalDouble(0)) : nn.Dropout(a.PositionalDouble(0));
                case "ZeroPad":
                case "ConstantPad":
                {
                    var p = a.PositionalSizes(0);
                    return p.Length switch
                    {
                        2 => nn.ConstantPad1d((p[0], p[1]), 0.0),
                        4 => nn.ZeroPad2d((p[0], p[1], p[2], p[3])),
                        _ => nn.ConstantPad3d((p[0], p[1], p[2], p[3], p[4], p[5]), 0.0),
                    };
                }
                case "AdaptiveAvgPool":
                {
                    var s = a.PositionalSizes(0, rank);
                    return rank switch
                    {
                        1 => nn.AdaptiveAvgPool1d(s[0]),
                        2 => nn.AdaptiveAvgPool2d((s[0], s[1])),
                        _ => nn.AdaptiveAvgPool3d((s[0], s[1], s[2])),
                    };
                }
                case "Flatten":
                    return nn.Flatten();
                case "Upsample":
                {
                    var mode = a.Text("mode") switch
                    {
                        "nearest" => UpsampleMode.Nearest,
                        "linear" => UpsampleMode.Linear,
                        "bilinear" => UpsampleMode.Bilinear,
                        "trilinear" => UpsampleMode.Trilinear,
                        var other => throw new NotSupportedException($"Layer '{layer}': the upsampling mode '{other}' has no run-time form"),
                    };
                    bool? alignCorners = a.Has("align_corners") ? a.Bool("align_corners", false) : null;
                    return a.Has("size")
                        ? nn.Upsample(size: a.Sizes("size", 0), mode: mode, align_corners: alignCorners)
                        : nn.Upsample(scale_factor: a.Reals("scale_factor"), mode: mode, align_corners: alignCorners);
                }
                case "PReLU":
                    return nn.PReLU(a.Long("num_parameters", 1), a.Double("init", 0.25));
                case "ReLU":
                    return nn.ReLU();
                case "ReLU6":
                    return nn.ReLU6();
                case "LeakyReLU":
                    return nn.LeakyReLU(negative_slope: a.PositionalDouble(0));
                case "ELU":
                    return nn.ELU(alpha: a.PositionalDouble(0));
                case "GELU":
                    return nn.GELU();
                case "SiLU":
                    return nn.SiLU();
                case "Sigmoid":
                    return nn.Sigmoid();
                case "Tanh":
                    return nn.Tanh();
                case "Softmax":
                    return nn.Softmax(dim: a.Long("dim", 1));
                case "LogSoftmax":
                    return nn.LogSoftmax(dim: a.Long("dim", 1));
                case "Hardswish":
                    return nn.Hardswish();
                case "Hardsigmoid":
                    return nn.Hardsigmoid();
                case "Mish":
                    return nn.Mish();
                default:
                    throw new NotSupportedException($"Layer '{layer}': the module type {type} has no run-time form; add it to {nameof(PlanModules)}.");
            }
        }

        static Func<string, Exception> Error(string layer) => problem => new NotSupportedException($"Layer '{layer}': {problem} when the module is built");

        static long Long(Expr value, string layer) => PlanNumbers.Long(value, Error(layer));

        static long[] Longs(IEnumerable<Expr> values, string layer) => values.Select(v => Long(v, layer)).ToArray();

        static double Real(Expr value, string layer) => PlanNumbers.Real(value, Error(layer));

    }
}
