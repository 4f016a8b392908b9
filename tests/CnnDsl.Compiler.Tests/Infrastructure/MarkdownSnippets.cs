using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace CnnDsl.Compiler.Tests.Infrastructure;

/// <summary>How a code block of a Markdown document is compiled, as the HTML comment right before it says.</summary>
public enum SnippetKind
{
    /// <summary><c>&lt;!-- snippet: file --&gt;</c>: a C# file of its own, as written.</summary>
    File,

    /// <summary>
    /// <c>&lt;!-- snippet: statements --&gt;</c> or <c>&lt;!-- snippet: statements (Type name, ...) --&gt;</c>: its leading
    /// <c>using</c> directives head the file, the rest is the body of a method taking those parameters.
    /// </summary>
    Statements,

    /// <summary><c>&lt;!-- snippet: cnn --&gt;</c>: a <c>.cnn</c> file of the project, whose models the C# snippets use.</summary>
    Cnn,

    /// <summary><c>&lt;!-- snippet: skip, reason --&gt;</c>: not compiled, for the reason given.</summary>
    Skip,
}

/// <summary>A code block of a Markdown document; lines are 1-based lines of the document.</summary>
public sealed record Snippet(string Document, int FenceLine, SnippetKind Kind, string Parameters, IReadOnlyList<string> Lines)
{
    public int FirstLine => FenceLine + 1;
}

/// <summary>
/// Finds the code blocks of a Markdown document that the snippet test compiles: every <c>```csharp</c> or <c>```cs</c>
/// block, which must have a marker comment on the line before its fence (any other is a problem naming its line), and
/// every block marked <c>cnn</c>.
/// </summary>
public static class MarkdownSnippets
{
    static readonly Regex Marker = new(@"^<!--\s*snippet:\s*(?<text>.*?)\s*-->$");
    static readonly Regex StatementsMarker = new(@"^statements(\s*\((?<parameters>[^)]*)\))?$");
    static readonly Regex SkipMarker = new(@"^skip\s*,\s*(?<reason>\S.*)$");

    public static (List<Snippet> Snippets, List<string> Problems) Parse(string document, string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var snippets = new List<Snippet>();
        var problems = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            var fence = lines[i].TrimStart();
            if (!fence.StartsWith("```", StringComparison.Ordinal))
                continue;
            int open = i;
            var language = fence.Trim('`', ' ').Split(' ')[0].ToLowerInvariant();
            var body = new List<string>();
            for (i++; i < lines.Length && !lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal); i++)
                body.Add(lines[i]);
            if (i == lines.Length)
                problems.Add($"{document} line {open + 1}: the code block is never closed");

            var where = $"{document} line {open + 1}";
            var marker = open > 0 ? Marker.Match(lines[open - 1].Trim()) : Match.Empty;
            bool csharp = language is "csharp" or "cs" or "c#";
            if (!marker.Success)
            {
                if (csharp)
                    problems.Add($"{where}: a C# block needs a marker on the line before it: <!-- snippet: file -->, <!-- snippet: statements -->, "
                        + "<!-- snippet: statements (Type name, ...) --> or <!-- snippet: skip, reason -->");
                continue;
            }
            var markerText = marker.Groups["text"].Value;
            Snippet Make(SnippetKind kind, string parameters = "") => new(document, open + 1, kind, parameters, body);
            if (markerText == "cnn")
            {
                if (csharp)
                    problems.Add($"{where}: a C# block cannot be a cnn file");
                else
                    snippets.Add(Make(SnippetKind.Cnn));
            }
            else if (!csharp)
                problems.Add($"{where}: only a C# block can be '{markerText}'; a .cnn block is <!-- snippet: cnn -->");
            else if (markerText == "file")
                snippets.Add(Make(SnippetKind.File));
            else if (StatementsMarker.Match(markerText) is { Success: true } statements)
                snippets.Add(Make(SnippetKind.Statements, statements.Groups["parameters"].Value.Trim()));
            else if (SkipMarker.IsMatch(markerText))
                snippets.Add(Make(SnippetKind.Skip));
            else
                problems.Add($"{where}: unknown marker '{markerText}' (file, statements, statements (Type name, ...), skip with a reason, or cnn)");
        }
        return (snippets, problems);
    }

    static readonly Regex UsingDirective = new(@"^\s*using\s+(static\s+)?(\w+\s*=\s*)?[\w.]+\s*;\s*(//.*)?$");

    /// <summary>
    /// The C# file of a snippet: <c>#line</c> directives map every line of it to its line in the document (given as
    /// <paramref name="documentPath"/>), so a compiler error names the document's line; the wrapper of statements maps
    /// to the marker's line.
    /// </summary>
    public static string CSharp(Snippet snippet, string documentPath)
    {
        var path = documentPath.Replace("\\", "\\\\").Replace("\"", "\\\"");
        var text = new System.Text.StringBuilder();
        if (snippet.Kind == SnippetKind.File)
        {
            text.Append("#line ").Append(snippet.FirstLine).Append(" \"").Append(path).Append("\"\n");
            foreach (var line in snippet.Lines)
                text.Append(line).Append('\n');
            return text.ToString();
        }
        if (snippet.Kind != SnippetKind.Statements)
            throw new ArgumentException("only C# snippets have a C# file", nameof(snippet));

        int start = 0;
        while (start < snippet.Lines.Count && (UsingDirective.IsMatch(snippet.Lines[start]) || snippet.Lines[start].Trim().Length == 0 || snippet.Lines[start].TrimStart().StartsWith("//")))
        {
            if (UsingDirective.IsMatch(snippet.Lines[start]))
                text.Append("#line ").Append(snippet.FirstLine + start).Append(" \"").Append(path).Append("\"\n").Append(snippet.Lines[start]).Append('\n');
            start++;
        }
        bool awaits = snippet.Lines.Any(l => Regex.IsMatch(l, @"\bawait\b"));
        text.Append("#line ").Append(snippet.FenceLine - 1).Append(" \"").Append(path).Append("\"\n");
        text.Append("static class ").Append(ClassName(snippet)).Append(" { static ").Append(awaits ? "async System.Threading.Tasks.Task" : "void")
            .Append(" Run(").Append(snippet.Parameters).Append(") {\n");
        text.Append("#line ").Append(snippet.FirstLine + start).Append(" \"").Append(path).Append("\"\n");
        for (int i = start; i < snippet.Lines.Count; i++)
            text.Append(snippet.Lines[i]).Append('\n');
        text.Append("#line default\n} }\n");
        return text.ToString();
    }

    /// <summary>A .cnn snippet with blank lines before it, so that its line numbers are the document's.</summary>
    public static string Cnn(Snippet snippet) => new string('\n', snippet.FirstLine - 1) + string.Join("\n", snippet.Lines) + "\n";

    /// <summary>A file name for a snippet, from its document and line: <c>README-140</c>.</summary>
    public static string FileName(Snippet snippet) =>
        Regex.Replace(System.IO.Path.GetFileNameWithoutExtension(snippet.Document), @"[^A-Za-z0-9]", "_") + "-" + snippet.FenceLine;

    static string ClassName(Snippet snippet) => "Snippet_" + FileName(snippet).Replace('-', '_');
}
