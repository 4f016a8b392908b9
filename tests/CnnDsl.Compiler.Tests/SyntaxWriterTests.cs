using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Syntax;
using CnnDsl.Dsl.Text;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// A model written back as .cnn text (what a generated model carries for the ONNX export) binds to the model that was
/// checked: equal as data, layer by layer and block by block.
/// </summary>
public class SyntaxWriterTests
{
    /// <summary>Blocks and models with what the writer must spell back: groups, repeats with label templates, nested ifs,
    /// expressions with every operator, negative and fractional numbers, tuples, a zoo base and size variables.</summary>
    const string Features = """
        namespace Written.Blocks
        block Stage(c, shrink=true)
          repeat 2 as i
            unit{i + 1}: conv2d c, 3, padding=1
            if i % 2 == 0 and not shrink
              relu
            else
              if min(c, 8) >= max(2, -1 * -2)
                leaky_relu 0.125
              end
            end
          end
          if shrink
            pool: maxpool2d (2, 2), stride=2
          end
        namespace Written.Models
        model Staged
          input 3xHxW
          group features
            Stage 8
            Stage c=(8 + 4) // 3 * 2, shrink=false
          end
          batchnorm2d eps=1e-5, momentum=0.01
          global_avgpool2d
          dropout 0.25
          head: dense 10
        model Based = resnet18 classes=4
          input 3x32x32
        """;

    public static TheoryData<string> Texts => new()
    {
        Features,
        CourseModelTests.Models,
        SymbolicPropertyTests.Blocks + string.Concat(SymbolicPropertyTests.Models(40).Select(m => m.Text)),
    };

    /// <summary>The .cnn files of the examples, the template and the runtime tests.</summary>
    public static TheoryData<string> RepositoryFiles()
    {
        var root = RepoRoot();
        var files = new TheoryData<string>();
        foreach (var folder in new[] { "examples", "templates", Path.Combine("tests", "CnnDsl.Runtime.Tests", "Models") })
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.cnn", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar) && !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar)))
                files.Add(Path.GetRelativePath(root, file));
        return files;
    }

    static string RepoRoot([CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));

    [Theory]
    [MemberData(nameof(RepositoryFiles))]
    public void Written_models_of_the_repositorys_files_bind_to_the_models_that_were_checked(string file) =>
        Written_models_bind_to_the_models_that_were_checked(File.ReadAllText(Path.Combine(RepoRoot(), file)));

    [Theory]
    [MemberData(nameof(Texts))]
    public void Written_models_bind_to_the_models_that_were_checked(string text)
    {
        var compiled = CnnCompilation.Compile(text, "net.cnn");
        Assert.Empty(compiled.Diagnostics);
        Assert.NotEmpty(compiled.Models);
        foreach (var model in compiled.Models)
        {
            var written = SyntaxWriter.Write(compiled.Syntax.Models.Single(m => m.Name.Text == model.Name), compiled.Syntax.Blocks);
            Assert.Equal(model, CnnCompilation.BindWritten(written, model.Name, "net.cnn"));
        }
    }

    [Fact]
    public void A_model_without_a_namespace_comes_before_blocks_that_have_one()
    {
        var compiled = CnnCompilation.Compile("model Net\n  input 3x8x8\n  Pair 4\nnamespace Shared\nblock Pair(c)\n  conv2d c, 1\n  conv2d c, 1\n", "net.cnn");
        Assert.Empty(compiled.Diagnostics);
        var written = SyntaxWriter.Write(compiled.Syntax.Models[0], compiled.Syntax.Blocks);
        Assert.Equal("model Net\n  input 3x8x8\n  Pair 4\nnamespace Shared\nblock Pair(c)\n  conv2d c, 1\n  conv2d c, 1\n", written);
        Assert.Equal(compiled.Models[0], CnnCompilation.BindWritten(written, "Net", "net.cnn"));
    }

    [Fact]
    public void The_zoos_blocks_written_back_parse_and_write_the_same_text_again()
    {
        var model = CnnCompilation.Compile("model Net\n  input 1x8x8\n  relu\n").Syntax.Models[0];
        var written = SyntaxWriter.Write(model, Zoo.Blocks.Select(b => b with { Namespace = null }));
        var diagnostics = new DiagnosticBag();
        var reparsed = Parser.Parse(SourceText.From(written, "zoo.cnn"), diagnostics);
        Assert.Empty(diagnostics);
        Assert.Equal(Zoo.Blocks.Count, reparsed.Blocks.Count);
        Assert.Equal(written, SyntaxWriter.Write(reparsed.Models[0], reparsed.Blocks));
    }

    [Fact]
    public void Text_that_does_not_check_is_an_error_naming_the_first_diagnostic()
    {
        var error = Assert.Throws<System.InvalidOperationException>(() => CnnCompilation.BindWritten("model Net\n  input 3x8x8\n  conv2d\n", "Net", "net.cnn"));
        Assert.Contains("CNN", error.Message);
        Assert.Throws<System.InvalidOperationException>(() => CnnCompilation.BindWritten("model Net\n  input 3x8x8\n  relu\n", "Other", "net.cnn"));
    }
}
