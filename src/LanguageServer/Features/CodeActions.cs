using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.LanguageServer.Protocol;
using CnnDsl.LanguageServer.Workspace;

namespace CnnDsl.LanguageServer.Features;

/// <summary>
/// Quick fixes that apply what a diagnostic suggests. The suggestion is the diagnostic's own (the replacement its
/// message names), so the editor offers exactly what the build says; where the fix is an insertion, the place comes
/// from the layer's syntax.
/// </summary>
public static partial class CodeActions
{
    [GeneratedRegex(@"; did you mean '([^']+)'\?")]
    private static partial Regex DidYouMean();

    [GeneratedRegex(@"remove \w+ or change it to (\d+)")]
    private static partial Regex ChangeItTo();

    public static List<CodeAction> For(ProjectState project, string path, Protocol.Range range, Func<string, string> uriOf)
    {
        var actions = new List<CodeAction>();
        var document = project.Find(path);
        if (document == null)
            return actions;
        var text = document.Text;
        int start = Lsp.ToOffset(text, range.Start), end = Lsp.ToOffset(text, range.End);
        var uri = uriOf(path);
        foreach (var diagnostic in project.DiagnosticsOf(path))
        {
            var span = diagnostic.Location.Span;
            if (span.End < start || span.Start > end)
                continue;
            var lsp = Lsp.ToLsp(diagnostic, uriOf);
            CodeAction Fix(string title, Protocol.Range where, string newText) =>
                new(title, "quickfix", new[] { lsp }, new WorkspaceEdit(new Dictionary<string, List<TextEdit>> { [uri] = new() { new TextEdit(where, newText) } })) { IsPreferred = true };

            if (DidYouMean().Match(diagnostic.Message) is { Success: true } meant)
                actions.Add(Fix("Change to '" + meant.Groups[1].Value + "'", lsp.Range, meant.Groups[1].Value));
            if (ChangeItTo().Match(diagnostic.Message) is { Success: true } inferred)
                actions.Add(Fix("Set it to the inferred " + inferred.Groups[1].Value, lsp.Range, inferred.Groups[1].Value));
            // A fix the diagnostic carries as data (input orders): offered as it is, whatever the message says.
            if (diagnostic.Fix is { } carried)
                actions.Add(Fix(carried.Title, Lsp.ToRange(carried.Location.LineSpan), carried.Replacement));
            if (diagnostic.Message.Contains("add 'flatten' before it", StringComparison.Ordinal) && document.LayerAt(span.Start) is { } dense)
            {
                int line = dense.Location.LineSpan.Start.Line;
                var lineStart = Lsp.LineStart(text, line);
                var indent = new string(text.Text.Skip(lineStart).TakeWhile(c => c == ' ' || c == '\t').ToArray());
                var at = new Position(line, 0);
                actions.Add(Fix("Add 'flatten' before this layer", new Protocol.Range(at, at), indent + "flatten" + LineBreak(text.Text)));
            }
            if (diagnostic.Message.Contains("padding=same", StringComparison.Ordinal) && document.LayerAt(span.Start) is { } layer)
                actions.Add(PaddingSame(layer, text, Fix));
        }
        return actions;
    }

    static CodeAction PaddingSame(Dsl.Syntax.LayerSyntax layer, Dsl.Text.SourceText text, Func<string, Protocol.Range, string, CodeAction> fix)
    {
        var padding = layer.Arguments.FirstOrDefault(a => a.Name != null && Dsl.Names.Fold(a.Name.Text) == "padding");
        if (padding != null)
            return fix("Set padding=same", Lsp.ToRange(padding.Value.Location.LineSpan), "same");
        var end = Lsp.ToPosition(layer.Location.LineSpan.End);
        return fix("Add padding=same", new Protocol.Range(end, end), layer.Arguments.Count == 0 ? " padding=same" : ", padding=same");
    }

    static string LineBreak(string text) => text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
}
