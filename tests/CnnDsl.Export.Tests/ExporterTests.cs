using System;
using System.IO;
using System.Linq;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Symbolic;
using CnnDsl.Export.Tests.Infrastructure;
using CnnDsl.Onnx;
using Xunit;

namespace CnnDsl.Export.Tests;

/// <summary>The exporter's file format, its weights and its errors.</summary>
public class ExporterTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-export-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static BoundModel Compile(string text) => Assert.Single(CnnCompilation.Compile(text, "net.cnn").Models);

    [Fact]
    public void The_file_declares_opset_17_ir_version_8_and_named_dynamic_sizes()
    {
        var model = Compile("model Net\n  input 3xHxW\n  conv2d 4, 3, padding=same\n  global_maxpool2d\n  dense 2\n");
        var proto = global::Onnx.ModelProto.Parser.ParseFrom(OnnxExporter.ExportBytes(model, ModelWeights.Initialize(model, 1)));
        Assert.Equal(8, proto.IrVersion);
        Assert.Equal(17, proto.OpsetImport.Single(o => o.Domain == "").Version);
        var input = proto.Graph.Input.Single().Type.TensorType.Shape.Dim;
        Assert.Equal(new[] { "batch", "", "H", "W" }, input.Select(d => d.DimParam));
        Assert.Equal(3, input[1].DimValue);
        var output = proto.Graph.Output.Single().Type.TensorType.Shape.Dim;
        Assert.Equal("batch", output[0].DimParam);
        Assert.Equal(2, output[1].DimValue);
        Assert.Equal(new[] { "conv2d.weight", "conv2d.bias", "dense.weight", "dense.bias" }, proto.Graph.Initializer.Select(i => i.Name));
    }

    [Fact]
    public void Untrained_weights_have_the_generated_modules_state_dict_keys_and_shapes_and_pytorchs_init_bounds()
    {
        var models = OnnxRuntimeEqualityTests.PropertyModels();
        var text = OnnxRuntimeEqualityTests.PropertyModelText(models);
        var (compiled, assembly) = CompiledModels.Get(text, "random.cnn");
        for (int i = 0; i < compiled.Count; i++)
        {
            using var module = LoadedModels.Create(assembly, "Models.M" + i);
            var expected = TorchVsOnnx.Weights(module).ToDictionary(kv => kv.Key, kv => kv.Value.Shape);
            var initialized = ModelWeights.Initialize(compiled[i], seed: 1);
            Assert.Equal(expected.Keys.OrderBy(k => k), initialized.Keys.OrderBy(k => k));
            foreach (var (key, shape) in expected)
                Assert.True(shape.SequenceEqual(initialized[key].Shape), $"{key}: module {string.Join("x", shape)}, exporter {initialized[key].ShapeText} in M{i}:\n{models[i].Text}");
        }

        // Kernels and biases are uniform in +-1/sqrt(fan in), as PyTorch's default: for 5x5 kernels over 2 channels, 1/sqrt(50).
        var dense = ModelWeights.Initialize(Compile("model Net\n  input 2x9x9\n  conv2d 300, 5\n"), seed: 3)["conv2d.weight"].Values;
        Assert.InRange(dense.Max(), 0.95 / Math.Sqrt(50), 1 / Math.Sqrt(50));
        Assert.InRange(dense.Min(), -1 / Math.Sqrt(50), -0.95 / Math.Sqrt(50));
        Assert.Equal(dense, ModelWeights.Initialize(Compile("model Net\n  input 2x9x9\n  conv2d 300, 5\n"), seed: 3)["conv2d.weight"].Values);
    }

    sealed record UnknownConfig(TensorShape Input) : LayerConfig
    {
        public override TensorShape OutputShape => Input;
        public override Expr Parameters => Exprs.Zero;
        public override string ModuleType => "Mystery2d";
        public override CnnDsl.Dsl.Plan.LayerPlan Lower() => CnnDsl.Dsl.Plan.LayerPlan.Call(CnnDsl.Dsl.Plan.PlanModule.Of("Mystery2d"));
    }

    [Fact]
    public void A_layer_kind_the_exporter_does_not_know_is_an_error_naming_the_layer_and_its_kind()
    {
        var model = Compile("model Net\n  input 3x8x8\n  conv2d 4, 3\n  relu\n");
        var mystery = new BoundLayer("mystery", "mystery2d", EquatableArray.Create("re_lu"), model.Layers[1].OutputShape, new UnknownConfig(model.Layers[1].OutputShape));
        var changed = model with { Layers = model.Layers.Concat(new[] { mystery }).ToEquatableArray() };
        var error = Assert.Throws<OnnxExportException>(() => OnnxExporter.ExportBytes(changed, ModelWeights.Initialize(changed, 1)));
        Assert.StartsWith("Layer 'mystery' is a mystery2d layer (Mystery2d), which the ONNX exporter cannot write yet", error.Message);
    }

    [Fact]
    public void Weights_that_do_not_fit_are_named_with_both_shapes()
    {
        var model = Compile("model Net\n  input 3x8x8\n  c: conv2d 4, 3\n  flatten\n  d: dense 2\n");
        var weights = ModelWeights.Initialize(model, 1).ToDictionary(kv => kv.Key, kv => kv.Value);
        weights["d.weight"] = new WeightTensor(new long[] { 3, 144 }, new float[3 * 144]);
        var wrong = Assert.Throws<OnnxExportException>(() => OnnxExporter.ExportBytes(model, weights, "'net.safetensors'"));
        Assert.Equal("'net.safetensors' gives 'd.weight' the shape [3, 144], but layer 'd' of Net needs [2, 144]", wrong.Message);
        weights.Remove("c.bias");
        var missing = Assert.Throws<OnnxExportException>(() => OnnxExporter.ExportBytes(model, weights, "'net.safetensors'"));
        Assert.StartsWith("'net.safetensors' has no tensor 'c.bias', which layer 'c' of Net needs with shape [4]", missing.Message);
    }

    [Fact]
    public void ExportOnnx_on_a_generated_module_writes_its_current_weights()
    {
        const string text = "model Small\n  input 1x12x12\n  conv2d 6, 3, activation=relu\n  batchnorm2d\n  maxpool2d 2\n  flatten\n  dense 4, activation=softmax\n";
        var path = Path.Combine(folder, "net.cnn");
        File.WriteAllText(path, text);
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(text));
        using var module = LoadedModels.Create(assembly, "Models.Small");
        TorchSharp.torch.manual_seed(5);
        using (TorchSharp.torch.no_grad())
            foreach (var parameter in module.parameters())
                parameter.normal_(0, 0.5);
        module.ExportOnnx(Path.Combine(folder, "small.onnx"), cnnFile: path);
        var shapes = new[] { new long[] { 1, 12, 12 } };
        var comparisons = TorchVsOnnx.Compare(module, Compile(text), shapes, seed: 2, "Small", File.ReadAllBytes(Path.Combine(folder, "small.onnx")));
        TorchVsOnnx.AssertEqual(comparisons, shapes, "Small exported by ExportOnnx");
        Assert.True(comparisons[0].MaxMagnitude > 0.3, "softmax outputs of a perturbed model should not be uniform");
    }
}
