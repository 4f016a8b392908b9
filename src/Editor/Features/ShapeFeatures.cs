using System.Collections.Generic;
using System.Linq;
using System.Text;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Symbolic;
using CnnDsl.Dsl.Syntax;
using CnnDsl.Editor.Protocol;
using CnnDsl.Editor.Workspace;

namespace CnnDsl.Editor.Features;

/// <summary>Inlay hints and hovers: what binding found for each layer line, read from the observations, never bound again.</summary>
public static class ShapeFeatures
{
    /// <summary>
    /// What binding saw of each layer line of a file, by the line's start: the first binding that read it. Lines of a
    /// block are read when a model uses the block, so they are looked for in every file's models.
    /// </summary>
    public static Dictionary<int, LayerObservation> ObservationsIn(ProjectState project, string path)
    {
        var result = new Dictionary<int, LayerObservation>();
        var own = project.Find(path);
        // Files checked against blocks that have since changed would show old shapes.
        var others = project.Documents.Where(d => d != own && !project.IsStale(d.Path));
        var analyses = own == null ? others : new[] { own }.Concat(others);
        foreach (var analysis in analyses)
            foreach (var model in analysis.Models)
                foreach (var observation in model.Observations)
                    if (observation.Syntax.Location.Path == path)
                        result.TryAdd(observation.Syntax.Location.Span.Start, observation);
        return result;
    }

    /// <summary><c>-> 64x14x14 · 51,264</c> at the end of every layer line that bound, in the given lines.</summary>
    public static List<InlayHint> InlayHints(ProjectState project, string path, int firstLine, int lastLine)
    {
        var document = project.Find(path);
        var hints = new List<InlayHint>();
        if (document == null)
            return hints;
        var text = document.Text;
        var observations = ObservationsIn(project, path);
        foreach (var layer in document.Layers)
        {
            if (!observations.TryGetValue(layer.Location.Span.Start, out var observation) || observation.Layer == null)
                continue;
            int line = layer.Location.LineSpan.End.Line;
            if (line < firstLine || line > lastLine)
                continue;
            hints.Add(new InlayHint(new Position(line, Lsp.LineEnd(text, line) - Lsp.LineStart(text, line)), HintLabel(observation.Layer), LspKinds.InlayHintType, true));
        }
        return hints;
    }

    public static string HintLabel(BoundLayer layer)
    {
        var label = "-> " + layer.OutputShape;
        var parameters = layer.Config.Parameters;
        if (!(parameters is IntExpr { Value: 0 }))
            label += " · " + Count(parameters);
        return label;
    }

    static string Count(Expr count) => count.Constant is long value ? Lsp.Format(value) : count.ToString();

    public static Hover? Hover(ProjectState project, string path, Position position)
    {
        var document = project.Find(path);
        if (document?.Syntax == null)
            return null;
        int offset = Lsp.ToOffset(document.Text, position);
        var model = document.ModelAt(offset);
        var inModel = model == null ? null : document.Models.FirstOrDefault(m => m.Syntax.Name.Location == model.Name.Location);

        if (model?.Input is { HasVariables: true } input && Within(input.Location.Span, offset))
            return new Hover(Markdown(SizeRule(model, inModel?.Bound)), Lsp.ToRange(input.Location.LineSpan));
        if (model != null && Within(model.Name.Location.Span, offset) && inModel?.Bound is { } bound)
            return new Hover(Markdown("```text\n" + bound.FormatSummary() + "\n```"), Lsp.ToRange(model.Name.Location.LineSpan));

        var layer = document.LayerAt(offset);
        if (layer == null)
            return null;
        var observations = ObservationsIn(project, path);
        // A tensor read by from=, add or concat: the shape of the layer it names in this model or block, as binding saw it.
        if (Navigation.References(layer).FirstOrDefault(v => Within(v.Location.Span, offset)) is { } reference)
        {
            var owner = document.BlockAt(offset)?.Location.Span ?? model?.Location.Span;
            var named = owner is { } span
                ? observations.Values.FirstOrDefault(o => o.Layer?.Name == reference.Text && span.Contains(o.Syntax.Location.Span))?.Layer?.OutputShape
                : null;
            var shape = named ?? (reference.Text == BoundModel.InputTensorName && document.BlockAt(offset) == null ? inModel?.Bound?.InputShape : null);
            return shape == null ? null : new Hover(Markdown("`" + reference.Text + "`: `" + shape + "`"), Lsp.ToRange(reference.Location.LineSpan));
        }
        if (!Within(layer.Kind.Location.Span, offset) && (layer.Label == null || !Within(layer.Label.Location.Span, offset)))
            return null;
        observations.TryGetValue(layer.Location.Span.Start, out var observation);
        var kind = observation?.Kind ?? LayerCatalog.Find(layer.Kind.Text) ?? project.Blocks.Find(layer.Kind.Text);
        if (kind == null)
            return null;
        return new Hover(Markdown(DescribeLayer(kind, layer, observation)), Lsp.ToRange(layer.Kind.Location.LineSpan));
    }

