using System;
using System.Linq;
using CnnDsl.Compiler.Tests.Infrastructure;
using TorchSharp;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// Blocks belong to the project: one class per block, in the namespace of the file that defines it, used by models of
/// every file and by attribute models, and nameable from C#.
/// </summary>
public class ProjectBlockTests
{
    const string BlocksFile = """
        namespace Shared.Blocks
        # Two convolutions with a residual connection when the channels agree
        block pair(c, k=3)
          conv1: conv2d c, k, padding=same
          relu
          conv2: conv2d c, k, padding=same
          if in_channels == c
            add conv2, input
          end
        """;

    const string FirstModels = """
        namespace Vision.First
        model Small
          input 3x16x16
          pair 8
          pair 8
          global_avgpool2d
          dense 10
        """;

    const string SecondModels = """
        model Wide
          input 1x16x16
          pair 16, k=5
          flatten
          dense 2
        """;

    const string AttributeModelAndUserCode = """
        using CnnDsl;
        using TorchSharp;

        namespace Apps;

        [CnnModel(Input = "3x16x16")]
        [Block("pair 4", Name = "stem")]
        [Block("pair 4, k=1")]
        [GlobalAvgPool2d]
        [Dense(3)]
        public partial class FromAttributes;

        public static class UsesTheBlockClass
        {
            // The block's class is a module like any other: a user can build one directly.
            public static torch.Tensor Run(torch.Tensor x)
            {
                using var block = new Shared.Blocks.Pair(in_channels: 3, c: 3, k: 1);
                return block.call(x);
            }
        }
        """;

    static GeneratorResult RunProject() => GeneratorHarness.Run(
        new[] { ("/project/blocks.cnn", BlocksFile), ("/project/first.cnn", FirstModels), ("/project/Models/second.cnn", SecondModels) },
        new[] { AttributeModelAndUserCode });

    [Fact]
    public void One_class_per_block_in_its_files_namespace_serves_every_model_and_user_code()
    {
        var result = RunProject();
        Assert.Empty(result.CnnDiagnostics);
        Assert.Empty(result.CompilerDiagnostics);
        Assert.Equal(new[] { "Apps.FromAttributes.g.cs", "Models.Wide.g.cs", "Shared.Blocks.Pair.block.g.cs", "Vision.First.Small.g.cs" },
            result.HintNames.OrderBy(n => n, StringComparer.Ordinal));
        var block = result.GeneratedSource("Shared.Blocks.Pair.block.g.cs");
        Assert.Contains("namespace Shared.Blocks", block);
        Assert.Contains("public sealed class Pair : ", block);
        Assert.Contains("public Pair(long in_channels, long c, long k = 3)", block);
        foreach (var model in new[] { "Vision.First.Small.g.cs", "Models.Wide.g.cs", "Apps.FromAttributes.g.cs" })
        {
            var source = result.GeneratedSource(model);
            Assert.Contains("new global::Shared.Blocks.Pair(", source);
            Assert.DoesNotContain("class Pair", source);
        }
    }

    [Fact]
    public void The_shared_class_builds_each_use_with_its_own_arguments()
    {
        var result = RunProject();
        var assembly = LoadedModels.Load(result);
        using var small = LoadedModels.Create(assembly, "Vision.First.Small");
        // The first use gets 3 channels and has no residual; the second gets 8 and adds its input.
        Assert.Equal(new[] { "pair.conv1.weight", "pair.conv1.bias", "pair.conv2.weight", "pair.conv2.bias",
                "pair_1.conv1.weight", "pair_1.conv1.bias", "pair_1.conv2.weight", "pair_1.conv2.bias", "dense.weight", "dense.bias" },
            small.state_dict().Keys);
        Assert.Equal(new long[] { 8, 3, 3, 3 }, small.state_dict()["pair.conv1.weight"].shape);
        using var wide = LoadedModels.Create(assembly, "Models.Wide");
        Assert.Equal(new long[] { 16, 1, 5, 5 }, wide.state_dict()["pair.conv1.weight"].shape);
        using var output = wide.call(torch.randn(2, 1, 16, 16));
        Assert.Equal(new long[] { 2, 2 }, output.shape);

        using var fromAttributes = LoadedModels.Create(assembly, "Apps.FromAttributes");
        Assert.Equal(new[] { "stem.conv1.weight", "stem.conv1.bias", "stem.conv2.weight", "stem.conv2.bias",
                "pair.conv1.weight", "pair.conv1.bias", "pair.conv2.weight", "pair.conv2.bias", "dense.weight", "dense.bias" },
            fromAttributes.state_dict().Keys);
        Assert.Equal(new long[] { 4, 4, 1, 1 }, fromAttributes.state_dict()["pair.conv1.weight"].shape);

        // User code that builds the block class directly: k=1 and c equal to in_channels, so the residual is there.
        var run = assembly.GetType("Apps.UsesTheBlockClass", throwOnError: true)!.GetMethod("Run")!;
        using var x = torch.randn(1, 3, 5, 5);
        using var y = (torch.Tensor)run.Invoke(null, new object[] { x })!;
        Assert.Equal(new long[] { 1, 3, 5, 5 }, y.shape);
    }

