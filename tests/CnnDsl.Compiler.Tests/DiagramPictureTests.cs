using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using CnnDsl.Diagram;
using CnnDsl.Dsl;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// The README's diagrams in docs/images are what the compiler draws for their models today: the test fails when they
/// differ (CNNDSL_ACCEPT_SNAPSHOTS=1 rewrites them), so the pictures cannot drift from the code.
/// </summary>
public class DiagramPictureTests
{
    /// <summary>The README's ResNet block, with its model text as the README shows it.</summary>
    public const string ResNetBlock = """
        model ResNetBlock
          input 64xHxW
          layer2.0: resnet_basic_block 128, stride=2
        """;

    [Theory]
    [InlineData("diagram-course-cnn.svg", "examples/FashionMnist/Models/FashionCnn.cnn", false)]
    [InlineData("diagram-resnet-block.svg", null, true)]
    public void The_readme_diagrams_are_what_the_compiler_draws(string picture, string? modelFile, bool expand)
    {
        var root = RepositoryRoot();
        var text = modelFile == null ? ResNetBlock : File.ReadAllText(Path.Combine(root, modelFile));
        var compilation = CnnCompilation.Compile(text, modelFile ?? "resnet-block.cnn");
        Assert.Empty(compilation.Diagnostics);
        var expected = ModelDiagram.ToSvg(compilation.Models.Single(), new DiagramOptions { ExpandBlocks = expand });
        var path = Path.Combine(root, "docs", "images", picture);
        if (Environment.GetEnvironmentVariable("CNNDSL_ACCEPT_SNAPSHOTS") == "1" && !Infrastructure.PyTorchOracle.OnCi)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, expected);
        }
        Assert.True(File.Exists(path), $"{path} is missing; run the tests once with CNNDSL_ACCEPT_SNAPSHOTS=1 to write it.");
        Assert.True(File.ReadAllText(path) == expected, $"{path} differs from the diagram drawn now; run the tests with CNNDSL_ACCEPT_SNAPSHOTS=1 and look at the new picture.");
    }

    static string RepositoryRoot([CallerFilePath] string testFile = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(testFile)!, "..", ".."));
}
