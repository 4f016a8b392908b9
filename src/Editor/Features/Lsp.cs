using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Text;
using CnnDsl.Editor.Protocol;
using DslDiagnostic = CnnDsl.Dsl.Diagnostics.Diagnostic;
using LspDiagnostic = CnnDsl.Editor.Protocol.Diagnostic;
using Range = CnnDsl.Editor.Protocol.Range;

namespace CnnDsl.Editor.Features;

/// <summary>Conversions between the Dsl's locations and diagnostics and the protocol's; both count UTF-16 code units.</summary>
public static class Lsp
{
    public static Position ToPosition(LinePosition position) => new(position.Line, position.Character);

    public static Range ToRange(LinePositionSpan span) => new(ToPosition(span.Start), ToPosition(span.End));

    /// <summary>The offset of a protocol position, clamped into the text (a client may be one edit ahead).</summary>
    public static int ToOffset(SourceText text, Position position)
    {
        if (text.LineCount == 0)
            return 0;
        int line = Math.Clamp(position.Line, 0, text.LineCount - 1);
        int start = LineStart(text, line);
        int end = line + 1 < text.LineCount ? LineStart(text, line + 1) : text.Length;
        return Math.Clamp(start + Math.Max(0, position.Character), start, end);
    }

    public static int LineStart(SourceText text, int line) => text.GetLineStart(Math.Clamp(line, 0, text.LineCount - 1));

    /// <summary>The end of a line's text, before its line break.</summary>
    public static int LineEnd(SourceText text, int line)
    {
        int end = line + 1 < text.LineCount ? LineStart(text, line + 1) : text.Length;
        while (end > LineStart(text, line) && (text[end - 1] == '\n' || text[end - 1] == '\r'))
            end--;
        return end;
    }

    public static string Uri(string path) => new System.Uri(path).AbsoluteUri;

    public static string PathOf(string uri) => uri.StartsWith("file:", StringComparison.OrdinalIgnoreCase) ? new System.Uri(uri).LocalPath : uri;

    public static LspDiagnostic ToLsp(DslDiagnostic diagnostic, Func<string, string> uriOf)
    {
        var related = diagnostic.AdditionalLocations
            .Where(l => !l.Path.StartsWith("zoo/", StringComparison.Ordinal))
            .Select(l => new DiagnosticRelatedInformation(new Location(uriOf(l.Path), ToRange(l.LineSpan)), "the line inside the block"))
            .ToList();
        return new LspDiagnostic(ToRange(diagnostic.Location.LineSpan), diagnostic.IsError ? LspKinds.SeverityError : LspKinds.SeverityWarning,
            diagnostic.Id, "cnn", diagnostic.Message)
        {
            RelatedInformation = related.Count == 0 ? null : related,
        };
    }

    public static string Format(long number) => number.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    public static IEnumerable<T> Distinct<T, TKey>(IEnumerable<T> items, Func<T, TKey> key) => items.GroupBy(key).Select(g => g.First());
}