    [Fact]
    public void A_block_attribute_with_a_mistake_is_reported_at_its_string()
    {
        var text = new MarkedText("using CnnDsl;\nnamespace Apps;\n[CnnModel(Input = \"3x16x16\")]\n[Block([|\"pair 4, kk=3\"|])]\npublic partial class Net;\n");
        var result = GeneratorHarness.Run(new[] { ("/project/blocks.cnn", BlocksFile) }, new[] { text.Text });
        var diagnostic = Assert.Single(result.CnnDiagnostics);
        Assert.Equal("CNN2002", diagnostic.Id);
        Assert.Contains("kk", diagnostic.GetMessage());
        var span = Assert.Single(text.Spans);
        Assert.Equal((span.Start, span.End), (diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.End));
    }

    [Fact]
    public void Zoo_blocks_are_internal_classes_in_the_zoo_namespace()
    {
        var result = GeneratorHarness.RunCnn("model Net = resnet18 classes=10\n  input 3xHxW\n", "/project/zoo.cnn");
        Assert.Empty(result.CnnDiagnostics);
        var block = result.GeneratedSource("CnnDsl.Zoo.ResnetBasicBlock.block.g.cs");
        Assert.Contains("namespace CnnDsl.Zoo", block);
        Assert.Contains("internal sealed class ResnetBasicBlock : ", block);
        LoadedModels.Load(result);
    }

    [Fact]
    public void A_model_named_like_a_block_class_is_reported_not_emitted()
    {
        var text = new MarkedText("namespace Shared.Blocks\nmodel [|Pair|]\n  input 3x8x8\n  conv2d 4, 3\n");
        var result = GeneratorHarness.Run(new[] { ("/project/blocks.cnn", BlocksFile), ("/project/clash.cnn", text.Text) });
        var diagnostic = Assert.Single(result.CnnDiagnostics);
        Assert.Equal("CNN2054", diagnostic.Id);
        Assert.Equal("Model 'Pair' has the name of the class generated for block 'pair' in namespace Shared.Blocks; rename the model or the block", diagnostic.GetMessage());
        var span = Assert.Single(text.Spans);
        Assert.Equal((span.Start, span.End), (diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.End));
        Assert.DoesNotContain("Shared.Blocks.Pair.g.cs", result.HintNames);
    }

    [Fact]
    public void A_block_attribute_with_from_reads_the_named_layer_as_its_cnn_twin_does()
    {
        // Two branches from the stem, one through each use of the block, joined by add: From = "stem" on the second use
        // must make it read the stem, not the first branch, exactly as "from=stem" does in a .cnn file.
        var result = GeneratorHarness.Run(
            new[]
            {
                ("/project/blocks.cnn", BlocksFile),
                ("/project/twin.cnn", "namespace Apps\nmodel CnnForked\n  input 3x16x16\n  stem: conv2d 4, 1\n  left: pair 4\n  right: pair 4, k=1, from=stem\n  add left, right\n  global_avgpool2d\n  dense 3\n"),
            },
            new[]
            {
                """
                using CnnDsl;
                namespace Apps;
                [CnnModel(Input = "3x16x16")]
                [Conv2d(4, 1, Name = "stem")]
                [Block("pair 4", Name = "left")]
                [Block("pair 4, k=1", Name = "right", From = "stem")]
                [Add("left", "right")]
                [GlobalAvgPool2d]
                [Dense(3)]
                public partial class AttributeForked;
                """,
            });
        Assert.Empty(result.CnnDiagnostics);
        Assert.Empty(result.CompilerDiagnostics);
        var assembly = LoadedModels.Load(result);
        using var fromAttributes = LoadedModels.Create(assembly, "Apps.AttributeForked");
        using var fromCnn = LoadedModels.Create(assembly, "Apps.CnnForked");
        Assert.Equal(fromCnn.state_dict().Keys, fromAttributes.state_dict().Keys);
        fromAttributes.load_state_dict(fromCnn.state_dict());
        fromAttributes.eval();
        fromCnn.eval();
        using var x = torch.randn(2, 3, 16, 16);
        using var expected = fromCnn.call(x);
        using var actual = fromAttributes.call(x);
        // Ignoring From would chain 'right' after 'left' with the same keys and shapes, and compute another function.
        Assert.True(torch.allclose(expected, actual, rtol: 0, atol: 0), "the attribute model computes another function than its .cnn twin");
    }
}
