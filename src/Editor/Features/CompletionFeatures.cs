using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Editor.Protocol;
using CnnDsl.Editor.Workspace;

namespace CnnDsl.Editor.Features;

/// <summary>
/// Completion and signature help. The line being typed is usually not a whole statement yet, so its context (start of a
/// statement, an argument name, a value after <c>name=</c>) is read from the characters before the cursor; what is
/// offered comes from the layer catalogue, the project's blocks and the tensors binding saw.
/// </summary>
public static partial class CompletionFeatures
{
    static readonly string[] Keywords = { "model", "block", "input", "group", "if", "else", "repeat", "end", "namespace" };

    [GeneratedRegex(@"^\s*(?:[\w.{}+\- ]+:\s*)?(\w*)$")]
    private static partial Regex StatementStart();

    [GeneratedRegex(@"^\s*(?:[\w.{}+\- ]+:\s*)?(\w+)\b(.*)$")]
    private static partial Regex LayerLine();

    [GeneratedRegex(@"(\w+)\s*=\s*(\w*)$")]
    private static partial Regex NamedValue();

    [GeneratedRegex(@"^\s*model\s+\w+\s*=\s*\w*$")]
    private static partial Regex ModelBase();

    public static CompletionList Complete(ProjectState project, string path, Position position)
    {
        var document = project.Find(path);
        if (document == null)
            return new CompletionList(false, Array.Empty<CompletionItem>());
        var text = document.Text;
        int offset = Lsp.ToOffset(text, position);
        int lineStart = Lsp.LineStart(text, text.GetLineIndex(offset));
        var prefix = text.Text.Substring(lineStart, offset - lineStart);
        if (prefix.Contains('#'))
            return new CompletionList(false, Array.Empty<CompletionItem>());

        if (ModelBase().IsMatch(prefix))
            return new CompletionList(false, BlockItems(project).ToList());
        if (StatementStart().IsMatch(prefix))
        {
            var items = LayerCatalog.All.Select(KindItem).Concat(BlockItems(project))
                .Concat(Keywords.Select(k => new CompletionItem(k, LspKinds.CompletionKeyword, null, null) { SortText = "z" + k }));
            return new CompletionList(false, items.ToList());
        }

        var line = LayerLine().Match(prefix);
        if (!line.Success)
            return new CompletionList(false, Array.Empty<CompletionItem>());
        var kind = LayerCatalog.Find(line.Groups[1].Value) ?? project.Blocks.Find(line.Groups[1].Value);
        if (kind == null)
            return new CompletionList(false, Array.Empty<CompletionItem>());
        var arguments = line.Groups[2].Value;
        var segment = arguments.Substring(arguments.LastIndexOf(',') + 1);

        var named = NamedValue().Match(segment);
        if (named.Success)
        {
            var name = named.Groups[1].Value;
            if (Names.Fold(name) == "from")
                return new CompletionList(false, TensorItems(project, document, offset).ToList());
            var parameter = kind.Parameters.FirstOrDefault(p => Names.Fold(p.Name) == Names.Fold(name));
            return new CompletionList(false, parameter == null ? Array.Empty<CompletionItem>() : ValueItems(parameter).ToList());
        }
        if (kind.TakesTensorOperands)
            return new CompletionList(false, TensorItems(project, document, offset).ToList());

        var given = new HashSet<string>(Regex.Matches(arguments, @"(\w+)\s*=").Select(m => Names.Fold(m.Groups[1].Value)));
        var argumentItems = kind.Parameters.Where(p => !given.Contains(Names.Fold(p.Name)))
            .Select(p => new CompletionItem(p.Name, LspKinds.CompletionProperty, p.DefaultText == null ? "required" : "default " + p.DefaultText,
                new MarkupContent("markdown", p.Description)) { InsertText = p.Name + "=" })
            .Append(new CompletionItem("from", LspKinds.CompletionProperty, "default: the previous layer",
                new MarkupContent("markdown", "read another layer's output (or `input`) instead of the previous one")) { InsertText = "from=" });
        return new CompletionList(false, argumentItems.ToList());
    }

    static CompletionItem KindItem(LayerKind kind) =>
        new(kind.Name, LspKinds.CompletionClass, kind.Description, new MarkupContent("markdown", Usage(kind)));

