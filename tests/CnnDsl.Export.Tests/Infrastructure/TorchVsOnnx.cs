using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Onnx;
using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using Tensor = TorchSharp.torch.Tensor;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Export.Tests.Infrastructure;

/// <summary>Runs one module in TorchSharp and its exported ONNX file in ONNX Runtime on the same random input.</summary>
public static class TorchVsOnnx
{
    public const double Tolerance = 1e-4;

    /// <summary>The module's state_dict as float arrays (integer buffers, such as batch counters, are not weights).</summary>
    public static Dictionary<string, WeightTensor> Weights(nn.Module module) =>
        module.state_dict().Where(kv => kv.Value.dtype == ScalarType.Float32)
            .ToDictionary(kv => kv.Key, kv => new WeightTensor(kv.Value.shape, kv.Value.contiguous().data<float>().ToArray()));

    public sealed record Comparison(long[] TorchShape, long[] OnnxShape, double MaxDifference, double MaxMagnitude);

    /// <summary>Exports <paramref name="model"/> with the module's weights and compares outputs for inputs of each given sample shape.</summary>
    public static IReadOnlyList<Comparison> Compare(nn.Module<Tensor, Tensor> module, BoundModel model, IEnumerable<long[]> sampleShapes, int seed, string context, byte[]? onnx = null)
    {
        try
        {
            return Compare(module, model, sampleShapes, seed, onnx);
        }
        catch (Exception e) when (e is OnnxRuntimeException || e is OnnxExportException)
        {
            throw new Xunit.Sdk.XunitException(e.GetType().Name + ": " + e.Message + "\nin " + context);
        }
    }

    static IReadOnlyList<Comparison> Compare(nn.Module<Tensor, Tensor> module, BoundModel model, IEnumerable<long[]> sampleShapes, int seed, byte[]? onnx)
    {
        module.eval();
        onnx ??= OnnxExporter.ExportBytes(model, Weights(module));
        using var options = new SessionOptions { IntraOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(onnx, options);
        var results = new List<Comparison>();
        foreach (var sample in sampleShapes)
        {
            var shape = new[] { 2L }.Concat(sample).ToArray();
            var generator = new Random(seed);
            var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
            for (int i = 0; i < values.Length; i++)
                values[i] = (float)(generator.NextDouble() * 2 - 1);
            float[] expected;
            long[] expectedShape;
            using (no_grad())
            using (var input = tensor(values, shape))
            using (var output = module.call(input))
            {
                expected = output.contiguous().data<float>().ToArray();
                expectedShape = output.shape;
            }
            var onnxInput = new DenseTensor(values, shape.Select(d => (int)d).ToArray());
            using var outputs = session.Run(new[] { NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, onnxInput) });
            var actual = outputs.Single().AsTensor<float>();
            var actualShape = actual.Dimensions.ToArray().Select(d => (long)d).ToArray();
            var actualValues = actual.ToArray();
            double maxDifference = expectedShape.SequenceEqual(actualShape)
                ? expected.Zip(actualValues, (a, b) => Math.Abs((double)a - b)).DefaultIfEmpty(0).Max()
                : double.PositiveInfinity;
            results.Add(new Comparison(expectedShape, actualShape, maxDifference, expected.Select(v => Math.Abs((double)v)).DefaultIfEmpty(0).Max()));
        }
        return results;
    }

    /// <summary>Asserts equal shapes and outputs within <see cref="Tolerance"/> (times the largest output where it exceeds 1), naming the model and the input.</summary>
    public static void AssertEqual(IReadOnlyList<Comparison> comparisons, IEnumerable<long[]> sampleShapes, string context)
    {
        foreach (var (comparison, sample) in comparisons.Zip(sampleShapes))
        {
            Assert.True(comparison.TorchShape.SequenceEqual(comparison.OnnxShape),
                $"ONNX Runtime's output has shape {string.Join("x", comparison.OnnxShape)}, TorchSharp's {string.Join("x", comparison.TorchShape)}, on input {string.Join("x", sample)} of {context}");
            // Relative to the output's size where it is above 1: an untrained Inception V3 started as torchvision starts it
            // (truncated normal, deviation 0.1) reaches 1e7 in eval mode, where float32 keeps about 7 digits.
            Assert.True(comparison.MaxDifference <= Tolerance * Math.Max(1, comparison.MaxMagnitude),
                $"ONNX Runtime's output differs from TorchSharp's by {comparison.MaxDifference:G3} (largest output {comparison.MaxMagnitude:G3}) on input {string.Join("x", sample)} of {context}");
        }
    }
}
