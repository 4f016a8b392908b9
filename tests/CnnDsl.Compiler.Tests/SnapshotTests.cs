using System.Linq;
using CnnDsl.Compiler.Tests.Infrastructure;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>The generated code itself, reviewed once and kept in Snapshots/*.verified.cs; each must also compile cleanly.</summary>
public class SnapshotTests
{
    [Theory]
    [InlineData("MnistCnn")]
    [InlineData("FashionCnn")]
    [InlineData("CifarCnn")]
    public void Course_models(string name)
    {
        var result = GeneratorHarness.RunCnn(CourseModelTests.Models, "/project/Models/course.cnn");
        Assert.Empty(result.CnnDiagnostics);
        Assert.Empty(result.CompilerDiagnostics);
        Snapshot.Verify(name, result.GeneratedSource("Models." + name + ".g.cs"));
    }

    [Fact]
    public void Batch_norm_dropout_and_activation_layers()
    {
        var result = GeneratorHarness.RunCnn("""
            namespace Course.Regularized
            # Batch norm and dropout after each block, as in the course's regularised MNIST model
            model RegularizedCnn
              input 1x28x28
              conv2d 32, kernel=3, padding=1, bias=false
              batchnorm2d
              relu
              maxpool2d 2
              conv2d 64, kernel=(3, 3), padding=same
              batchnorm2d momentum=0.01
              relu
              avgpool2d 2
              flatten
              hidden: dense 128
              batchnorm1d
              tanh
              dropout 0.5
              dense 10
              log_softmax
            """, "/project/regularized.cnn");
        Assert.Empty(result.CnnDiagnostics);
        Assert.Empty(result.CompilerDiagnostics);
        Snapshot.Verify("RegularizedCnn", result.GeneratedSource("Course.Regularized.RegularizedCnn.g.cs"));
    }

    [Fact]
    public void Keras_same_padding_with_strides_and_uneven_pools()
    {
        var result = GeneratorHarness.RunCnn("""
            model StridedSame
              input 3x31x31
              conv2d 16, kernel=4, stride=2, padding=same, activation=relu
              maxpool2d 3, stride=2, padding=same
              conv2d 32, kernel=(3, 5), dilation=2, padding=((1, 2), (3, 4)), activation=sigmoid
              avgpool2d 2, padding=same
              maxpool2d 3, stride=2, ceil_mode=true
              flatten
              dense 10, activation=softmax
            """);
        Assert.Empty(result.CnnDiagnostics);
        Assert.Empty(result.CompilerDiagnostics);
        Snapshot.Verify("StridedSame", result.GeneratedSource("Models.StridedSame.g.cs"));
    }

    [Fact]
    public void Attribute_model()
    {
        var result = GeneratorHarness.RunCSharp("""
            using CnnDsl;

            namespace Models;

            [CnnModel(Input = "1x28x28")]
            [Conv2d(32, Kernel = 3, Activation = Activation.ReLU)]
            [MaxPool2d(2)]
            [Conv2d(64, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
            [MaxPool2d(2, Name = "pool")]
            [Flatten]
            [Dense(10, Activation = Activation.Softmax, Name = "classifier")]
            public partial class AttributeCnn;
            """);
        Assert.Empty(result.CnnDiagnostics);
        Assert.Empty(result.CompilerDiagnostics);
        Snapshot.Verify("AttributeCnn", result.GeneratedSource("Models.AttributeCnn.g.cs"));
    }

    [Fact]
    public void Attribute_and_cnn_forms_generate_the_same_module()
    {
        var fromAttributes = GeneratorHarness.RunCSharp("""
            using CnnDsl;
            namespace Models;
            [CnnModel(Input = "3x32x32")]
            [Conv2d(32, 5, Padding = Padding.Same, Activation = Activation.ReLU)]
            [MaxPool2d(2)]
            [Conv2d(64, Kernel = new[] { 3, 5 }, Stride = 2, Padding = new[] { 1, 2 })]
            [BatchNorm2d]
            [Flatten]
            [Dropout(0.25)]
            [Dense(10, Bias = false)]
            [Softmax]
            public partial class Twin;
            """).GeneratedSource("Models.Twin.g.cs");
        var fromCnn = GeneratorHarness.RunCnn("""
            model Twin
              input 3x32x32
              conv2d 32, 5, padding=same, activation=relu
              maxpool2d 2
              conv2d 64, kernel=(3, 5), stride=2, padding=(1, 2)
              batchnorm2d
              flatten
              dropout 0.25
              dense 10, bias=false
              softmax
            """, "/project/Source0.cnn").GeneratedSource("Models.Twin.g.cs");
        // The carried .cnn text spells each form's values as written (relu, Activation.ReLU); the rest is one module.
        Assert.Contains("conv2d 32, 5, padding=Same, activation=ReLU", fromAttributes);
        Assert.Equal(
            GeneratorHarness.WithoutCnnSource(fromCnn).Replace("public sealed partial class Twin", "partial class Twin"),
            GeneratorHarness.WithoutCnnSource(fromAttributes).Replace("Source0.cs", "Source0.cnn"));
    }

    public const string GraphModels = """
        # A residual stage: the shortcut is added back after two convolutions
        model ResidualNet
          input 3x32x32
          stem: conv2d 16, kernel=3, padding=1, bias=false
          stem_bn: batchnorm2d
          stem_relu: relu
          conv2d 16, kernel=3, padding=1, bias=false
          batchnorm2d
          relu
          conv2d 16, kernel=3, padding=1, bias=false
          residual: batchnorm2d
          add residual, stem_relu
          block_out: relu
          down: conv2d 32, kernel=3, stride=2, padding=1, bias=false
          down_bn: batchnorm2d
          shortcut: conv2d 32, kernel=1, stride=2, bias=false, from=block_out
          shortcut_bn: batchnorm2d
          add down_bn, shortcut_bn
          relu
          global_avgpool2d
          fc: dense 10

        # An Inception-style module: four branches joined along the channels
        model InceptionNet
          input 3x32x32
          stem: conv2d 32, kernel=3, padding=same, activation=relu
          branch1: conv2d 16, kernel=1, activation=relu, from=stem
          branch3_reduce: conv2d 8, kernel=1, activation=relu, from=stem
          branch3: conv2d 16, kernel=3, padding=same, activation=relu
          branch5_reduce: conv2d 4, kernel=1, activation=relu, from=stem
          branch5: conv2d 8, kernel=5, padding=same, activation=relu
          branch_pool: maxpool2d 3, stride=1, padding=same, from=stem
          branch_pool_proj: conv2d 8, kernel=1, activation=relu
          mixed: concat branch1, branch3, branch5, branch_pool_proj
          global_avgpool2d
          dense 10
        """;

    [Theory]
    [InlineData("ResidualNet")]
    [InlineData("InceptionNet")]
    public void Graph_models(string name)
    {
        var result = GeneratorHarness.RunCnn(GraphModels, "/project/graphs.cnn");
        Assert.Empty(result.CnnDiagnostics);
        Assert.Empty(result.CompilerDiagnostics);
        Snapshot.Verify(name, result.GeneratedSource("Models." + name + ".g.cs"));
    }

    public const string GroupedModel = """
        # Dotted names make nested Sequentials, so the state_dict keys are PyTorch's (here a small VGG-style net)
        model SmallVgg
          input 3x32x32
          features.0: conv2d 16, kernel=3, padding=1
          features.1: batchnorm2d
          features.2: relu
          features.3: maxpool2d 2
          features.4: conv2d 32, kernel=3, padding=1
          features.5: batchnorm2d
          features.6: relu
          features.7: maxpool2d 2
          avgpool: adaptive_avgpool2d (2, 2)
          flatten
          classifier.0: dense 64
          classifier.1: relu
          classifier.2: dropout 0.5
          classifier.3.fc: dense 10
        """;

    [Fact]
    public void Groups_number_every_member_and_give_the_same_module_as_dotted_names()
    {
        var grouped = GeneratorHarness.RunCnn("""
            # Dotted names make nested Sequentials, so the state_dict keys are PyTorch's (here a small VGG-style net)
            model SmallVgg
              input 3x32x32
              group features
                conv2d 16, kernel=3, padding=1
                batchnorm2d
                relu
                maxpool2d 2
                conv2d 32, kernel=3, padding=1
                batchnorm2d
                relu
                maxpool2d 2
              end
              avgpool: adaptive_avgpool2d (2, 2)
              flatten
              group classifier
                dense 64
                relu
                dropout 0.5
                group
                  fc: dense 10
                end
              end
            """, "/project/vgg.cnn");
        Assert.Empty(grouped.CnnDiagnostics);
        var dotted = GeneratorHarness.RunCnn(GroupedModel, "/project/vgg.cnn");
        Assert.Equal(dotted.GeneratedSource("Models.SmallVgg.g.cs"), grouped.GeneratedSource("Models.SmallVgg.g.cs"));
    }

    [Fact]
    public void Grouped_model()
    {
        var result = GeneratorHarness.RunCnn(GroupedModel, "/project/vgg.cnn");
        Assert.Empty(result.CnnDiagnostics);
        Assert.Empty(result.CompilerDiagnostics);
        Snapshot.Verify("SmallVgg", result.GeneratedSource("Models.SmallVgg.g.cs"));
    }

    public const string BlockModel = """
        # ResNet's two residual blocks; each use is checked with its own arguments and shapes
        block BasicBlock(channels, stride=1)
          conv1: conv2d channels, 3, stride=stride, padding=1, bias=false
          bn1: batchnorm2d
          relu: relu
          conv2: conv2d channels, 3, padding=1, bias=false
          bn2: batchnorm2d
          add bn2, input
          relu

        block DownBlock(channels, stride=2)
          conv1: conv2d channels, 3, stride=stride, padding=1, bias=false
          bn1: batchnorm2d
          relu: relu
          conv2: conv2d channels, 3, padding=1, bias=false
          bn2: batchnorm2d
          downsample.0: conv2d channels, 1, stride=stride, bias=false, from=input
          downsample.1: batchnorm2d
          add bn2, downsample.1
          relu

        model TinyResNet
          input 3x32x32
          conv1: conv2d 16, 3, padding=1, bias=false
          bn1: batchnorm2d
          relu: relu
          layer1.0: BasicBlock 16
          layer1.1: BasicBlock 16
          layer2.0: DownBlock 32
          layer2.1: BasicBlock 32
          layer3.0: DownBlock 64, stride=2
          layer3.1: BasicBlock 64
          avgpool: global_avgpool2d
          fc: dense 10
        """;

    [Fact]
    public void Block_model()
    {
        var result = GeneratorHarness.RunCnn(BlockModel, "/project/resnet.cnn");
        Assert.Empty(result.CnnDiagnostics);
        Assert.Empty(result.CompilerDiagnostics);
        Assert.Equal(new[] { "Models.BasicBlock.block.g.cs", "Models.DownBlock.block.g.cs", "Models.TinyResNet.g.cs" }, result.HintNames.OrderBy(n => n, System.StringComparer.Ordinal));
        Snapshot.Verify("TinyResNet", result.AllSources);
    }

    [Theory]
    [InlineData("resnet18", "ResNet18")]
    [InlineData("mobilenet_v2", "MobileNetV2")]
    public void Zoo_models(string zooModel, string name)
    {
        var result = GeneratorHarness.RunCnn($"model {name} = {zooModel} classes=10\n  input 3x224x224\n", "/project/zoo.cnn");
        Assert.Empty(result.CnnDiagnostics);
        Assert.Empty(result.CompilerDiagnostics);
        result.GeneratedSource("Models." + name + ".g.cs");
        Snapshot.Verify(name, result.AllSources);
    }
}
