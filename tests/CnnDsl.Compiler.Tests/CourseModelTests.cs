using System.Linq;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>The course's three CNNs: what the compiler says equals what the generated TorchSharp module does.</summary>
public class CourseModelTests
{
    public const string Models = """
        # (a) the first MNIST CNN
        model MnistCnn
          input 1x28x28
          conv2d 32, kernel=3, activation=relu
          maxpool2d 2
          conv2d 64, kernel=3, activation=relu
          maxpool2d 2
          conv2d 128, kernel=3, activation=relu
          flatten
          dense 10, activation=softmax

        # (b) the Fashion-MNIST CNN
        model FashionCnn
          input 1x28x28
          conv2d 32, kernel=5, padding=same, activation=relu
          maxpool2d 2
          conv2d 64, kernel=5, padding=same, activation=relu
          maxpool2d 2
          flatten
          dense 1000, activation=relu
          dropout 0.25
          dense 10

        # (c) the CIFAR-10 CNN
        model CifarCnn
          input 3x32x32
          conv2d 32, kernel=5, padding=same, activation=relu
          maxpool2d 2
          conv2d 32, kernel=5, padding=same, activation=relu
          maxpool2d 2
          conv2d 64, kernel=5, padding=same, activation=relu
          maxpool2d 2
          flatten
          dense 64, activation=relu
          dense 10
        """;

