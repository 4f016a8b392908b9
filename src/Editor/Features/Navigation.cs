using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Syntax;
using CnnDsl.Dsl.Text;
using CnnDsl.Editor.Protocol;
using CnnDsl.Editor.Workspace;

namespace CnnDsl.Editor.Features;

/// <summary>A name the editor can follow: a block (project-wide), or a layer's label within one model or block.</summary>
public sealed record NameSymbol(bool IsBlock, string Name, SourceLocation? OwnerLocation);

/// <summary>One place a name is written: where, and the text written there (a label in a group is written without its group's prefix).</summary>
public sealed record Occurrence(SourceLocation Location, string Written, bool IsDeclaration);

/// <summary>Go to definition, find references and rename, over the syntax of every .cnn file in the project.</summary>
public static class Navigation
{
    public static NameSymbol? SymbolAt(ProjectState project, string path, int offset)
    {
        var document = project.Find(path);
        if (document?.Syntax == null)
            return null;
        foreach (var block in document.Syntax.Blocks)
            if (Within(block.Name.Location, offset))
                return new NameSymbol(true, block.Name.Text, null);
        var layer = document.LayerAt(offset);
        if (layer == null)
            return null;
        if (Within(layer.Kind.Location, offset))
            return project.Blocks.Find(layer.Kind.Text) is BlockLayer ? new NameSymbol(true, layer.Kind.Text, null) : null;
        var owner = Owner(document, offset);
        if (owner == null)
            return null;
        if (layer.Label != null && !layer.Label.IsTemplate && Within(layer.Label.Location, offset))
            return new NameSymbol(false, layer.Label.Text, owner);
        var reference = References(layer).FirstOrDefault(v => Within(v.Location, offset));
        return reference == null ? null : new NameSymbol(false, reference.Text, owner);
    }

    /// <summary>The tensors a layer reads by name: <c>from=</c>, and the operands of <c>add</c> and <c>concat</c>.</summary>
    public static IEnumerable<ValueSyntax> References(LayerSyntax layer)
    {
        bool operands = LayerCatalog.Find(layer.Kind.Text)?.TakesTensorOperands ?? false;
        return layer.Arguments.Where(a => a.Value.Kind == ValueKind.Identifier
                && (a.Name != null && Names.Fold(a.Name.Text) == "from" || a.Name == null && operands))
            .Select(a => a.Value);
    }

    static SourceLocation? Owner(DocumentAnalysis document, int offset) =>
        document.BlockAt(offset)?.Location ?? document.ModelAt(offset)?.Location;

    static bool Within(SourceLocation location, int offset) => location.Span.Start <= offset && offset <= location.Span.End;

    public static List<Occurrence> Occurrences(ProjectState project, NameSymbol symbol)
    {
        var result = new List<Occurrence>();
        foreach (var document in project.Documents.Where(d => d.Syntax != null).OrderBy(d => d.Path, StringComparer.Ordinal))
        {
            var syntax = document.Syntax!;
            if (symbol.IsBlock)
            {
                result.AddRange(syntax.Blocks.Where(b => b.Name.Text == symbol.Name).Select(b => new Occurrence(b.Name.Location, b.Name.Text, true)));
                result.AddRange(document.Layers.Where(l => l.Kind.Text == symbol.Name).Select(l => new Occurrence(l.Kind.Location, l.Kind.Text, false)));
                continue;
            }
            if (symbol.OwnerLocation == null || document.Path != symbol.OwnerLocation.Path)
                continue;
            var span = symbol.OwnerLocation.Span;
            foreach (var layer in document.Layers.Where(l => span.Contains(l.Location.Span)))
            {
                if (layer.Label is { IsTemplate: false } label && label.Text == symbol.Name)
                    result.Add(new Occurrence(label.Location, document.Text.ToString(label.Location.Span), true));
                result.AddRange(References(layer).Where(v => v.Text == symbol.Name).Select(v => new Occurrence(v.Location, v.Text, false)));
            }
        }
        return Lsp.Distinct(result, o => (o.Location.Path, o.Location.Span)).ToList();
    }

