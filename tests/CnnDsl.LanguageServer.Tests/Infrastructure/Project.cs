using System.Collections.Generic;
using System.Linq;
using CnnDsl.Editor.Features;
using CnnDsl.Editor.Protocol;
using CnnDsl.Editor.Workspace;

namespace CnnDsl.LanguageServer.Tests.Infrastructure;

/// <summary>The server's project state over in-memory files, with helpers that find positions by the text around them.</summary>
public sealed class Project
{
    public Project(params (string Name, string Text)[] files)
    {
        State = new ProjectState(Build.RootNamespace);
        foreach (var (name, text) in files)
            State.Update(PathOf(name), text);
    }

    public ProjectState State { get; }

    public static string PathOf(string name) => "/project/" + name;

    public static string UriOf(string path) => "file://" + path;

    public string Text(string name) => State.Find(PathOf(name))!.Text.Text;

    /// <summary>The position of the n-th occurrence of <paramref name="marker"/>, plus <paramref name="delta"/> characters.</summary>
    public Position At(string name, string marker, int delta = 0, int occurrence = 0)
    {
        var text = Text(name);
        int index = -1;
        for (int i = 0; i <= occurrence; i++)
            index = text.IndexOf(marker, index + 1, System.StringComparison.Ordinal);
        Xunit.Assert.True(index >= 0, "'" + marker + "' not in " + name);
        int offset = index + delta;
        int line = text.Take(offset).Count(c => c == '\n');
        int column = offset == 0 ? 0 : offset - (text.LastIndexOf('\n', offset - 1) + 1);
        return new Position(line, column);
    }

    public IReadOnlyList<ReportedDiagnostic> Diagnostics() =>
        State.Paths.SelectMany(path => State.DiagnosticsOf(path).Select(d => new ReportedDiagnostic(d.Id, d.Location.Path, d.Location.Span.Start, d.Location.Span.End, d.Message)))
            .OrderBy(d => d.Path, System.StringComparer.Ordinal).ThenBy(d => d.Start).ThenBy(d => d.Id).ThenBy(d => d.Message, System.StringComparer.Ordinal).ToList();

    /// <summary>Applies a workspace edit to one file's text, last edit first.</summary>
    public string Apply(string name, WorkspaceEdit edit)
    {
        var text = Text(name);
        var source = Dsl.Text.SourceText.From(text);
        if (!edit.Changes.TryGetValue(UriOf(PathOf(name)), out var edits))
            return text;
        foreach (var e in edits.OrderByDescending(e => Lsp.ToOffset(source, e.Range.Start)))
            text = text.Substring(0, Lsp.ToOffset(source, e.Range.Start)) + e.NewText + text.Substring(Lsp.ToOffset(source, e.Range.End));
        return text;
    }
}
