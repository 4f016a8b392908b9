using System.Collections.Generic;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

// The Language Server Protocol 3.17 types this server reads and writes, and no others. Property names are written in
// camelCase by the serializer settings in Program; absent optional members are left out of the JSON.
namespace CnnDsl.Editor.Protocol;

public sealed record Position(int Line, int Character);

public sealed record Range(Position Start, Position End);

public sealed record Location(string Uri, Range Range);

public sealed class TextDocumentIdentifier
{
    public string Uri { get; set; } = "";
}

public sealed class VersionedTextDocumentIdentifier
{
    public string Uri { get; set; } = "";
    public int? Version { get; set; }
}

public sealed class TextDocumentItem
{
    public string Uri { get; set; } = "";
    public string LanguageId { get; set; } = "";
    public int Version { get; set; }
    public string Text { get; set; } = "";
}

public sealed class DidOpenTextDocumentParams
{
    public TextDocumentItem TextDocument { get; set; } = new();
}

public sealed class TextDocumentContentChangeEvent
{
    /// <summary>Absent when the change replaces the whole text.</summary>
    public Range? Range { get; set; }
    public string Text { get; set; } = "";
}

public sealed class DidChangeTextDocumentParams
{
    public VersionedTextDocumentIdentifier TextDocument { get; set; } = new();
    public List<TextDocumentContentChangeEvent> ContentChanges { get; set; } = new();
}

public sealed class DidCloseTextDocumentParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();
}

public sealed class FileEvent
{
    public string Uri { get; set; } = "";
    /// <summary>1 created, 2 changed, 3 deleted.</summary>
    public int Type { get; set; }
}

public sealed class DidChangeWatchedFilesParams
{
    public List<FileEvent> Changes { get; set; } = new();
}

public class TextDocumentPositionParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();
    public Position Position { get; set; } = new(0, 0);
}

public sealed class ReferenceParams : TextDocumentPositionParams
{
    public ReferenceContext Context { get; set; } = new();
}

public sealed class ReferenceContext
{
    public bool IncludeDeclaration { get; set; } = true;
}

public sealed class RenameParams : TextDocumentPositionParams
{
    public string NewName { get; set; } = "";
}

public sealed class DocumentParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();
    public Range? Range { get; set; }
}

public sealed class CodeActionParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();
    public Range Range { get; set; } = new(new(0, 0), new(0, 0));
    public CodeActionContext Context { get; set; } = new();
}

public sealed class CodeActionContext
{
    public List<Diagnostic> Diagnostics { get; set; } = new();
}

public sealed class InitializeParams
{
    public string? RootUri { get; set; }
    public string? RootPath { get; set; }
    public List<WorkspaceFolder>? WorkspaceFolders { get; set; }
    public JToken? InitializationOptions { get; set; }
}

public sealed class WorkspaceFolder
{
    public string Uri { get; set; } = "";
    public string Name { get; set; } = "";
}

public sealed record Diagnostic(Range Range, int Severity, string Code, string Source, string Message)
{
    public List<DiagnosticRelatedInformation>? RelatedInformation { get; init; }
}

public sealed record DiagnosticRelatedInformation(Location Location, string Message);

public sealed record PublishDiagnosticsParams(string Uri, int? Version, IReadOnlyList<Diagnostic> Diagnostics);

public sealed record MarkupContent(string Kind, string Value);

public sealed record Hover(MarkupContent Contents, Range Range);

public sealed record InlayHint(Position Position, string Label, int Kind, bool PaddingLeft);

public sealed record CompletionItem(string Label, int Kind, string? Detail, MarkupContent? Documentation)
{
    public string? InsertText { get; init; }
    public string? SortText { get; init; }
}

public sealed record CompletionList(bool IsIncomplete, IReadOnlyList<CompletionItem> Items);

public sealed record ParameterInformation(string Label, string? Documentation);

public sealed record SignatureInformation(string Label, string? Documentation, IReadOnlyList<ParameterInformation> Parameters);

public sealed record SignatureHelp(IReadOnlyList<SignatureInformation> Signatures, int ActiveSignature, int ActiveParameter);

public sealed record TextEdit(Range Range, string NewText);

public sealed record WorkspaceEdit(Dictionary<string, List<TextEdit>> Changes);

public sealed record CodeAction(string Title, string Kind, IReadOnlyList<Diagnostic> Diagnostics, WorkspaceEdit Edit)
{
    public bool IsPreferred { get; init; }
}

public sealed record DocumentSymbol(string Name, string? Detail, int Kind, Range Range, Range SelectionRange, IReadOnlyList<DocumentSymbol> Children);

public sealed record FoldingRange(int StartLine, int EndLine);

public sealed record PrepareRenameResult(Range Range, string Placeholder);

/// <summary>LSP's numbered enumerations, the members used here.</summary>
public static class LspKinds
{
    public const int SeverityError = 1;
    public const int SeverityWarning = 2;
    public const int InlayHintType = 1;
    public const int CompletionClass = 7;
    public const int CompletionProperty = 10;
    public const int CompletionValue = 12;
    public const int CompletionKeyword = 14;
    public const int CompletionReference = 18;
    public const int SymbolClass = 5;
    public const int SymbolFunction = 12;
    public const int SymbolNamespace = 3;
    public const int SymbolField = 8;
    public const int SymbolModule = 2;
    public const int TextDocumentSyncIncremental = 2;
}

/// <summary>
/// CnnDsl's own request <c>cnndsl/diagram</c>: the diagram of the model named <see cref="Model"/>, or of the model at
/// <see cref="Position"/>, or the file's first model.
/// </summary>
public sealed class DiagramParams
{
    public TextDocumentIdentifier TextDocument { get; set; } = new();
    public Position? Position { get; set; }
    public string? Model { get; set; }
    public bool Expand { get; set; }
}

/// <summary>
/// The answer to <c>cnndsl/diagram</c>: the model drawn and its SVG, or, where there is nothing to draw, why (a file of
/// blocks only, a model with errors); the file's models, for a picker.
/// </summary>
public sealed record DiagramResult(string? Model, string? Svg, string? Message, IReadOnlyList<string> Models);
