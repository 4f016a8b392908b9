using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Symbolic;
using CnnDsl.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl
{
    /// <summary>
    /// A module built at run time from a checked model, with no generated code: the same TorchSharp modules under the same
    /// state_dict keys as the generated class, and a forward that walks the model's graph as the generated one does.
    /// For tools that train a .cnn file without a C# project.
    /// </summary>
    public sealed class RuntimeModule : nn.Module<Tensor, Tensor>, IHasFacts
    {
        readonly IReadOnlyList<BoundLayer> layers;
        // By the layer's position: uses of a block with the same arguments may share their bound layers.
        readonly nn.Module<Tensor, Tensor>?[] layerModules;
        readonly Dictionary<string, Container> groups = new Dictionary<string, Container>();

        /// <summary>Builds the module of a checked model; seed the construction with <c>torch.manual_seed</c> for repeatable weights.</summary>
        public RuntimeModule(BoundModel model)
            : this(model.Name, model.Layers)
        {
            Model = model;
            Facts = new ModelFacts
            {
                Model = model.Name,
                DefinitionHash = model.DefinitionHash,
                InputShape = model.InputShape.Dimensions.Select(d => d.Constant ?? -1).ToArray(),
                OutputActivation = Enum.Parse<OutputActivation>(model.OutputActivation),
            };
        }

        /// <summary>What the model knows beyond its weights (for a block's module: its name only).</summary>
        public ModelFacts Facts { get; set; } = new();

        RuntimeModule(string name, IReadOnlyList<BoundStatement> statements)
            : base(TorchRuntime.Loaded(name))
        {
            layers = statements.Select(s => s as BoundLayer
                ?? throw new NotSupportedException($"A condition in block '{name}' is decided only when its module is built; the run-time builder needs it decided")).ToList();
            layerModules = new nn.Module<Tensor, Tensor>?[layers.Count];
            for (int i = 0; i < layers.Count; i++)
            {
                if (!layers[i].Config.HasModule)
                    continue;
                layerModules[i] = Create(layers[i]);
                Register(layers[i].Name, layerModules[i]!);
            }
        }

        /// <summary>The checked model this module was built from (null for a block's module).</summary>
        public BoundModel? Model { get; }

        // Dotted names (features.0) become nested containers, so the state_dict keys are those of the generated class.
        void Register(string dotted, nn.Module module)
        {
            var parts = dotted.Split('.');
            if (parts.Length == 1)
            {
                register_module(dotted, module);
                return;
            }
            Container? parent = null;
            for (int i = 0; i < parts.Length - 1; i++)
            {
                var path = string.Join(".", parts.Take(i + 1));
                if (!groups.TryGetValue(path, out var group))
                {
                    group = new Container(parts[i]);
                    groups[path] = group;
                    if (parent == null)
                        register_module(parts[i], group);
                    else
                        parent.Add(parts[i], group);
                }
                parent = group;
            }
            parent!.Add(parts[parts.Length - 1], module);
        }

        sealed class Container : nn.Module<Tensor, Tensor>
        {
            public Container(string name)
                : base(name)
            {
            }

            public void Add(string name, nn.Module module) => register_module(name, module);

            public override Tensor forward(Tensor input) => throw new InvalidOperationException("A group of layers is not called on its own");
        }

        public override Tensor forward(Tensor input)
        {
            if (layers.Count == 0)
                return input.alias();
            using var scope = NewDisposeScope();
            var tensors = new Dictionary<string, Tensor> { [BoundModel.InputTensorName] = input };
            Tensor x = input;
            for (int i = 0; i < layers.Count; i++)
            {
                var inputs = layers[i].Inputs.Select(n => tensors[n]).ToList();
                x = Apply(layers[i], layerModules[i], inputs);
                tensors[layers[i].Name] = x;
            }
            return x.MoveToOuterDisposeScope();
        }

        static Tensor Apply(BoundLayer layer, nn.Module<Tensor, Tensor>? module, IReadOnlyList<Tensor> inputs)
        {
            var config = layer.Config;
            var x = inputs[0];
            switch (config)
            {
                case MergeConfig merge:
                    return merge.Kind switch
                    {
                        MergeKind.Concat => cat(inputs.ToArray(), 1),
                        MergeKind.Multiply => inputs.Skip(1).Aggregate(x, (product, next) => product * next),
                        _ => inputs.Skip(1).Aggregate(x, (sum, next) => sum + next),
                    };
                case SeparableConvConfig separable when separable.Depthwise.PadsInForward:
                {
                    var depthwise = separable.Depthwise;
                    x = module!.call(nn.functional.pad(x, PadArray(x, depthwise.PerSidePadding, depthwise.Kernel, depthwise.Stride, depthwise.Dilation)));
                    break;
                }
                case ConvConfig conv when conv.PadsInForward:
                    // As the generated forward: padding libtorch's symmetric argument cannot express is done first.
                    x = module!.call(nn.functional.pad(x, PadArray(x, conv.PerSidePadding, conv.Kernel, conv.Stride, conv.Dilation)));
                    break;
                case PoolConfig pool when pool.PadsInForward:
                {
                    var ones = pool.Kernel.Select(_ => (Expr)Exprs.One).ToList();
                    var pad = PadArray(x, pool.PerSidePadding, pool.Kernel, pool.Stride, ones);
                    if (pool.IsMax)
                        x = module!.call(nn.functional.pad(x, pad, value: double.NegativeInfinity));
                    else if (pool.SamePadding)
                        x = SamePooling.AverageOverRealPixels(x, module!, Longs(pool.Kernel), Longs(pool.Stride), pad);
                    else
                        x = module!.call(nn.functional.pad(x, pad));
                    break;
                }
                default:
                    x = module!.call(x);
                    break;
            }
            return config.Activation != null && !(config is ActivationConfig) ? Activate(x, config.Activation) : x;
        }

        /// <summary>What the generated code appends for <c>activation=</c>, with the activation's default parameter.</summary>
        static Tensor Activate(Tensor x, CnnDsl.Dsl.Catalog.Activation activation) => ActivationFunctions.Apply(activation, x);

        static long[] PadArray(Tensor x, IReadOnlyList<Expr> perSide, IReadOnlyList<Expr> kernel, IReadOnlyList<Expr> stride, IReadOnlyList<Expr> dilation)
        {
            if (perSide.Any(p => !(p is IntExpr)))
                return Sizes.SamePadding(x, Longs(kernel), Longs(stride), Longs(dilation));
            var result = new List<long>();
            for (int i = perSide.Count / 2 - 1; i >= 0; i--)
            {
                result.Add(((IntExpr)perSide[2 * i]).Value);
                result.Add(((IntExpr)perSide[2 * i + 1]).Value);
            }
            return result.ToArray();
        }

        static long[] Longs(IEnumerable<Expr> values) => values.Select(v => v.Constant ?? throw new NotSupportedException($"The size {v} is not known when the module is built")).ToArray();

        static long L(Expr value) => value.Constant ?? throw new NotSupportedException($"The size {value} is not known when the module is built");

        static double D(Expr value) => value switch
        {
            RealExpr r => r.Value,
            IntExpr i => i.Value,
            _ => throw new NotSupportedException($"The value {value} is not known when the module is built"),
        };

        static long[] PerDimension(IReadOnlyList<Expr> perSide, bool zero) =>
            Enumerable.Range(0, perSide.Count / 2).Select(i => zero ? 0 : L(perSide[2 * i])).ToArray();

        /// <summary>The module the generated class creates for the layer, with the same arguments.</summary>
        static nn.Module<Tensor, Tensor> Create(BoundLayer layer)
        {
            switch (layer.Config)
            {
                case ConvConfig conv:
                    return Conv(conv);
                case PoolConfig pool:
                    return Pool(pool);
                case DenseConfig dense:
                    return nn.Linear(L(dense.InFeatures), L(dense.Units), hasBias: !(dense.Bias is BoolExpr { Value: false }));
                case BatchNormConfig norm:
                    return norm.Dimensions switch
                    {
                        1 => nn.BatchNorm1d(L(norm.Channels), eps: D(norm.Eps), momentum: D(norm.Momentum)),
                        2 => nn.BatchNorm2d(L(norm.Channels), eps: D(norm.Eps), momentum: D(norm.Momentum)),
                        _ => nn.BatchNorm3d(L(norm.Channels), eps: D(norm.Eps), momentum: D(norm.Momentum)),
                    };
                case DropoutConfig dropout:
                    return dropout.Channels ? nn.Dropout2d(D(dropout.Rate)) : nn.Dropout(D(dropout.Rate));
                case ZeroPadConfig pad:
                {
                    var p = new List<long>();
                    for (int i = pad.PerSide.Count / 2 - 1; i >= 0; i--)
                    {
                        p.Add(L(pad.PerSide[2 * i]));
                        p.Add(L(pad.PerSide[2 * i + 1]));
                    }
                    return pad.Rank switch
                    {
                        1 => nn.ConstantPad1d((p[0], p[1]), 0.0),
                        2 => nn.ZeroPad2d((p[0], p[1], p[2], p[3])),
                        _ => nn.ConstantPad3d((p[0], p[1], p[2], p[3], p[4], p[5]), 0.0),
                    };
                }
                case AdaptiveAvgPoolConfig adaptive:
                {
                    var s = Longs(adaptive.Size);
                    return adaptive.Rank switch
                    {
                        1 => nn.AdaptiveAvgPool1d(s[0]),
                        2 => nn.AdaptiveAvgPool2d((s[0], s[1])),
                        _ => nn.AdaptiveAvgPool3d((s[0], s[1], s[2])),
                    };
                }
                case GlobalPoolConfig global:
                    return (global.IsMax, global.Rank) switch
                    {
                        (false, 1) => new GlobalAvgPool1d(),
                        (false, 2) => new GlobalAvgPool2d(),
                        (false, _) => new GlobalAvgPool3d(),
                        (true, 1) => new GlobalMaxPool1d(),
                        (true, 2) => new GlobalMaxPool2d(),
                        _ => new GlobalMaxPool3d(),
                    };
                case FlattenConfig:
                    return nn.Flatten();
                case ActivationConfig activation:
                    return activation.Kind.Name switch
                    {
                        "relu" => nn.ReLU(),
                        "relu6" => nn.ReLU6(),
                        "leaky_relu" => nn.LeakyReLU(negative_slope: D(activation.Parameter)),
                        "elu" => nn.ELU(alpha: D(activation.Parameter)),
                        "gelu" => nn.GELU(),
                        "silu" => nn.SiLU(),
                        "sigmoid" => nn.Sigmoid(),
                        "tanh" => nn.Tanh(),
                        "softmax" => nn.Softmax(dim: 1),
                        "log_softmax" => nn.LogSoftmax(dim: 1),
                        "hardswish" => nn.Hardswish(),
                        "hardsigmoid" => nn.Hardsigmoid(),
                        "mish" => nn.Mish(),
                        _ => throw new NotSupportedException($"Layer '{layer.Name}' uses the activation {activation.Kind.Name}, which the run-time builder does not know"),
                    };
                case BlockConfig block:
                    return new RuntimeModule(block.ModuleType, block.Statements);
                case SeparableConvConfig separable:
                    return new SeparableConv(depthwise: Conv(separable.Depthwise), pointwise: Conv(separable.Pointwise));
                case ConvTransposeConfig transpose:
                    return ConvTranspose(transpose);
                case UpsampleConfig upsample:
                {
                    var mode = upsample.Mode switch
                    {
                        "nearest" => UpsampleMode.Nearest,
                        "linear" => UpsampleMode.Linear,
                        "bilinear" => UpsampleMode.Bilinear,
                        _ => UpsampleMode.Trilinear,
                    };
                    // As the generated module: align_corners is passed to the linear modes only.
                    bool? alignCorners = upsample.Mode == "nearest" ? null : upsample.AlignCorners is BoolExpr { Value: var align } ? align
                        : throw new NotSupportedException($"Layer '{layer.Name}' has an align_corners that is not decided ({upsample.AlignCorners})");
                    return upsample.Size is { } size
                        ? nn.Upsample(size: Longs(size), mode: mode, align_corners: alignCorners)
                        : nn.Upsample(scale_factor: upsample.Scale!.Value.Select(D).ToArray(), mode: mode, align_corners: alignCorners);
                }
                case PReLUConfig prelu:
                    return nn.PReLU(L(prelu.Slopes), D(prelu.Init));
                case RescalingConfig rescaling:
                    return new Rescaling(rescaling.Scale.Select(D).ToArray(), rescaling.Offset.Select(D).ToArray());
                case StochasticDepthConfig drop:
                    return new StochasticDepth(D(drop.Rate), drop.PerRow);
                default:
                    throw new NotSupportedException($"Layer '{layer.Name}' is a {layer.Kind} layer ({layer.Config.ModuleType}), which the run-time builder cannot build yet");
            }
        }

        static nn.Module<Tensor, Tensor> Conv(ConvConfig conv)
        {
            long input = L(conv.InChannels), filters = L(conv.Filters), groups = L(conv.Groups);
            bool bias = !(conv.Bias is BoolExpr { Value: false });
            var k = Longs(conv.Kernel);
            var s = Longs(conv.Stride);
            var d = Longs(conv.Dilation);
            if (conv.UsesTorchSame)
            {
                return conv.Rank switch
                {
                    1 => nn.Conv1d(input, filters, k[0], padding: TorchSharp.Padding.Same, dilation: d[0], groups: groups, bias: bias),
                    2 => nn.Conv2d(input, filters, (k[0], k[1]), padding: TorchSharp.Padding.Same, dilation: (d[0], d[1]), groups: groups, bias: bias),
                    _ => nn.Conv3d(input, filters, (k[0], k[1], k[2]), padding: TorchSharp.Padding.Same, dilation: (d[0], d[1], d[2]), groups: groups, bias: bias),
                };
            }
            var p = PerDimension(conv.PerSidePadding, zero: conv.PadsInForward);
            return conv.Rank switch
            {
                1 => nn.Conv1d(input, filters, k[0], stride: s[0], padding: p[0], dilation: d[0], groups: groups, bias: bias),
                2 => nn.Conv2d(input, filters, (k[0], k[1]), stride: (s[0], s[1]), padding: (p[0], p[1]), dilation: (d[0], d[1]), groups: groups, bias: bias),
                _ => nn.Conv3d(input, filters, (k[0], k[1], k[2]), stride: (s[0], s[1], s[2]), padding: (p[0], p[1], p[2]), dilation: (d[0], d[1], d[2]), groups: groups, bias: bias),
            };
        }

        static nn.Module<Tensor, Tensor> ConvTranspose(ConvTransposeConfig conv)
        {
            long input = L(conv.InChannels), filters = L(conv.Filters), groups = L(conv.Groups);
            bool bias = !(conv.Bias is BoolExpr { Value: false });
            var k = Longs(conv.Kernel);
            var s = Longs(conv.Stride);
            var p = Longs(conv.Padding);
            var o = Longs(conv.OutputPadding);
            var d = Longs(conv.Dilation);
            var module = conv.Rank switch
            {
                1 => (TorchSharp.Modules.ConvolutionTranspose)nn.ConvTranspose1d(input, filters, k[0], stride: s[0], padding: p[0], output_padding: o[0], dilation: d[0], groups: groups, bias: bias),
                2 => nn.ConvTranspose2d(input, filters, (k[0], k[1]), stride: (s[0], s[1]), padding: (p[0], p[1]), output_padding: (o[0], o[1]), dilation: (d[0], d[1]), groups: groups, bias: bias),
                _ => (TorchSharp.Modules.ConvolutionTranspose)nn.ConvTranspose3d(input, filters, (k[0], k[1], k[2]), stride: (s[0], s[1], s[2]), padding: (p[0], p[1], p[2]), output_padding: (o[0], o[1], o[2]), dilation: (d[0], d[1], d[2]), groups: groups, bias: bias),
            };
            // As the generated code: TorchSharp 0.107's modules apply the first output_padding to every dimension.
            return conv.OutputPaddingPerDimension ? new ConvTransposePerDimension(module, s, p, o, d, groups) : module;
        }

        static nn.Module<Tensor, Tensor> Pool(PoolConfig pool)
        {
            var k = Longs(pool.Kernel);
            var s = Longs(pool.Stride);
            var p = PerDimension(pool.PerSidePadding, zero: pool.PadsInForward);
            bool ceil = pool.CeilMode;
            // Keras averages over the real pixels only; PyTorch's default counts explicit padding, as PyTorch users expect.
            bool countPadding = !(pool.SamePadding && !pool.PadsInForward && p.Any(v => v != 0));
            if (pool.IsMax)
            {
                return pool.Rank switch
                {
                    1 => nn.MaxPool1d(k[0], s[0], p[0], ceil_mode: ceil),
                    2 => nn.MaxPool2d((k[0], k[1]), (s[0], s[1]), (p[0], p[1]), ceil_mode: ceil),
                    _ => nn.MaxPool3d((k[0], k[1], k[2]), (s[0], s[1], s[2]), (p[0], p[1], p[2]), ceil_mode: ceil),
                };
            }
            return pool.Rank switch
            {
                1 => nn.AvgPool1d(k[0], s[0], p[0], ceil_mode: ceil, count_include_pad: countPadding),
                2 => nn.AvgPool2d((k[0], k[1]), (s[0], s[1]), (p[0], p[1]), ceil_mode: ceil, count_include_pad: countPadding),
                _ => nn.AvgPool3d((k[0], k[1], k[2]), (s[0], s[1], s[2]), (p[0], p[1], p[2]), ceil_mode: ceil, count_include_pad: countPadding),
            };
        }
    }
}
