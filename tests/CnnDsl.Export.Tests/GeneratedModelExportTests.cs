using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Export.Tests.Infrastructure;
using TorchSharp;
using Xunit;

namespace CnnDsl.Export.Tests;

/// <summary>
/// <c>model.ExportOnnx(path)</c>, written in the user's code beside the generated models: the model carries its checked
/// definition, so the file is byte for byte what the explicit-model overload writes, and ONNX Runtime computes what the
/// module computes.
/// </summary>
public class GeneratedModelExportTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-generated-export-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    const string Blocks = """
        namespace Shared.Blocks
        # Two convolutions, with a residual connection when the channels agree
        block pair(c, k=3)
          conv1: conv2d c, k, padding=same
          relu
          conv2: conv2d c, k, padding=same
          if in_channels == c
            add conv2, input
          end
        """;

    // One static method per model that calls model.ExportOnnx(path), as a user would write it.
    static string Exports(params string[] models) =>
        "using CnnDsl;\nnamespace Models;\npublic static class Exports\n{\n"
        + string.Concat(models.Select(m => $"    public static void {m}({m} model, string path) => model.ExportOnnx(path);\n"))
        + "}\n";

    /// <summary>
    /// Exports both ways; asserts equal files and outputs within 1e-4 at each input shape. Small models get larger random
    /// weights than PyTorch's initialisation gives, so that the outputs say something; deep ones keep their initialisation,
    /// whose outputs stay small enough for an absolute tolerance.
    /// </summary>
    void AssertExports(Assembly assembly, string name, BoundModel model, IReadOnlyList<long[]> shapes, bool perturb = true)
    {
        torch.manual_seed(7);
        using var module = LoadedModels.Create(assembly, "Models." + name);
        if (perturb)
        {
            using (torch.no_grad())
                foreach (var parameter in module.parameters())
                    parameter.normal_(0, 0.3);
        }
        var carried = Path.Combine(folder, name + ".onnx");
        var explicitly = Path.Combine(folder, name + ".explicit.onnx");
        assembly.GetType("Models.Exports", throwOnError: true)!.GetMethod(name)!.Invoke(null, new object[] { module, carried });
        module.ExportOnnx(explicitly, model);
        Assert.Equal(File.ReadAllBytes(explicitly), File.ReadAllBytes(carried));
        var comparisons = TorchVsOnnx.Compare(module, model, shapes, seed: 4, name, File.ReadAllBytes(carried));
        TorchVsOnnx.AssertEqual(comparisons, shapes, name + " exported by model.ExportOnnx(path)");
    }

    static BoundModel Checked(string text, string name)
    {
        var compiled = CnnCompilation.Compile(text, "net.cnn");
        Assert.Empty(compiled.Diagnostics);
        return compiled.Models.Single(m => m.Name == name);
    }

    [Fact]
    public void A_model_from_a_cnn_file()
    {
        const string text = "model Small\n  input 1x12x12\n  conv2d 6, 3, activation=relu\n  batchnorm2d\n  maxpool2d 2\n  flatten\n  dropout 0.25\n  dense 4, activation=softmax\n";
        var assembly = LoadedModels.Load(GeneratorHarness.Run(new[] { ("/project/Models/net.cnn", text) }, new[] { Exports("Small") }));
        AssertExports(assembly, "Small", Checked(text, "Small"), new[] { new long[] { 1, 12, 12 } });
    }

    [Fact]
    public void A_model_from_attributes_using_a_project_block()
    {
        const string source = """
            using CnnDsl;
            namespace Models;
            [CnnModel(Input = "3x16x16")]
            [Conv2d(4, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
            [Block("pair 4", Name = "stem")]
            [BatchNorm2d]
            [MaxPool2d(2)]
            [Flatten]
            [Dense(5, Activation = Activation.Softmax, Name = "classifier")]
            public partial class FromAttributes;
            """;
        var assembly = LoadedModels.Load(GeneratorHarness.Run(new[] { ("/project/blocks.cnn", Blocks) }, new[] { source, Exports("FromAttributes") }));
        var same = Blocks + "\nnamespace Models\nmodel FromAttributes\n  input 3x16x16\n  conv2d 4, 3, padding=same, activation=relu\n  stem: pair 4\n"
            + "  batchnorm2d\n  maxpool2d 2\n  flatten\n  classifier: dense 5, activation=softmax\n";
        AssertExports(assembly, "FromAttributes", Checked(same, "FromAttributes"), new[] { new long[] { 3, 16, 16 } });
    }

    [Fact]
    public void Models_with_size_variables_using_a_project_block_in_another_file_and_a_zoo_model()
    {
        const string models = """
            namespace Models
            model Residual
              input 3xHxW
              conv2d 8, 3, stride=2
              pair 8
              pair 8, k=1
              global_avgpool2d
              dense 3
            model Variable_resnet18 = resnet18 classes=10
              input 3xHxW
            """;
        var assembly = LoadedModels.Load(GeneratorHarness.Run(new[] { ("/project/blocks.cnn", Blocks), ("/project/Models/models.cnn", models) },
            new[] { Exports("Residual", "Variable_resnet18") }));
        var shapes = new[] { new long[] { 3, 32, 32 }, new long[] { 3, 45, 38 } };
        AssertExports(assembly, "Residual", Checked(Blocks + "\n" + models, "Residual"), shapes);
        AssertExports(assembly, "Variable_resnet18", Checked(Blocks + "\n" + models, "Variable_resnet18"), shapes, perturb: false);
    }

    [Fact]
    public void A_module_without_the_text_is_an_error_that_says_what_to_pass()
    {
        var info = new CnnModelInfo("Net", new long[] { 3, 8, 8 }, new long[] { 2 }, OutputActivation.None, 0, 0, 0, "");
        var error = Assert.Throws<CnnDsl.Onnx.OnnxExportException>(() => OnnxExport.CheckedModel(info));
        Assert.Contains("pass its BoundModel or .cnn file", error.Message);
    }
}
