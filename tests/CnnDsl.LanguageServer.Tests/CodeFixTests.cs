using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using Basic.Reference.Assemblies;
using CnnDsl.CodeFixes;
using CnnDsl.Generator;
using CnnDsl.LanguageServer.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace CnnDsl.LanguageServer.Tests;

/// <summary>
/// The Roslyn code fixes for attribute models, driven as an IDE drives them: diagnostics from the real generator run by
/// Roslyn's driver, the provider called on a document of an AdhocWorkspace, its action applied, and the fixed source
/// checked by the generator again.
/// </summary>
public class CodeFixTests
{
    // The attribute types, compiled from the runtime's own source files (which need nothing but System).
    static readonly string[] AttributeSources = Directory.GetFiles(Path.Combine(Node.RepoRoot, "src", "Runtime", "Attributes"), "*.cs").Select(File.ReadAllText).ToArray();

    const string Usings = "using CnnDsl;\nnamespace Models;\n";

    static ImmutableArray<Diagnostic> GeneratorDiagnostics(string source)
    {
        var compilation = CSharpCompilation.Create("Models",
            AttributeSources.Append(source).Select((s, i) => CSharpSyntaxTree.ParseText(s, path: "Source" + i + ".cs")),
            Net100.References.All, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new CnnModelGenerator());
        driver.RunGeneratorsAndUpdateCompilation(compilation, out _, out var diagnostics);
        return diagnostics.Where(d => d.Id.StartsWith("CNN")).ToImmutableArray();
    }

    // Every fix is also applied from a diagnostic whose message is reworded: fixes read the data the diagnostic carries
    // in its properties, never its text.
    static string Fix(string source, string title)
    {
        var diagnostic = Assert.Single(GeneratorDiagnostics(source));
        var fixedText = Apply(source, title, diagnostic);
        var reworded = Diagnostic.Create(diagnostic.Descriptor, diagnostic.Location, diagnostic.AdditionalLocations, diagnostic.Properties, "A message in other words.");
        Assert.Equal(fixedText, Apply(source, title, reworded));
        return fixedText;
    }

    static string Apply(string source, string title, Diagnostic diagnostic)
    {
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject("Models", LanguageNames.CSharp).WithMetadataReferences(Net100.References.All);
        var document = project.AddDocument("Model.cs", SourceText.From(source));
        var actions = new List<CodeAction>();
        var provider = new AttributeModelCodeFixProvider();
        Assert.Contains(diagnostic.Id, provider.FixableDiagnosticIds);
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        provider.RegisterCodeFixesAsync(context).GetAwaiter().GetResult();
        var chosen = actions.FirstOrDefault(a => a.Title == title);
        Assert.True(chosen != null, "No '" + title + "' for " + diagnostic + "; offered: " + string.Join(", ", actions.Select(a => a.Title)));
        var operation = chosen!.GetOperationsAsync(CancellationToken.None).GetAwaiter().GetResult().OfType<ApplyChangesOperation>().Single();
        var fixedText = operation.ChangedSolution.GetDocument(document.Id)!.GetTextAsync().GetAwaiter().GetResult().ToString();
        Assert.Empty(GeneratorDiagnostics(fixedText));
        return fixedText;
    }

    [Fact]
    public void Adds_a_flatten_attribute_before_a_dense_layer_on_an_image() =>
        Assert.Equal(Usings + "[CnnModel(Input = \"1x28x28\")]\n[Flatten]\n[Dense(10)]\npublic partial class Net;\n",
            Fix(Usings + "[CnnModel(Input = \"1x28x28\")]\n[Dense(10)]\npublic partial class Net;\n", "Add [Flatten] before this layer"));

    [Fact]
    public void Sets_in_channels_to_the_inferred_value() =>
        Assert.Equal(Usings + "[CnnModel(Input = \"1x28x28\")]\n[Conv2d(8, 3, InChannels = 1)]\npublic partial class Net;\n",
            Fix(Usings + "[CnnModel(Input = \"1x28x28\")]\n[Conv2d(8, 3, InChannels = 3)]\npublic partial class Net;\n", "Set it to the inferred 1"));

    [Fact]
    public void Adds_padding_same_where_the_kernel_is_larger_than_the_input() =>
        Assert.Equal(Usings + "[CnnModel(Input = \"1x4x4\")]\n[Conv2d(8, 5, Padding = Padding.Same)]\npublic partial class Net;\n",
            Fix(Usings + "[CnnModel(Input = \"1x4x4\")]\n[Conv2d(8, 5)]\npublic partial class Net;\n", "Set Padding = Padding.Same"));

    [Fact]
    public void Reorders_a_channels_last_input_string() =>
        Assert.Equal(Usings + "[CnnModel(Input = \"3x32x32\")]\n[Flatten]\npublic partial class Net;\n",
            Fix(Usings + "[CnnModel(Input = \"32x32x3\")]\n[Flatten]\npublic partial class Net;\n", "Reorder to channels first: 3x32x32"));

    [Fact]
    public void Fixes_a_misspelt_zoo_model_in_base() =>
        Assert.Equal(Usings + "[CnnModel(Input = \"3x32x32\", Base = \"resnet18 classes=10\")]\npublic partial class Net;\n",
            Fix(Usings + "[CnnModel(Input = \"3x32x32\", Base = \"resnt18 classes=10\")]\npublic partial class Net;\n", "Change to 'resnet18'"));
}