    static IEnumerable<CompletionItem> BlockItems(ProjectState project) =>
        project.Blocks.Names.OrderBy(n => n, StringComparer.Ordinal).Select(n => project.Blocks.Find(n)).OfType<BlockLayer>()
            .Select(b => new CompletionItem(b.Name, LspKinds.CompletionReference, ShapeFeatures.BlockSignature(b.Syntax), new MarkupContent("markdown", Usage(b))));

    public static string Usage(LayerKind kind) =>
        kind.Name + " " + string.Join(", ", kind.Parameters.Select(p => p.Positional && p.Required ? p.Name : p.Name + "=" + (p.DefaultText ?? "?")));

    static IEnumerable<CompletionItem> ValueItems(ParameterSpec parameter)
    {
        IEnumerable<(string Value, string Meaning)> values = parameter.Type switch
        {
            ParameterType.Activation => Activation.All.Select(a => (a.Name, "applies " + a.ModuleType + " after the layer")).Append(("none", "no activation")),
            ParameterType.Padding => new[] { ("same", "pads so that the output size is the input size divided by the stride, rounded up (as Keras)"), ("valid", "no padding") },
            ParameterType.Boolean => new[] { ("true", ""), ("false", "") },
            _ => Array.Empty<(string, string)>(),
        };
        return values.Select(v => new CompletionItem(v.Value, LspKinds.CompletionValue, v.Meaning, null));
    }

    // The tensors a layer here may read: the input, and every layer that binding saw before this line in this model or block.
    static IEnumerable<CompletionItem> TensorItems(ProjectState project, DocumentAnalysis document, int offset)
    {
        var owner = (Dsl.Text.TextSpan?)document.BlockAt(offset)?.Location.Span ?? document.ModelAt(offset)?.Location.Span;
        var names = new List<(string Name, string Detail)> { ("input", "the input tensor") };
        if (owner is { } span)
        {
            var observations = ShapeFeatures.ObservationsIn(project, document.Path);
            foreach (var layer in document.Layers.Where(l => span.Contains(l.Location.Span) && l.Location.Span.End < offset).OrderBy(l => l.Location.Span.Start))
            {
                if (observations.TryGetValue(layer.Location.Span.Start, out var seen) && seen.Layer != null)
                    names.Add((seen.Layer.Name, "-> " + seen.Layer.OutputShape));
                else if (layer.Label is { IsTemplate: false } label)
                    names.Add((label.Text, "a layer with errors"));
            }
        }
        return Lsp.Distinct(names, n => n.Name).Select(n => new CompletionItem(n.Name, LspKinds.CompletionReference, n.Detail, null));
    }

    public static SignatureHelp? Signature(ProjectState project, string path, Position position)
    {
        var document = project.Find(path);
        if (document == null)
            return null;
        var text = document.Text;
        int offset = Lsp.ToOffset(text, position);
        int lineStart = Lsp.LineStart(text, text.GetLineIndex(offset));
        var line = LayerLine().Match(text.Text.Substring(lineStart, offset - lineStart));
        if (!line.Success || line.Groups[2].Value.Length == 0)
            return null;
        var kind = LayerCatalog.Find(line.Groups[1].Value) ?? project.Blocks.Find(line.Groups[1].Value);
        if (kind == null || kind.Parameters.Count == 0)
            return null;
        var arguments = line.Groups[2].Value;
        var segment = arguments.Substring(arguments.LastIndexOf(',') + 1);
        var named = NamedValue().Match(segment);
        var parameters = kind.Parameters.ToList();
        int active = named.Success
            ? parameters.FindIndex(p => Names.Fold(p.Name) == Names.Fold(named.Groups[1].Value))
            : Math.Min(arguments.Count(c => c == ','), parameters.Count - 1);
        var label = kind is BlockLayer block ? ShapeFeatures.BlockSignature(block.Syntax) : Usage(kind);
        var signature = new SignatureInformation(label, kind.Description,
            parameters.Select(p => new ParameterInformation(p.Positional && p.Required ? p.Name : p.Name + "=" + (p.DefaultText ?? "?"), p.Description)).ToList());
        return new SignatureHelp(new[] { signature }, 0, Math.Max(active, 0));
    }
}
