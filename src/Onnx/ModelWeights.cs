using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Plan;
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
    /// The state_dict a checked model's module has (keys, shapes, initialisation), read from its layers' plans; weights
    /// for an untrained model, initialised as the plans say (PyTorch's defaults); and a check that given weights fit.
    /// </summary>
    public static class ModelWeights
    {
        public static IReadOnlyList<ExpectedWeight> Expected(BoundModel model)
        {
            var weights = new List<ExpectedWeight>();
            Collect(model.Layers, "", weights);
            return weights;
        }

        // Every layer's plan: the tensors its module (and the module's children) owns, under their state_dict keys.
        static void Collect(IEnumerable<BoundLayer> layers, string prefix, List<ExpectedWeight> weights)
        {
            foreach (var layer in layers)
            {
                var name = prefix + layer.Name;
                if (layer.Config is BlockConfig block)
                    Collect(block.Layers, name + ".", weights);
                else if (layer.Config.Lower().Module is { } module)
                    Collect(module, name, name, weights);
            }
        }

        static void Collect(PlanModule module, string key, string layer, List<ExpectedWeight> weights)
        {
            foreach (var tensor in module.Tensors)
            {
                var shape = tensor.Shape.Select(d => Number(d, layer)).ToArray();
                var (role, fanIn, fill) = tensor.Init.Kind switch
                {
                    PlanInitKind.DefaultKernel => (WeightRole.Kernel, Number(tensor.Init.FanIn!, layer), 0.0),
                    PlanInitKind.DefaultBias => (WeightRole.Bias, Number(tensor.Init.FanIn!, layer), 0.0),
                    PlanInitKind.Ones => (WeightRole.Ones, 0L, 0.0),
                    PlanInitKind.Zeros => (WeightRole.Zeros, 0L, 0.0),
                    _ => (WeightRole.Fill, 0L, tensor.Init.Value switch
                    {
                        RealExpr r => r.Value,
                        IntExpr i => i.Value,
                        var other => throw new OnnxExportException($"Layer '{layer}' starts '{tensor.Name}' at a value that is not a number ({other})"),
                    }),
                };
                weights.Add(new ExpectedWeight(key + "." + tensor.Name, layer, shape, role, fanIn, fill));
            }
            foreach (var child in module.Children)
                Collect(child.Module, key + "." + child.Name, layer, weights);
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
