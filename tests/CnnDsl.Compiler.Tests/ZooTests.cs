using System.Linq;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Catalog;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>The model zoo: torchvision's parameter counts and state_dict keys, from both model forms.</summary>
public class ZooTests
{
    public static TheoryData<string, string, long> Models => new()
    {
        { "alexnet", "3x224x224", 61_100_840 },
        { "vgg11", "3x224x224", 132_863_336 },
        { "vgg11_bn", "3x224x224", 132_868_840 },
        { "vgg16", "3x224x224", 138_357_544 },
        { "vgg16_bn", "3x224x224", 138_365_992 },
        { "vgg19", "3x224x224", 143_667_240 },
        { "vgg19_bn", "3x224x224", 143_678_248 },
        { "resnet18", "3x224x224", 11_689_512 },
        { "resnet34", "3x224x224", 21_797_672 },
        { "resnet50", "3x224x224", 25_557_032 },
        { "resnet101", "3x224x224", 44_549_160 },
        { "resnet152", "3x224x224", 60_192_808 },
        { "mobilenet_v2", "3x224x224", 3_504_872 },
        { "lenet5", "1x28x28", 61_706 },
        { "mobilenet", "3x224x224", 4_231_976 },
        { "xception", "3x299x299", 22_855_952 },
        { "mobilenet_v3_small", "3x224x224", 2_542_856 },
        { "mobilenet_v3_large", "3x224x224", 5_483_032 },
        { "efficientnet_b0", "3x224x224", 5_288_548 },
        { "densenet121", "3x224x224", 7_978_856 },
        { "googlenet", "3x224x224", 6_624_904 },
        { "inception_v3", "3x299x299", 23_834_568 },
        { "unet_small", "1x64x64", 1_940_817 },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Compile_time_parameter_counts_equal_torchvision(string zooModel, string input, long parameters)
    {
        var compilation = CnnCompilation.Compile($"model Net = {zooModel}\n  input {input}\n", "zoo.cnn");
        Assert.Empty(compilation.Diagnostics);
        Assert.Equal(parameters, compilation.Models.Single().ParameterCount);
    }

    [Fact]
    public void Every_zoo_model_is_tested()
    {
        Assert.Equal(Zoo.Models.OrderBy(m => m), Models.Select(row => (string)row[0]).OrderBy(m => m));
    }

    [Fact]
    public void A_zoo_model_for_ten_classes_on_cifar_images_is_checked_and_runs_from_both_forms()
    {
        var result = GeneratorHarness.Run(
            new[] { ("/project/cifar.cnn", "model CifarResNet = resnet18 classes=10\n  input 3x32x32\n") },
            new[] { "using CnnDsl;\nnamespace Models;\n[CnnModel(Input = \"3x32x32\", Base = \"resnet18 classes=10\")]\npublic partial class AttributeResNet;" });
        Assert.Empty(result.CnnDiagnostics);
        var assembly = LoadedModels.Load(result);
        foreach (var name in new[] { "CifarResNet", "AttributeResNet" })
        {
            using var module = LoadedModels.Create(assembly, "Models." + name);
            var facts = LoadedModels.Measure(module, new long[] { 3, 32, 32 });
            Assert.Equal(new long[] { 10 }, facts.OutputShape);
            Assert.Equal(11_689_512L - 512 * 1000 - 1000 + 512 * 10 + 10, facts.Parameters);
            Assert.Contains("layer4.1.bn2.running_var", facts.StateDictKeys);
        }
    }

    [Fact]
    public void A_zoo_model_on_too_small_images_is_a_compile_time_error_at_the_model()
    {
        var text = new MarkedText("model Tiny = [|alexnet classes=10|]\n  input 3x32x32\n");
        var result = GeneratorHarness.RunCnn(text.Text);
        var diagnostic = Assert.Single(result.CnnDiagnostics);
        Assert.Equal("CNN2011", diagnostic.Id);
        Assert.Equal((text.Spans[0].Start, text.Spans[0].End), (diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.End));
        Assert.StartsWith("Layer 'features.12' turns an input height of 1 into 0", diagnostic.GetMessage());
        Assert.Contains("(in block 'alexnet' at alexnet.cnn(15), used as 'Tiny')", diagnostic.GetMessage());
        // The same rule a 3xHxW AlexNet has says how large an input it needs (torchvision's AlexNet runs from 63x63).
        Assert.EndsWith("; the model needs an input of at least 63x63 (it is 32x32): resize the input or remove a pooling or strided stage", diagnostic.GetMessage());
    }
}