    [Theory]
    [InlineData("ResidualNet")]
    [InlineData("InceptionNet")]
    public void Graph_models_have_equal_compile_time_and_run_time_facts(string name)
    {
        var compileTime = CnnCompilation.Compile(SnapshotTests.GraphModels, "graphs.cnn").Models.Single(m => m.Name == name);
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(SnapshotTests.GraphModels));
        using var module = LoadedModels.Create(assembly, "Models." + name);
        var runTime = LoadedModels.Measure(module, compileTime.InputShape.Sizes);
        Assert.Equal(compileTime.OutputShape.Sizes, runTime.OutputShape);
        Assert.Equal(compileTime.ParameterCount, runTime.Parameters);
        Assert.Equal(compileTime.StateCount, runTime.State);
        var modules = compileTime.Layers.Where(l => l.Config.HasModule).ToList();
        Assert.Equal(modules.Select(l => l.Name), runTime.Layers.Select(l => l.Name));
        Assert.Equal(modules.Select(l => string.Join("x", l.OutputShape.Dimensions)), runTime.Layers.Select(l => string.Join("x", l.Shape)));
    }

    [Fact]
    public void Dotted_names_give_pytorch_state_dict_keys()
    {
        var compileTime = CnnCompilation.Compile(SnapshotTests.GroupedModel, "vgg.cnn").Models.Single();
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(SnapshotTests.GroupedModel));
        using var module = LoadedModels.Create(assembly, "Models.SmallVgg");
        var runTime = LoadedModels.Measure(module, compileTime.InputShape.Sizes);
        Assert.Equal(new[]
        {
            "features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias", "features.1.running_mean", "features.1.running_var",
            "features.1.num_batches_tracked", "features.4.weight", "features.4.bias", "features.5.weight", "features.5.bias",
            "features.5.running_mean", "features.5.running_var", "features.5.num_batches_tracked",
            "classifier.0.weight", "classifier.0.bias", "classifier.3.fc.weight", "classifier.3.fc.bias",
        }.Order(), runTime.StateDictKeys.Order());
        Assert.Equal(compileTime.ParameterCount, runTime.Parameters);
        Assert.Equal(compileTime.OutputShape.Sizes, runTime.OutputShape);
    }

    [Fact]
    public void Blocks_give_torchvision_style_keys_and_equal_facts()
    {
        var compileTime = CnnCompilation.Compile(SnapshotTests.BlockModel, "resnet.cnn").Models.Single();
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(SnapshotTests.BlockModel));
        using var module = LoadedModels.Create(assembly, "Models.TinyResNet");
        var runTime = LoadedModels.Measure(module, compileTime.InputShape.Sizes);
        Assert.Equal(compileTime.ParameterCount, runTime.Parameters);
        Assert.Equal(compileTime.StateCount, runTime.State);
        Assert.Equal(compileTime.OutputShape.Sizes, runTime.OutputShape);
        Assert.Contains("layer2.0.downsample.1.running_var", runTime.StateDictKeys);
        Assert.Contains("layer1.1.bn2.weight", runTime.StateDictKeys);
        Assert.Contains("layer3.0.conv1.weight", runTime.StateDictKeys);
        Assert.Equal(new[] { "conv1", "bn1", "relu", "layer1", "layer2", "layer3", "avgpool", "fc" }, module.named_children().Select(c => c.name));
        var layer2 = compileTime.Layers.Single(l => l.Name == "layer2.0");
        Assert.Equal("32x16x16", layer2.OutputShape.ToString());
    }

    [Theory]
    [InlineData("MnistCnn", 104_202L)]
    [InlineData("FashionCnn", 3_199_106L)]
    [InlineData("CifarCnn", 145_578L)]
    public void Compile_time_shapes_and_counts_equal_the_generated_module_at_run_time(string name, long expectedParameters)
    {
        var compileTime = CnnCompilation.Compile(Models, "course.cnn").Models.Single(m => m.Name == name);
        var result = GeneratorHarness.RunCnn(Models);
        Assert.Empty(result.CnnDiagnostics);
        var assembly = LoadedModels.Load(result);
        using var module = LoadedModels.Create(assembly, "Models." + name);
        var runTime = LoadedModels.Measure(module, compileTime.InputShape.Sizes);

        Assert.Equal(expectedParameters, compileTime.ParameterCount);
        Assert.Equal(expectedParameters, runTime.Parameters);
        Assert.Equal(compileTime.OutputShape.Sizes, runTime.OutputShape);
        Assert.Equal(compileTime.Layers.Select(l => l.Name), runTime.Layers.Select(l => l.Name));
        for (int i = 0; i < compileTime.Layers.Count; i++)
        {
            Assert.Equal(compileTime.Layers[i].OutputShape.Sizes, runTime.Layers[i].Shape);
            Assert.Equal(compileTime.Layers[i].Config.Parameters.Constant, runTime.Layers[i].Parameters);
        }
        Assert.Equal(compileTime.StateCount, runTime.State);
    }

    [Fact]
    public void Generated_constants_and_model_info_agree_with_the_compiler()
    {
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(Models));
        var type = assembly.GetType("Models.MnistCnn")!;
        Assert.Equal(104_202L, type.GetField("ParameterCount")!.GetValue(null));
        var info = (CnnModelInfo)type.GetProperty("ModelInfo")!.GetValue(null)!;
        Assert.Equal(OutputActivation.Softmax, info.OutputActivation);
        Assert.Equal(new long[] { 10 }, info.OutputShape);
        Assert.Equal(CnnCompilation.Compile(Models).Models[0].FormatSummary(), info.Summary);
    }

    [Fact]
    public void Forward_rejects_a_wrong_input_shape_with_a_message_naming_model_and_shapes()
    {
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(Models));
        using var module = LoadedModels.Create(assembly, "Models.FashionCnn");
        using var wrong = TorchSharp.torch.zeros(4, 28, 28, 1);
        var error = Assert.Throws<InputShapeException>(() => module.call(wrong));
        Assert.Equal("FashionCnn expects input of shape (N, 1, 28, 28) (N, C, H, W), but got (4, 28, 28, 1). The input looks channels-last (N, H, W, C); permute it with input.permute(0, 3, 1, 2).", error.Message.Split(" (Parameter")[0]);
        using var unbatched = TorchSharp.torch.zeros(1, 28, 28);
        Assert.Contains("Add a batch dimension", Assert.Throws<InputShapeException>(() => module.call(unbatched)).Message);
    }

    [PyTorchFact]
    public void Parameter_counts_and_shapes_equal_pytorch()
    {
        var models = CnnCompilation.Compile(Models, "course.cnn").Models;
        var oracle = PyTorchOracle.Measure(models);
        Assert.Equal(new[] { 104_202L, 3_199_106L, 145_578L }, oracle.Select(f => f.Parameters));
        for (int i = 0; i < models.Count; i++)
            Assert.Equal(models[i].Layers.Select(l => l.OutputShape.Sizes), oracle[i].LayerShapes);
    }
}
