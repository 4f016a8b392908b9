using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Onnx
{
    /// <summary>A learned tensor a layer needs, under its state_dict key, and the fan-in PyTorch's default initialisation uses.</summary>
    public sealed record ExpectedWeight(string Key, string Layer, long[] Shape, WeightRole Role, long FanIn, double Fill = 0);

    public enum WeightRole
    {
        /// <summary>Convolution and dense kernels: uniform in +-1/sqrt(fan in), as PyTorch's kaiming_uniform_(a=sqrt(5)).</summary>
        Kernel,
        /// <summary>Convolution and dense biases: uniform in +-1/sqrt(fan in).</summary>
        Bias,
        /// <summary>Batch-norm scale and running variance: ones.</summary>
        Ones,
        /// <summary>Batch-norm shift and running mean: zeros.</summary>
        Zeros,
        /// <summary>Every value the weight's Fill (PReLU's initial slope).</summary>
        Fill,
    }

    /// <summary>
    /// The state_dict a checked model's module has (keys, shapes), read from the bound model alone; weights for an
    /// untrained model, initialised as PyTorch initialises them by default; and a check that given weights fit.
    /// </summary>
    public static class ModelWeights
    {
        public static IReadOnlyList<ExpectedWeight> Expected(BoundModel model)
        {
            var weights = new List<ExpectedWeight>();
            Collect(model.Layers, "", weights);
            return weights;
        }

        static void Collect(IEnumerable<BoundLayer> layers, string prefix, List<ExpectedWeight> weights)
        {
            foreach (var layer in layers)
            {
                var name = prefix + layer.Name;
                switch (layer.Config)
                {
                    case ConvConfig conv:
                        Conv(conv, name, weights);
                        break;
                    case SeparableConvConfig separable:
                        Conv(separable.Depthwise, name + ".depthwise", weights);
                        Conv(separable.Pointwise, name + ".pointwise", weights);
                        break;
                    case ConvTransposeConfig transpose:
                    {
                        // PyTorch's transposed weight is (in, out / groups, kernel...), and its fan-in is read from dimension 1.
                        long outPerGroup = Number(transpose.Filters, name) / Number(transpose.Groups, name);
                        var kernel = transpose.Kernel.Select(k => Number(k, name)).ToArray();
                        long fanIn = outPerGroup * kernel.Aggregate(1L, (a, b) => a * b);
                        weights.Add(new ExpectedWeight(name + ".weight", name, new[] { Number(transpose.InChannels, name), outPerGroup }.Concat(kernel).ToArray(), WeightRole.Kernel, fanIn));
                        if (!(transpose.Bias is BoolExpr { Value: false }))
                            weights.Add(new ExpectedWeight(name + ".bias", name, new[] { Number(transpose.Filters, name) }, WeightRole.Bias, fanIn));
                        break;
                    }
                    case PReLUConfig prelu:
                        weights.Add(new ExpectedWeight(name + ".weight", name, new[] { Number(prelu.Slopes, name) }, WeightRole.Fill, 0, prelu.Init switch
                        {
                            RealExpr r => r.Value,
                            IntExpr i => i.Value,
                            _ => throw new OnnxExportException($"Layer '{name}' has an initial slope that is not a number ({prelu.Init})"),
                        }));
                        break;
                    case DenseConfig dense:
                    {
                        long features = Number(dense.InFeatures, name), units = Number(dense.Units, name);
                        weights.Add(new ExpectedWeight(name + ".weight", name, new[] { units, features }, WeightRole.Kernel, features));
                        if (!(dense.Bias is BoolExpr { Value: false }))
                            weights.Add(new ExpectedWeight(name + ".bias", name, new[] { units }, WeightRole.Bias, features));
                        break;
                    }
                    case BatchNormConfig norm:
                    {
                        var channels = new[] { Number(norm.Channels, name) };
                        weights.Add(new ExpectedWeight(name + ".weight", name, channels, WeightRole.Ones, 0));
                        weights.Add(new ExpectedWeight(name + ".bias", name, channels, WeightRole.Zeros, 0));
                        weights.Add(new ExpectedWeight(name + ".running_mean", name, channels, WeightRole.Zeros, 0));
                        weights.Add(new ExpectedWeight(name + ".running_var", name, channels, WeightRole.Ones, 0));
                        break;
                    }
                    case BlockConfig block:
                        Collect(block.Layers, name + ".", weights);
                        break;
                }
            }
        }

        static void Conv(ConvConfig conv, string name, List<ExpectedWeight> weights)
        {
            long inPerGroup = Number(conv.InChannels, name) / Number(conv.Groups, name);
            var kernel = conv.Kernel.Select(k => Number(k, name)).ToArray();
            long fanIn = inPerGroup * kernel.Aggregate(1L, (a, b) => a * b);
            long filters = Number(conv.Filters, name);
            weights.Add(new ExpectedWeight(name + ".weight", name, new[] { filters, inPerGroup }.Concat(kernel).ToArray(), WeightRole.Kernel, fanIn));
            if (!(conv.Bias is BoolExpr { Value: false }))
                weights.Add(new ExpectedWeight(name + ".bias", name, new[] { filters }, WeightRole.Bias, fanIn));
        }

        static long Number(Expr value, string layer) =>
            value.Constant ?? throw new OnnxExportException($"Layer '{layer}' has a size that depends on the input size ({value}); give the model a fixed input to export it");

        /// <summary>
        /// Weights for an untrained model with PyTorch's default initialisation scheme (the same distributions, not the
        /// same numbers: the random generator differs), seeded so that one seed gives one file.
        /// </summary>
        public static IReadOnlyDictionary<string, WeightTensor> Initialize(BoundModel model, int seed)
        {
            var random = new Random(seed);
            var result = new Dictionary<string, WeightTensor>();
            foreach (var weight in Expected(model))
            {
                long count = weight.Shape.Aggregate(1L, (a, b) => checked(a * b));
                if (count > int.MaxValue)
                    throw new OnnxExportException($"Layer '{weight.Layer}' has {count:N0} values in '{weight.Key}', more than one array can hold");
                var values = new float[count];
                switch (weight.Role)
                {
                    case WeightRole.Kernel:
                    case WeightRole.Bias:
                        double bound = weight.FanIn > 0 ? 1 / Math.Sqrt(weight.FanIn) : 0;
                        for (int i = 0; i < values.Length; i++)
                            values[i] = (float)((random.NextDouble() * 2 - 1) * bound);
                        break;
                    case WeightRole.Ones:
                        Array.Fill(values, 1f);
                        break;
                    case WeightRole.Fill:
                        Array.Fill(values, (float)weight.Fill);
                        break;
                }
                result[weight.Key] = new WeightTensor(weight.Shape, values);
            }
            return result;
        }

        /// <summary>Checks that every tensor the model needs is given with its shape; names the first that is not, and where it came from.</summary>
        public static void CheckFits(BoundModel model, IReadOnlyDictionary<string, WeightTensor> weights, string source)
        {
            foreach (var expected in Expected(model))
            {
                if (!weights.TryGetValue(expected.Key, out var given))
                    throw new OnnxExportException($"{source} has no tensor '{expected.Key}', which layer '{expected.Layer}' of {model.Name} needs with shape [{string.Join(", ", expected.Shape)}]; export the weights of this model");
                if (!given.Shape.SequenceEqual(expected.Shape))
                    throw new OnnxExportException($"{source} gives '{expected.Key}' the shape {given.ShapeText}, but layer '{expected.Layer}' of {model.Name} needs [{string.Join(", ", expected.Shape)}]");
            }
        }
    }
}
