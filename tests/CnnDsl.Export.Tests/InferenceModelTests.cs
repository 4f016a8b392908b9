using System;
using System.IO;
using System.Linq;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Export.Tests.Infrastructure;
using CnnDsl.Inference;
using CnnDsl.Weights;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Export.Tests;

/// <summary>
/// Inference without libtorch: a model saved by the run time (safetensors with its facts, or an ONNX file) runs in
/// ONNX Runtime through <see cref="InferenceModel"/> and gives the generated TorchSharp module's outputs, probabilities
/// as the model's output activation says, and its class names.
/// </summary>
public sealed class InferenceModelTests : IDisposable
{
    const string Text = """
        model Small
          input 1x12x12
          conv2d 4, 3, activation=relu
          maxpool2d 2
          flatten
          dense 3
        model SmallSoftmax
          input 1x12x12
          conv2d 4, 3, activation=relu
          maxpool2d 2
          flatten
          dense 3, activation=softmax
        """;

    static readonly string[] Classes = { "셔츠", "bag \"b\"", "ankle boot" };

    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-inference-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    (nn.Module<Tensor, Tensor> Module, string CnnFile, string Weights) Saved(string name)
    {
        var (_, assembly) = CompiledModels.Get(Text, "inference.cnn");
        var module = LoadedModels.Create(assembly, "Models." + name);
        var model = (ICnnModel)module;
        model.Facts = model.Facts with { ClassNames = Classes, Normalization = new InputNormalization(new[] { 0.25f }, new[] { 0.5f }) };
        var cnnFile = Path.Combine(folder, "inference.cnn");
        File.WriteAllText(cnnFile, Text);
        var weights = Path.Combine(folder, name + ".safetensors");
        module.SaveSafeTensors(weights);
        return (module, cnnFile, weights);
    }

    static (float[] Values, long[] Shape, float[][] Expected) Batch(nn.Module<Tensor, Tensor> module, int seed)
    {
        manual_seed(seed);
        var x = randn(4, 1, 12, 12);
        module.eval();
        using var _ = no_grad();
        var y = module.call(x);
        return (x.data<float>().ToArray(), x.shape, Enumerable.Range(0, 4).Select(i => y[i].data<float>().ToArray()).ToArray());
    }

    static void AssertClose(float[][] expected, float[][] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            for (int j = 0; j < expected[i].Length; j++)
                Assert.True(Math.Abs(expected[i][j] - actual[i][j]) <= tolerance, $"sample {i}, output {j}: {actual[i][j]} where TorchSharp gives {expected[i][j]}");
    }

    [Fact]
    public void A_definition_and_its_safetensors_give_the_modules_outputs_probabilities_and_class_names()
    {
        var (module, cnnFile, weights) = Saved("Small");
        var (input, shape, expected) = Batch(module, 1);
        using var inference = InferenceModel.FromDefinition(cnnFile, weights, "Small", new InferenceOptions { IntraOpThreads = 1 });
        Assert.Equal(Classes, inference.Facts.ClassNames);
        Assert.Equal(new[] { 0.25f }, inference.Facts.NormalizationMean);
        Assert.Equal(new long[] { 1, 12, 12 }, inference.InputShape);
        AssertClose(expected, inference.PredictLogits(input, shape), 1e-4);

        // Raw scores: probabilities are their softmax, written out here.
        var softmax = expected.Select(row => { var e = row.Select(v => Math.Exp(v - row.Max())).ToArray(); return e.Select(v => (float)(v / e.Sum())).ToArray(); }).ToArray();
        AssertClose(softmax, inference.Predict(input, shape), 1e-5);
        var top = inference.PredictClasses(input, shape, top: 2);
        for (int i = 0; i < 4; i++)
        {
            int best = Array.IndexOf(expected[i], expected[i].Max());
            Assert.Equal(best, top[i][0].Index);
            Assert.Equal(Classes[best], top[i][0].Name);
            Assert.Equal(2, top[i].Count);
            Assert.True(top[i][0].Probability >= top[i][1].Probability);
        }
    }

    [Fact]
    public void An_exported_onnx_file_carries_the_facts_and_a_softmax_model_is_not_softmaxed_twice()
    {
        var (module, _, _) = Saved("SmallSoftmax");
        var onnx = Path.Combine(folder, "small.onnx");
        OnnxExport.ExportOnnx(module, onnx, CompiledModels.Get(Text, "inference.cnn").Models.Single(m => m.Name == "SmallSoftmax"));
        var (input, shape, expected) = Batch(module, 2);
        using var inference = InferenceModel.Load(onnx);
        Assert.Equal(Classes, inference.Facts.ClassNames);
        Assert.Equal("Softmax", inference.Facts.OutputActivation);
        AssertClose(expected, inference.PredictLogits(input, shape), 1e-4);
        // The model's own softmax: Predict gives its outputs, which already sum to one.
        var probabilities = inference.Predict(input, shape);
        AssertClose(expected, probabilities, 1e-4);
        Assert.All(probabilities, row => Assert.InRange(row.Sum(), 0.999f, 1.001f));
    }

    [Fact]
    public void Wrong_inputs_and_files_are_errors_that_say_what_is_wrong()
    {
        var (module, cnnFile, weights) = Saved("Small");
        using var inference = InferenceModel.FromDefinition(cnnFile, weights, "Small");
        var wrongSize = Assert.Throws<ArgumentException>(() => inference.PredictLogits(new float[2 * 1 * 10 * 10], 2, 1, 10, 10));
        Assert.Contains("(N, 1, 12, 12)", wrongSize.Message);
        var wrongCount = Assert.Throws<ArgumentException>(() => inference.PredictLogits(new float[5], 1, 1, 12, 12));
        Assert.Contains("144", wrongCount.Message);

        var missing = Path.Combine(folder, "missing.safetensors");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => InferenceModel.FromDefinition(cnnFile, missing, "Small")).Message);
        // Weights of the softmax model have the same tensors; weights of another shape are named with the layer.
        var other = Path.Combine(folder, "other.cnn");
        File.WriteAllText(other, "model Small\n  input 1x12x12\n  conv2d 5, 3\n  flatten\n  dense 3\n");
        var mismatch = Assert.ThrowsAny<Exception>(() => InferenceModel.FromDefinition(other, weights, "Small"));
        Assert.Contains("conv2d", mismatch.Message);
        var broken = Path.Combine(folder, "broken.cnn");
        File.WriteAllText(broken, "model Small\n  input 1x12x12\n  conv2d 4, 30\n  flatten\n  dense 3\n");
        Assert.Contains("CNN", Assert.Throws<InvalidDataException>(() => InferenceModel.FromDefinition(broken, weights, "Small")).Message);
        var notOnnx = Path.Combine(folder, "not.onnx");
        File.WriteAllText(notOnnx, "not a model");
        Assert.Contains(notOnnx, Assert.Throws<InvalidDataException>(() => InferenceModel.Load(notOnnx)).Message);
    }
}
