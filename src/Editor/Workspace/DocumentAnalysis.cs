using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Syntax;
using CnnDsl.Dsl.Text;
using DslDiagnostic = CnnDsl.Dsl.Diagnostics.Diagnostic;

namespace CnnDsl.Editor.Workspace;

/// <summary>One model of a file as bound for the editor: its syntax, the checked model (null with errors) and every layer line it read.</summary>
public sealed record ModelAnalysis(ModelSyntax Syntax, BoundModel? Bound, IReadOnlyList<LayerObservation> Observations);

/// <summary>
/// Everything the editor features read about one .cnn file: its text, syntax, the diagnostics the build gives it (less
/// those that depend on other files, which <see cref="ProjectState"/> adds), and what binding saw of each layer.
/// </summary>
public sealed class DocumentAnalysis
{
    public DocumentAnalysis(SourceText text, CnnFileSyntax? syntax, IReadOnlyList<DslDiagnostic> diagnostics, IReadOnlyList<ModelAnalysis> models)
    {
        Text = text;
        Syntax = syntax;
        Diagnostics = diagnostics;
        Models = models;
    }

    public SourceText Text { get; }
    public CnnFileSyntax? Syntax { get; }
    public IReadOnlyList<DslDiagnostic> Diagnostics { get; }
    public IReadOnlyList<ModelAnalysis> Models { get; }

    public string Path => Text.Path;

    /// <summary>Every layer line of the file: those of its models and of its blocks, with the statements around them.</summary>
    public IEnumerable<LayerSyntax> Layers =>
        Syntax == null ? Enumerable.Empty<LayerSyntax>()
            : Syntax.Models.SelectMany(m => AllLayers(m.Layers).Concat(m.Base == null ? Enumerable.Empty<LayerSyntax>() : new[] { m.Base }))
                .Concat(Syntax.Blocks.SelectMany(b => AllLayers(b.Layers)));

    public static IEnumerable<LayerSyntax> AllLayers(IEnumerable<StatementSyntax> statements) => statements.SelectMany(s => s switch
    {
        LayerSyntax layer => new[] { layer },
        IfSyntax branch => AllLayers(branch.Then).Concat(AllLayers(branch.Else)),
        RepeatSyntax repeat => AllLayers(repeat.Body),
        _ => Enumerable.Empty<LayerSyntax>(),
    });

    /// <summary>The layer line whose text holds <paramref name="offset"/> (its end included, where the cursor is after typing).</summary>
    public LayerSyntax? LayerAt(int offset) =>
        Layers.Where(l => l.Location.Span.Start <= offset && offset <= l.Location.Span.End).OrderBy(l => l.Location.Span.Length).FirstOrDefault();

    /// <summary>The model or block whose text holds <paramref name="offset"/>.</summary>
    public ModelSyntax? ModelAt(int offset) =>
        Syntax?.Models.FirstOrDefault(m => m.Location.Span.Start <= offset && offset <= m.Location.Span.End);

    public BlockSyntax? BlockAt(int offset) =>
        Syntax?.Blocks.FirstOrDefault(b => b.Location.Span.Start <= offset && offset <= b.Location.Span.End);
}
