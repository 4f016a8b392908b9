using System.Linq;
using CnnDsl.Compiler.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// Names that used to break the generated C#: each is either escaped, so the output compiles, or reported with the
/// reason and a name to use instead. Every case runs the real generator and compiles what it produced.
/// </summary>
public class NameTests
{
    const string Body = "  input 1x4x4\n  flatten\n";

    [Theory]
    [InlineData("var", "'var' is a C# contextual keyword, which the generated class cannot be named; use 'Var' or another name")]
    [InlineData("record", "'record' is a C# contextual keyword, which the generated class cannot be named; use 'Record' or another name")]
    [InlineData("nameof", "'nameof' is a C# contextual keyword, which the generated class cannot be named; use 'Nameof' or another name")]
    [InlineData("ModelInfo", "the generated class has a member 'ModelInfo' already; use 'ModelInfoModel' or another name")]
    [InlineData("forward", "the generated class has a member 'forward' already; use 'Forward' or another name")]
    public void A_model_name_the_generated_class_cannot_carry_is_reported_at_the_name(string name, string reason)
    {
        var result = GeneratorHarness.RunCnn("model " + name + "\n" + Body);
        var diagnostic = Assert.Single(result.CnnDiagnostics);
        Assert.Equal("CNN2020", diagnostic.Id);
        Assert.Equal("'" + name + "' cannot name a model: " + reason, diagnostic.GetMessage());
        Assert.Equal(6, diagnostic.Location.SourceSpan.Start);
        Assert.Equal(name.Length, diagnostic.Location.SourceSpan.Length);
        Assert.Empty(result.HintNames);
    }

    [Fact]
    public void An_attribute_model_class_named_var_is_reported()
    {
        var result = GeneratorHarness.RunCSharp("using CnnDsl;\nnamespace Models;\n[CnnModel(Input = \"4\")]\n[Dense(2)]\npartial class var;\n");
        var diagnostic = Assert.Single(result.CnnDiagnostics);
        Assert.Equal("CNN2020", diagnostic.Id);
        Assert.StartsWith("'var' cannot name a model: 'var' is a C# contextual keyword", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("A.class", "namespace A.@class")]
    [InlineData("true", "namespace @true")]
    [InlineData("Models.Ω", "namespace Models.Ω")]
    public void A_namespace_with_a_keyword_part_is_escaped_and_compiles(string ns, string expected)
    {
        var result = GeneratorHarness.RunCnn("namespace " + ns + "\nmodel Net\n" + Body);
        Assert.Empty(result.CnnDiagnostics);
        var source = Assert.Single(result.RunResult.Results[0].GeneratedSources).SourceText.ToString();
        Assert.Contains(expected + "\n", source);
        AssertCompiles(result);
    }

    [Fact]
    public void A_namespace_part_the_generated_code_uses_as_a_keyword_is_reported()
    {
        var result = GeneratorHarness.RunCnn("namespace nameof.T\nmodel Net\n" + Body);
        var diagnostic = Assert.Single(result.CnnDiagnostics);
        Assert.Equal("CNN2020", diagnostic.Id);
        Assert.Equal("'nameof.T' cannot name a namespace: 'nameof' is a C# contextual keyword, which the generated code cannot use as a namespace; use 'Nameof' or another name", diagnostic.GetMessage());
    }

    [Fact]
    public void An_escaped_namespace_and_class_in_csharp_get_a_valid_file_name_and_do_not_take_other_models_down()
    {
        var result = GeneratorHarness.RunCSharp(
            "using CnnDsl;\nnamespace @class\n{\n    [CnnModel(Input = \"4\")]\n    [Dense(2)]\n    public partial class Net;\n}\n" +
            "namespace Other\n{\n    [CnnModel(Input = \"4\")]\n    [Dense(3)]\n    public partial class Net;\n}\n");
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id is "CS8785" or "CS8784");
        Assert.Empty(result.CnnDiagnostics);
        Assert.Equal(new[] { "Other.Net.g.cs", "class.Net.g.cs" }.OrderBy(n => n), result.HintNames.OrderBy(n => n));
        AssertCompiles(result);
    }

