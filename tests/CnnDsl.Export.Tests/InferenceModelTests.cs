using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Export.Tests.Infrastructure;
using CnnDsl.Inference;
using CnnDsl.Weights;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CnnDsl.Export.Tests;

/// <summary>
/// Inference without libtorch: a model saved by the run time (safetensors with its facts, or an ONNX file) runs in
/// ONNX Runtime through <see cref="InferenceModel"/> and gives the generated TorchSharp module's outputs, probabilities
/// as the model's output activation says, and its class names.
/// </summary>
public sealed class InferenceModelTests(ITestOutputHelper output) : IDisposable
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
    public void Session_options_reach_onnx_runtime_and_a_provider_it_lacks_is_an_error_naming_the_ones_it_has()
    {
        var (module, cnnFile, weights) = Saved("Small");
        Assert.Contains("CPUExecutionProvider", InferenceModel.AvailableProviders);
        // The CPU package has no CUDA provider: the option reaches ONNX Runtime, which refuses it, and the error says why.
        var refused = Assert.Throws<InvalidOperationException>(() => InferenceModel.FromDefinition(cnnFile, weights, "Small",
            new InferenceOptions { Configure = o => o.AppendExecutionProvider_CUDA(0) }));
        Assert.Contains("ONNX Runtime refuses the session options", refused.Message);
        Assert.Contains("CPUExecutionProvider", refused.Message);
        // Options it accepts change nothing in the answers.
        var (input, shape, expected) = Batch(module, 3);
        using var plain = InferenceModel.FromDefinition(cnnFile, weights, "Small", new InferenceOptions
        {
            IntraOpThreads = 1,
            OptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_DISABLE_ALL,
            Configure = o => o.EnableMemoryPattern = false,
        });
        AssertClose(expected, plain.PredictLogits(input, shape), 1e-4);
        Assert.Throws<ArgumentOutOfRangeException>(() => InferenceModel.FromDefinition(cnnFile, weights, "Small", new InferenceOptions { IntraOpThreads = 0 }));
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

    // The module's outputs against the inference path's, from the definition and safetensors and from the ONNX file,
    // on a random batch of two; within 1e-4, relative to outputs above 1 (as the export tests compare).
    double CompareBothPaths(nn.Module<Tensor, Tensor> module, BoundModel model, long[] sample, int seed)
    {
        module.eval();
        var weights = Path.Combine(folder, model.Name + ".safetensors");
        var onnx = Path.Combine(folder, model.Name + ".onnx");
        module.SaveSafeTensors(weights);
        module.ExportOnnx(onnx, model);
        var shape = new[] { 2L }.Concat(sample).ToArray();
        var random = new Random(seed);
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        float[][] expected;
        using (no_grad())
        using (var input = tensor(values, shape))
        using (var outputs = module.call(input).reshape(2, -1))
            expected = Enumerable.Range(0, 2).Select(i => outputs[i].data<float>().ToArray()).ToArray();
        double magnitude = Math.Max(1, expected.SelectMany(r => r).Max(v => Math.Abs((double)v)));
        var options = new InferenceOptions { IntraOpThreads = 1 };
        double worst = 0;
        foreach (var (path, inference) in new[]
        {
            ("definition + safetensors", InferenceModel.FromDefinition(model, weights, options)),
            ("onnx file", InferenceModel.Load(onnx, options)),
        })
        {
            using (inference)
            {
                var actual = inference.PredictLogits(values, shape);
                Assert.Equal(expected.Length, actual.Length);
                for (int i = 0; i < expected.Length; i++)
                {
                    Assert.Equal(expected[i].Length, actual[i].Length);
                    double difference = expected[i].Zip(actual[i], (a, b) => Math.Abs((double)a - b)).Max();
                    Assert.True(difference <= 1e-4 * magnitude, $"{model.Name} from its {path}: differs from TorchSharp by {difference:G3} (largest output {magnitude:G3}) on input {string.Join("x", shape)}");
                    worst = Math.Max(worst, difference / magnitude);
                }
            }
        }
        File.Delete(weights);
        File.Delete(onnx);
        return worst;
    }

    [Fact]
    public void Every_zoo_model_gives_the_modules_outputs_from_its_definition_and_safetensors_and_from_its_onnx_file()
    {
        var (compiled, assembly) = CompiledModels.Get(ZooExportTests.ZooText(), "zoo.cnn");
        TorchSharp.torch.manual_seed(11);
        double worst = 0;
        foreach (var model in compiled.Where(m => m.SizeVariables.Count == 0))
        {
            using var module = LoadedModels.Create(assembly, "Models." + model.Name);
            worst = Math.Max(worst, CompareBothPaths(module, model, model.InputShape.Sizes, seed: 3));
        }
        Assert.Equal(Zoo.Models.Count(), compiled.Count(m => m.SizeVariables.Count == 0));
        output.WriteLine($"{Zoo.Models.Count()} zoo models, largest relative difference {worst:G3}");
    }

    [Fact]
    public void Random_models_of_every_layer_kind_give_the_modules_outputs_through_the_inference_path()
    {
        // The export tests' random stacks (1-D, 2-D, 3-D, every layer kind).
        var models = OnnxRuntimeEqualityTests.PropertyModels();
        var (compiled, assembly) = CompiledModels.Get(OnnxRuntimeEqualityTests.PropertyModelText(models), "random-inference.cnn");
        TorchSharp.torch.manual_seed(13);
        double worst = 0;
        for (int i = 0; i < models.Count; i++)
        {
            using var module = LoadedModels.Create(assembly, "Models.M" + i);
            try
            {
                worst = Math.Max(worst, CompareBothPaths(module, compiled[i], compiled[i].InputShape.Sizes, seed: i));
            }
            catch (Xunit.Sdk.XunitException e)
            {
                throw new Xunit.Sdk.XunitException(e.Message + "\nmodel M" + i + ":\n" + models[i].Text);
            }
        }
        output.WriteLine($"{models.Count} random models, largest relative difference {worst:G3}");
    }

    [Fact]
    public void A_zero_padded_max_pool_keeps_pytorchs_answer_where_onnx_runtimes_pad_fusion_would_not()
    {
        // Zeros padded before a max pool win over negative values at the border; ONNX Runtime's Pad fusion would move
        // them into the pool's own pads, which a max pool ignores. Inputs in [-1, 1]; windows of the pool half in the
        // padding. The 3-D form is refused by the fusion's result ("Pad should be smaller than kernel") at load.
        const string text = """
            model PaddedPool
              input 2x6x6
              zeropad2d 2
              maxpool2d 3, stride=2
              flatten
              dense 4
            model PaddedPool3d
              input 2x4x5x5
              zeropad3d 3
              maxpool3d 2, stride=2
              flatten
              dense 4
            """;
        var (compiled, assembly) = CompiledModels.Get(text, "padded-pool.cnn");
        TorchSharp.torch.manual_seed(17);
        foreach (var model in compiled)
        {
            using var module = LoadedModels.Create(assembly, "Models." + model.Name);
            CompareBothPaths(module, model, model.InputShape.Sizes, seed: 2);
        }
    }

    [Fact]
    public void The_inference_package_depends_on_neither_torchsharp_nor_libtorch()
    {
        // The dependency closure NuGet resolved for the project, and the assemblies its build output references.
        var root = RepoRoot();
        var assets = Path.Combine(root, "src", "Inference", "obj", "project.assets.json");
        using var json = JsonDocument.Parse(File.ReadAllText(assets));
        var libraries = json.RootElement.GetProperty("targets").EnumerateObject().Single().Value.EnumerateObject().Select(p => p.Name.Split('/')[0]).ToList();
        Assert.Contains("Microsoft.ML.OnnxRuntime", libraries);
        Assert.Contains("CnnDsl.Vision", libraries);
        Assert.DoesNotContain(libraries, l => l.StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase) || l.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase));

        var referenced = new List<string>();
        foreach (var name in new[] { "CnnDsl.Inference.dll", "CnnDsl.Vision.dll", "CnnDsl.Onnx.dll", "CnnDsl.Dsl.dll" })
        {
            using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, name));
            using var pe = new PEReader(stream);
            var reader = pe.GetMetadataReader();
            referenced.AddRange(reader.AssemblyReferences.Select(r => reader.GetString(reader.GetAssemblyReference(r).Name)));
        }
        Assert.Contains("Microsoft.ML.OnnxRuntime", referenced);
        Assert.DoesNotContain(referenced, r => r.StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase));
    }

    static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
