using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Onnx
{
    /// <summary>A learned tensor a layer needs, under its state_dict key, and what its untrained values are drawn from.</summary>
    public sealed record ExpectedWeight(string Key, string Layer, long[] Shape, InitDistribution Distribution, double Scale);

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
                if (tensor.Init.Kind == PlanInitKind.Fill && !(tensor.Init.Value is RealExpr || tensor.Init.Value is IntExpr))
                    throw new OnnxExportException($"Layer '{layer}' starts '{tensor.Name}' at a value that is not a number ({tensor.Init.Value})");
                var (fanIn, fanOut) = tensor.Fans();
                var (distribution, scale) = tensor.Init.Sampling(Number(fanIn, layer), Number(fanOut, layer));
                weights.Add(new ExpectedWeight(key + "." + tensor.Name, layer, shape, distribution, scale));
            }
            foreach (var child in module.Children)
                Collect(child.Module, key + "." + child.Name, layer, weights);
        }

        static long Number(Expr value, string layer) =>
            value.Constant ?? throw new OnnxExportException($"Layer '{layer}' has a size that depends on the input size ({value}); give the model a fixed input to export it");

        /// <summary>
        /// Weights for an untrained model, drawn as the plans say (the same distributions as PyTorch's, not the same
        /// numbers: the random generator differs), seeded so that one seed gives one file.
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
                switch (weight.Distribution)
                {
                    case InitDistribution.Uniform:
                        for (int i = 0; i < values.Length; i++)
                            values[i] = (float)((random.NextDouble() * 2 - 1) * weight.Scale);
                        break;
                    case InitDistribution.Normal:
                        for (int i = 0; i < values.Length; i++)
                            values[i] = (float)(Gaussian(random) * weight.Scale);
                        break;
                    case InitDistribution.TruncatedNormal:
                        for (int i = 0; i < values.Length; i++)
                        {
                            double value;
                            do
                                value = Gaussian(random) * weight.Scale;
                            while (value < -2 || value > 2);
                            values[i] = (float)value;
                        }
                        break;
                    default:
                        Array.Fill(values, (float)weight.Scale);
                        break;
                }
                result[weight.Key] = new WeightTensor(weight.Shape, values);
            }
            return result;
        }

        // Box-Muller: a standard normal value from two uniform ones.
        static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

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