    static bool Within(Dsl.Text.TextSpan span, int offset) => span.Start <= offset && offset <= span.End;

    static MarkupContent Markdown(string text) => new("markdown", text);

    static string SizeRule(ModelSyntax model, BoundModel? bound)
    {
        if (bound == null)
            return "Model `" + model.Name.Text + "` has errors, so its accepted sizes are not known yet.";
        var text = new StringBuilder();
        text.Append("**Accepted input sizes** of `").Append(model.Name.Text).Append("`: `").Append(bound.AcceptedSizeRule).Append('`');
        if (bound.MinimumSizes.Count > 0)
            text.Append("\n\nSmallest input: `").Append(string.Join(", ", bound.SizeVariables.Select((v, i) => v + " = " + bound.MinimumSizes[i]))).Append('`');
        text.Append("\n\nOutput: `").Append(bound.OutputShape).Append('`');
        return text.ToString();
    }

    public static string BlockSignature(BlockSyntax block) =>
        "block " + block.Name.Text + "(" + string.Join(", ", block.Parameters.Select(p => p.Default == null ? p.Name.Text : p.Name.Text + "=" + p.Default.Text)) + ")";

    static string DescribeLayer(LayerKind kind, LayerSyntax layer, LayerObservation? observation)
    {
        var text = new StringBuilder();
        if (kind is BlockLayer block)
            text.Append("```cnn\n").Append(BlockSignature(block.Syntax)).Append("\n```\n");
        else
            text.Append("**").Append(kind.Name).Append("**");
        if (observation?.Layer is { } bound)
            text.Append(" `").Append(bound.Name).Append("` (").Append(bound.Config.ModuleType).Append(')');
        text.Append("\n\n").Append(kind.Description).Append("\n\n");
        var arguments = observation?.Arguments;
        foreach (var parameter in kind.Parameters)
        {
            var given = arguments?.Raw(parameter.Name)?.Text;
            var blockValue = (observation?.Layer?.Config as BlockConfig)?.Arguments.FirstOrDefault(a => a.Name == parameter.Name);
            var resolved = blockValue?.Value?.ToString() ?? blockValue?.Text;
            text.Append("- `").Append(parameter.Name).Append(" = ");
            if (given != null)
                text.Append(given).Append('`').Append(resolved != null && resolved != given ? " (" + resolved + ")" : "");
            else if (parameter.DefaultText != null)
                text.Append(resolved ?? parameter.DefaultText).Append("` (default)");
            else
                text.Append("?` (required)");
            text.Append(" — ").Append(parameter.Description).Append('\n');
        }
        if (observation?.Layer is { } layerResult)
        {
            text.Append("\nInput `").Append(layerResult.InputShape).Append("` → output `").Append(layerResult.OutputShape).Append('`');
            text.Append("\n\nParameters: ").Append(Count(layerResult.Config.Parameters));
            if (!(layerResult.Config.State is IntExpr { Value: 0 }))
                text.Append(" (and ").Append(Count(layerResult.Config.State)).Append(" non-trainable state)");
        }
        else if (observation?.Input is { } input)
        {
            text.Append("\nInput `").Append(input).Append("`; the layer has errors, so its output is not known.");
        }
        return text.ToString();
    }
}