    public static Location? Definition(ProjectState project, string path, Position position, Func<string, string> uriOf)
    {
        var document = project.Find(path);
        if (document == null)
            return null;
        var symbol = SymbolAt(project, path, Lsp.ToOffset(document.Text, position));
        var declaration = symbol == null ? null : Occurrences(project, symbol).FirstOrDefault(o => o.IsDeclaration);
        return declaration == null ? null : new Location(uriOf(declaration.Location.Path), Lsp.ToRange(declaration.Location.LineSpan));
    }

    public static List<Location> FindReferences(ProjectState project, string path, Position position, bool includeDeclaration, Func<string, string> uriOf)
    {
        var document = project.Find(path);
        var symbol = document == null ? null : SymbolAt(project, path, Lsp.ToOffset(document.Text, position));
        if (symbol == null)
            return new List<Location>();
        return Occurrences(project, symbol).Where(o => includeDeclaration || !o.IsDeclaration)
            .Select(o => new Location(uriOf(o.Location.Path), Lsp.ToRange(o.Location.LineSpan))).ToList();
    }

    /// <summary>
    /// The edits that rename a block or a label everywhere in the project's .cnn files. Throws
    /// <see cref="RenameException"/> with the reason where it cannot: a layer kind or zoo block, a computed label, an
    /// invalid new name, or one already taken.
    /// </summary>
    public static WorkspaceEdit Rename(ProjectState project, string path, Position position, string newName, Func<string, string> uriOf)
    {
        var document = project.Find(path) ?? throw new RenameException("The file is not part of the project.");
        int offset = Lsp.ToOffset(document.Text, position);
        var symbol = SymbolAt(project, path, offset) ?? throw new RenameException(
            "Only a block or a layer's label can be renamed here; layer kinds, arguments and zoo blocks cannot.");
        var occurrences = Occurrences(project, symbol);
        if (!occurrences.Any(o => o.IsDeclaration))
            throw new RenameException("'" + symbol.Name + "' is not declared in this project's .cnn files (a zoo block or an unknown name), so it cannot be renamed.");
        if (symbol.IsBlock)
        {
            if (!Names.IsIdentifier(newName) || Names.IsCSharpKeyword(newName))
                throw new RenameException("'" + newName + "' cannot name a block: a block name is a C# identifier and not a keyword.");
            if (LayerCatalog.Find(newName) != null || project.Blocks.Find(newName) != null)
                throw new RenameException("'" + newName + "' is already a layer kind or block.");
        }
        else if (newName.Split('.').Any(part => part.Length == 0 || !(Names.IsIdentifier(part) || part.All(char.IsDigit))))
        {
            throw new RenameException("'" + newName + "' cannot name a layer: use an identifier, or dotted parts (features.0).");
        }

        var changes = new Dictionary<string, List<TextEdit>>();
        foreach (var occurrence in occurrences)
        {
            var replacement = newName;
            if (occurrence.Written != symbol.Name)
            {
                // A label inside a group is written without the group's prefix, which the new name must keep.
                var prefix = symbol.Name.EndsWith("." + occurrence.Written, StringComparison.Ordinal) ? symbol.Name.Substring(0, symbol.Name.Length - occurrence.Written.Length) : null;
                if (prefix == null || !newName.StartsWith(prefix, StringComparison.Ordinal) || newName.Length == prefix.Length)
                    throw new RenameException("'" + symbol.Name + "' is named by its group; a new name must keep the prefix '" + prefix + "' (or rename the group).");
                replacement = newName.Substring(prefix.Length);
            }
            var uri = uriOf(occurrence.Location.Path);
            if (!changes.TryGetValue(uri, out var edits))
                changes[uri] = edits = new List<TextEdit>();
            edits.Add(new TextEdit(Lsp.ToRange(occurrence.Location.LineSpan), replacement));
        }
        return new WorkspaceEdit(changes);
    }

    public static PrepareRenameResult? PrepareRename(ProjectState project, string path, Position position)
    {
        var document = project.Find(path);
        if (document == null)
            return null;
        int offset = Lsp.ToOffset(document.Text, position);
        var symbol = SymbolAt(project, path, offset);
        if (symbol == null)
            return null;
        var here = Occurrences(project, symbol).FirstOrDefault(o => o.Location.Path == path && Within(o.Location, offset));
        return here == null ? null : new PrepareRenameResult(Lsp.ToRange(here.Location.LineSpan), symbol.Name);
    }
}

/// <summary>A rename that cannot be done, with the reason the editor shows.</summary>
public sealed class RenameException(string message) : Exception(message);
