using System.Linq;
using BenchmarkDotNet.Attributes;
using CnnDsl.Dsl;
using Microsoft.CodeAnalysis;

namespace CnnDsl.Benchmarks;

/// <summary>
/// Compile-time checking of the zoo's large models and of graph models (residual adds, Inception-style concats,
/// blocks): the Dsl check alone, and the generator's full run (check and emit) on one file.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
[MemoryDiagnoser]
public class ZooBenchmarks
{
    public const string ResNet50 = "model ResNet50 = resnet50\n  input 3x224x224\n";
    public const string ResNet50Symbolic = "model ResNet50 = resnet50\n  input 3xHxW\n";
    public const string MobileNetV2 = "model MobileNetV2 = mobilenet_v2\n  input 3x224x224\n";

    /// <summary>A residual stage with blocks and an Inception-style module, as the tests' graph models.</summary>
    public const string GraphModels = """
        block BasicBlock(channels, stride=1)
          conv1: conv2d channels, 3, stride=stride, padding=1, bias=false
          bn1: batchnorm2d
          relu: relu
          conv2: conv2d channels, 3, padding=1, bias=false
          bn2: batchnorm2d
          add bn2, input
          relu

        model GraphNet
          input 3x32x32
          stem: conv2d 32, kernel=3, padding=same, activation=relu
          layer1.0: BasicBlock 32
          layer1.1: BasicBlock 32
          branch1: conv2d 16, kernel=1, activation=relu, from=layer1.1
          branch3_reduce: conv2d 8, kernel=1, activation=relu, from=layer1.1
          branch3: conv2d 16, kernel=3, padding=same, activation=relu
          branch_pool: maxpool2d 3, stride=1, padding=same, from=layer1.1
          branch_pool_proj: conv2d 8, kernel=1, activation=relu
          mixed: concat branch1, branch3, branch_pool_proj
          global_avgpool2d
          dense 10
        """;

    [GlobalSetup]
    public void Setup()
    {
        // The zoo's .cnn files are parsed once per process; do that before measuring.
        Checks.AssertNoDiagnostics(CnnCompilation.Compile(ResNet50, "zoo.cnn"));
        Checks.AssertNoDiagnostics(CnnCompilation.Compile(ResNet50Symbolic, "zoo.cnn"));
        Checks.AssertNoDiagnostics(CnnCompilation.Compile(GraphModels, "graph.cnn"));
    }

    [Benchmark]
    public CnnCompilation CheckResNet50() => CnnCompilation.Compile(ResNet50, "zoo.cnn");

    /// <summary>The same with the input's height and width as variables: shapes as formulas, the accepted-size rule derived.</summary>
    [Benchmark]
    public CnnCompilation CheckResNet50Symbolic() => CnnCompilation.Compile(ResNet50Symbolic, "zoo.cnn");

    [Benchmark]
    public CnnCompilation CheckMobileNetV2() => CnnCompilation.Compile(MobileNetV2, "zoo.cnn");

    [Benchmark]
    public CnnCompilation CheckGraphModel() => CnnCompilation.Compile(GraphModels, "graph.cnn");

    /// <summary>The generator's whole run over a file holding ResNet-50: check and emit its C#.</summary>
    [Benchmark]
    public GeneratorDriver GenerateResNet50() => ModelProject.SingleFileDriver("/bench/resnet50.cnn", ResNet50);

    [Benchmark]
    public GeneratorDriver GenerateResNet50Symbolic() => ModelProject.SingleFileDriver("/bench/resnet50.cnn", ResNet50Symbolic);
}
