using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Editor.Protocol;
using CnnDsl.Editor.Workspace;

namespace CnnDsl.Editor.Features;

/// <summary>
/// Quick fixes that apply what a diagnostic carries as data (<see cref="DiagnosticFix"/>: a replacement, a layer to insert,
/// an argument to set), so the editor offers exactly what the build says and no message is ever read; where the fix is
/// an insertion, the indentation comes from the layer's line.
/// </summary>
public static class CodeActions
{
    public static List<CodeAction> For(ProjectState project, string path, Protocol.Range range, Func<string, string> uriOf)
    {
        var document = project.Find(path);
        return document == null ? new List<CodeAction>() : For(document, project.DiagnosticsOf(path), range, uriOf);
    }

    /// <summary>The fixes of <paramref name="diagnostics"/> that touch <paramref name="range"/> of the document.</summary>
    public static List<CodeAction> For(DocumentAnalysis document, IEnumerable<Dsl.Diagnostics.Diagnostic> diagnostics, Protocol.Range range, Func<string, string> uriOf)
    {
        var actions = new List<CodeAction>();
        var text = document.Text;
        int start = Lsp.ToOffset(text, range.Start), end = Lsp.ToOffset(text, range.End);
        foreach (var diagnostic in diagnostics)
        {
            var span = diagnostic.Location.Span;
            if (span.End < start || span.Start > end || diagnostic.Fix is not { } fix)
                continue;
            var lsp = Lsp.ToLsp(diagnostic, uriOf);
            // A fix inside a block of another file edits that file.
            var uri = uriOf(fix.Location.Path);
            CodeAction Fix(string title, Protocol.Range where, string newText) =>
                new(title, "quickfix", new[] { lsp }, new WorkspaceEdit(new Dictionary<string, List<TextEdit>> { [uri] = new() { new TextEdit(where, newText) } })) { IsPreferred = true };

            switch (fix.Kind)
            {
                case FixKind.Replace:
                    actions.Add(Fix(fix.Title, Lsp.ToRange(fix.Location.LineSpan), fix.Replacement));
                    break;
                case FixKind.InsertLayerBefore when fix.Location.Path == document.Path:
                {
                    int line = fix.Location.LineSpan.Start.Line;
                    var lineStart = Lsp.LineStart(text, line);
                    var indent = new string(text.Text.Skip(lineStart).TakeWhile(c => c == ' ' || c == '\t').ToArray());
                    var at = new Position(line, 0);
                    actions.Add(Fix(fix.Title, new Protocol.Range(at, at), indent + fix.Replacement + LineBreak(text.Text)));
                    break;
                }
                case FixKind.SetArgument when fix.Location.Path == document.Path && document.LayerAt(fix.Location.Span.Start) is { } layer:
                    actions.Add(SetArgument(layer, fix.Argument!, fix.Replacement, Fix));
                    break;
            }
        }
        return actions;
    }

    static CodeAction SetArgument(Dsl.Syntax.LayerSyntax layer, string argument, string value, Func<string, Protocol.Range, string, CodeAction> fix)
    {
        var existing = layer.Arguments.FirstOrDefault(a => a.Name != null && Dsl.Names.Fold(a.Name.Text) == Dsl.Names.Fold(argument));
        if (existing != null)
            return fix("Set " + argument + "=" + value, Lsp.ToRange(existing.Value.Location.LineSpan), value);
        var end = Lsp.ToPosition(layer.Location.LineSpan.End);
        return fix("Add " + argument + "=" + value, new Protocol.Range(end, end), (layer.Arguments.Count == 0 ? " " : ", ") + argument + "=" + value);
    }

    static string LineBreak(string text) => text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
}