    [Fact]
    public void Models_whose_names_differ_only_in_case_get_distinct_files()
    {
        var result = GeneratorHarness.RunCnn("model Net\n" + Body + "model NET\n" + Body);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id is "CS8785" or "CS8784");
        Assert.Empty(result.CnnDiagnostics);
        Assert.Equal(2, result.HintNames.Count);
        Assert.Equal(2, result.HintNames.Select(n => n.ToLowerInvariant()).Distinct().Count());
        AssertCompiles(result);
    }

    const string Head = "model Net\n  input 1x4x4\n";

    // A block's parameter may share a layer's name (the constructor assigns this.conv), and a block named like a
    // member of the module gives its unnamed use a numbered name.
    [Theory]
    [InlineData("block Blk(conv, c)\n  conv: conv2d c, 1\n" + Head + "  Blk 2, 3\n", "blk")]
    [InlineData("block scope(c)\n  conv2d c, 1\n" + Head + "  scope 2\n", "scope_1")]
    public void Names_a_block_brings_are_fitted_and_compile(string cnn, string layer)
    {
        var result = GeneratorHarness.RunCnn(cnn);
        Assert.Empty(result.CnnDiagnostics);
        AssertCompiles(result);
        Assert.Contains("register_module(\"" + layer + "\", ", result.GeneratedSource("Models.Net.g.cs")
            .Replace("RegisterComponents();", "register_module(\"" + layer + "\", "));
    }

    // A block is a class of the project, named after it; names that are no class name are fitted, and two blocks of
    // one namespace whose names give one class (ignoring case: each class is a file) are numbered in order of name.
    // Layer and member names of the models do not matter: models name block classes in full.
    [Theory]
    [InlineData("block summary(c)\n  conv2d c, 1\n" + Head + "  summary 2\n", "Summary")]
    [InlineData("block __(c)\n  conv2d c, 1\n" + Head + "  __ 2\n", "Block")]
    [InlineData("block _1(c)\n  conv2d c, 1\n" + Head + "  _1 2\n", "Block1")]
    [InlineData("block Blk(c)\n  conv2d c, 1\n" + Head + "  Blk: Blk 2\n", "Blk")]
    [InlineData("block my_block(c)\n  conv2d c, 1\nblock myBlock(c)\n  conv2d c, 3, padding=1\n" + Head + "  my_block 2\n  myBlock 2\n", "MyBlock2")]
    [InlineData("block my_block(c)\n  conv2d c, 1\nblock myBlock(c)\n  conv2d c, 3, padding=1\n" + Head + "  my_block 2\n  myBlock 2\n", "MyBlock")]
    [InlineData("block Blk(a)\n  conv2d a, 1\nblock blk2(c)\n  conv2d c, 3, padding=1\n" + Head + "  blk2 2\n  Blk 2\n  Blk 3\n", "Blk2")]
    [InlineData("block Blk(a)\n  conv2d a, 1\n" + Head + "  Blk 2\n  Blk2: Blk 3\n", "Blk")]
    [InlineData("block tail(c)\n  dropout 0.5\n  relu\n" + Head + "  tail 1\n  flatten\n  tail 16\n", "TailFlat")]
    [InlineData("block tail(c)\n  dropout 0.5\n  relu\n" + Head + "  tail 1\n  flatten\n  tail 16\n", "Tail")]
    [InlineData("block line(c)\n  conv1d c, 1\nmodel Net\n  input 2x8\n  line 3\n", "Line")]
    public void A_block_whose_class_name_is_taken_gets_another_and_compiles(string cnn, string expectedClass)
    {
        var result = GeneratorHarness.RunCnn(cnn);
        Assert.Empty(result.CnnDiagnostics);
        AssertCompiles(result);
        var source = result.GeneratedSource("Models." + expectedClass + ".block.g.cs");
        Assert.Contains("public sealed class " + expectedClass + " : global::TorchSharp.torch.nn.Module", source);
        Assert.Contains("new global::Models." + expectedClass + "(", result.AllSources);
    }

    [Theory]
    [InlineData("[Dropout([|double.NaN|])]", "Argument 'rate' of layer 'dropout' is double.NaN, which is not a finite number; give a finite value")]
    [InlineData("[BatchNorm1d(Eps = [|double.PositiveInfinity|])]", "Argument 'eps' of layer 'batch_normalization' is double.PositiveInfinity, which is not a finite number; give a finite value")]
    [InlineData("[LeakyReLU([|float.NegativeInfinity|], Name = \"leaky\")]", "Argument 'slope' of layer 'leaky' is float.NegativeInfinity, which is not a finite number; give a finite value")]
    public void A_non_finite_attribute_number_is_reported_instead_of_emitted(string layer, string message)
    {
        var text = new MarkedText("using CnnDsl;\nnamespace Models;\n[CnnModel(Input = \"4\")]\n" + layer + "\npartial class Net;\n");
        var result = GeneratorHarness.RunCSharp(text.Text);
        var diagnostic = Assert.Single(result.CnnDiagnostics);
        Assert.Equal("CNN2029", diagnostic.Id);
        Assert.Equal(message, diagnostic.GetMessage());
        var span = Assert.Single(text.Spans);
        Assert.Equal((span.Start, span.End), (diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.End));
        Assert.Empty(result.HintNames);
    }

    static void AssertCompiles(GeneratorResult result)
    {
        var errors = result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.NotEmpty(result.HintNames);
    }
}
