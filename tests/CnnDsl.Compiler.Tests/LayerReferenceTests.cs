using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using CnnDsl.Dsl.Catalog;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// docs/layers.md, the reference of every layer kind, is written from the catalogue: this test fails when the file and
/// the catalogue disagree (CNNDSL_ACCEPT_SNAPSHOTS=1 rewrites it), so the reference cannot drift from the compiler.
/// </summary>
public class LayerReferenceTests
{
    [Fact]
    public void The_layer_reference_is_the_catalogue()
    {
        var path = Path.Combine(RepositoryRoot(), "docs", "layers.md");
        var expected = Reference();
        if (Environment.GetEnvironmentVariable("CNNDSL_ACCEPT_SNAPSHOTS") == "1" && !Infrastructure.PyTorchOracle.OnCi)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, expected);
        }
        Assert.True(File.Exists(path), $"{path} is missing; run the tests once with CNNDSL_ACCEPT_SNAPSHOTS=1 to write it.");
        Assert.True(File.ReadAllText(path) == expected, $"{path} differs from the catalogue; run the tests with CNNDSL_ACCEPT_SNAPSHOTS=1 and review the change.");
        foreach (var kind in LayerCatalog.All)
            Assert.Contains("\n## `" + kind.Name + "`", expected);
    }

    static string Reference()
    {
        var text = new StringBuilder();
        text.Append("# Layer reference\n\n");
        text.Append("Every layer kind of the `.cnn` language and its attribute, written from the compiler's catalogue ");
        text.Append("(`src/Dsl/Catalog/`; `tests/CnnDsl.Compiler.Tests/LayerReferenceTests.cs` keeps this file equal to it). ");
        text.Append("Arguments are written `name=value`; the positional ones may come first without their names, in the order shown. ");
        text.Append("An unnamed layer is named as Keras names it (`conv2d`, `conv2d_1`, ...), which is also its state_dict prefix. ");
        text.Append("Keras' and PyTorch's argument names are accepted too: `kernel_size` and `pool_size` for `kernel`, `strides` for `stride`, ");
        text.Append("`out_channels` for `filters`, `out_features` for `units`, `p` for `rate`, `num_features` and `in_planes` for `in_channels`.\n\n");
        text.Append("The PyTorch column names what `cnn export --pytorch` writes for the layer (a test checks that it does), the Keras column the layer a Keras model has in its place; ");
        text.Append("where they are not the same layer, the layer's section says how they differ. CnnDsl is NCHW, as PyTorch; Keras is NHWC by default. ");
        text.Append("A layer's name, and `from=` naming the layer it reads, are a tensor variable in PyTorch's `forward` and a tensor of Keras' functional API; ");
        text.Append("`add`, `concat` and `multiply` combine such tensors. A `block` (PyTorch: ").Append(Code(BlockLayer.Blocks.PyTorch)).Append("; Keras: ")
            .Append(Code(BlockLayer.Blocks.Keras)).Append("): ").Append(BlockLayer.Blocks.Note).Append("\n\n");
        text.Append("| Layer | Attribute | Unnamed layers are called | PyTorch | Keras | What it is |\n|---|---|---|---|---|---|\n");
        foreach (var kind in LayerCatalog.All)
            text.Append("| [`").Append(kind.Name).Append("`](#").Append(kind.Name).Append(") | `[").Append(kind.AttributeName).Append("]` | `")
                .Append(kind.DefaultLayerName).Append("` | ").Append(Cell(Code(kind.Equivalents.PyTorch))).Append(" | ").Append(Cell(Code(kind.Equivalents.Keras)))
                .Append(" | ").Append(Cell(kind.Description)).Append(" |\n");
        foreach (var kind in LayerCatalog.All)
        {
            text.Append("\n## `").Append(kind.Name).Append("`\n\n").Append(kind.Description).Append('\n');
            var positional = kind.PositionalParameters.Select(p => p.Name).ToList();
            text.Append("\n`").Append(kind.Name).Append(kind.TakesTensorOperands ? " a, b, ..." : positional.Count == 0 ? "" : " " + string.Join(", ", positional))
                .Append("` in a `.cnn` file; `[").Append(kind.AttributeName).Append("(...)]` on a class.\n");
            var equivalents = kind.Equivalents;
            text.Append("\nPyTorch: ").Append(Code(equivalents.PyTorch)).Append(". Keras: ").Append(Code(equivalents.Keras)).Append('.')
                .Append(equivalents.Note.Length == 0 ? "" : " " + equivalents.Note).Append('\n');
            if (kind.Parameters.Count == 0)
                continue;
            text.Append("\n| Argument | Attribute | Type | Default | Meaning |\n|---|---|---|---|---|\n");
            foreach (var parameter in kind.Parameters)
                text.Append("| `").Append(parameter.Name).Append('`').Append(parameter.Positional ? " (positional)" : "").Append(" | `")
                    .Append(parameter.AttributeName).Append("` | ").Append(parameter.Type).Append(" | ")
                    .Append(parameter.Required ? "required" : parameter.DefaultText == null ? "-" : "`" + parameter.DefaultText + "`").Append(" | ")
                    .Append(Cell(parameter.Description)).Append(" |\n");
        }
        return text.ToString();
    }

    [Fact]
    public void Every_layer_kind_has_a_PyTorch_and_a_Keras_equivalent()
    {
        var missing = LayerCatalog.All.Where(k => string.IsNullOrWhiteSpace(k.Equivalents.PyTorch) || string.IsNullOrWhiteSpace(k.Equivalents.Keras))
            .Select(k => k.Name).ToList();
        Assert.True(missing.Count == 0, "These layer kinds lack a PyTorch or Keras equivalent in the catalogue: " + string.Join(", ", missing));
        var unexplained = LayerCatalog.All.Where(k => (k.Equivalents.PyTorch == Equivalents.None || k.Equivalents.Keras == Equivalents.None) && k.Equivalents.Note.Length == 0)
            .Select(k => k.Name).ToList();
        Assert.True(unexplained.Count == 0, "These layer kinds have no equivalent in a framework and no note saying what to use: " + string.Join(", ", unexplained));
    }

    // Python code in backticks; "none" as a word.
    static string Code(string text) => text == Equivalents.None ? text : "`" + text + "`";

    static string Cell(string text) => text.Replace("|", "\\|").Replace("\n", " ");

    static string RepositoryRoot([CallerFilePath] string testFile = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(testFile)!, "..", ".."));
}
