using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Project;
using CnnDsl.Dsl.Syntax;
using CnnDsl.Dsl.Text;
using DslDiagnostic = CnnDsl.Dsl.Diagnostics.Diagnostic;

namespace CnnDsl.Editor.Workspace;

/// <summary>
/// Every .cnn file of the project, open or not, checked as the build checks them: each file parsed on its own, blocks
/// collected from all files (ordered by path, as the generator orders them), each file's models bound against them, and
/// models of one name in two files reported on the later path. An edit re-parses and re-binds its own file; other
/// files are bound again only when the project's blocks changed. Not thread-safe: the server calls it one message at a time.
/// </summary>
public sealed class ProjectState
{
    readonly Dictionary<string, DocumentAnalysis> documents = new(StringComparer.Ordinal);
    EquatableArray<BlockSyntax> blocks = EquatableArray<BlockSyntax>.Empty;
    BlockScope scope = BlockScope.ZooOnly;
    IReadOnlyList<DslDiagnostic> blockDiagnostics = Array.Empty<DslDiagnostic>();
    readonly HashSet<string> stale = new(StringComparer.Ordinal);

    public ProjectState(string? rootNamespace) => RootNamespace = rootNamespace;

    /// <summary>The namespace of models that name none, as the project's RootNamespace gives it to the generator.</summary>
    public string? RootNamespace { get; }

    public IEnumerable<string> Paths => documents.Keys;

    public DocumentAnalysis? Find(string path) => documents.TryGetValue(path, out var document) ? document : null;

    public IEnumerable<DocumentAnalysis> Documents => documents.Values;

    public BlockScope Blocks => scope;

    /// <summary>
    /// Sets a file's text and checks it, and every other file where the project's blocks changed. Returns the paths
    /// whose diagnostics may have changed, this one first.
    /// </summary>
    public IReadOnlyList<string> Update(string path, string text)
    {
        UpdateOne(path, text);
        return new[] { path }.Concat(BindStale()).ToList();
    }

    /// <summary>
    /// Sets a file's text and checks it against the project's blocks as they now are; where its blocks changed, the
    /// other files are left for <see cref="BindStale"/>, so that the edited file's diagnostics need not wait for them.
    /// </summary>
    public void UpdateOne(string path, string text)
    {
        var parsed = Parse(path, text);
        documents[path] = parsed.Analysis;
        if (RefreshBlocks())
            stale.UnionWith(documents.Keys.Where(p => p != path));
        stale.Remove(path);
        documents[path] = Bind(parsed);
    }

    /// <summary>Adds files read from disk: all are parsed, the blocks collected once, then each file is checked.</summary>
    public void Load(IEnumerable<(string Path, string Text)> files)
    {
        var parsed = files.Select(f => Parse(f.Path, f.Text)).ToList();
        foreach (var file in parsed)
            documents[file.Analysis.Path] = file.Analysis;
        if (RefreshBlocks())
            stale.UnionWith(documents.Keys);
        foreach (var file in parsed)
        {
            stale.Remove(file.Analysis.Path);
            documents[file.Analysis.Path] = Bind(file);
        }
        BindStale();
    }

    /// <summary>Whether some files were checked against blocks that have since changed.</summary>
    public bool HasStale => stale.Count > 0;

    /// <summary>Whether a file was checked against blocks that have since changed (its syntax is current, its binding is not).</summary>
    public bool IsStale(string path) => stale.Contains(path);

    /// <summary>Checks again up to <paramref name="limit"/> of the files whose blocks changed; returns their paths.</summary>
    public IReadOnlyList<string> BindStale(int limit = int.MaxValue)
    {
        var paths = stale.Where(documents.ContainsKey).OrderBy(p => p, StringComparer.Ordinal).Take(limit).ToList();
        foreach (var other in paths)
            BindAgain(other);
        stale.ExceptWith(paths);
        stale.RemoveWhere(p => !documents.ContainsKey(p));
        return paths;
    }

    /// <summary>
    /// What a request about <paramref name="path"/> needs checked first: the file itself, and for the blocks written in
    /// it, one file that uses each (their lines show the shapes of a use). Returns the paths checked again.
    /// </summary>
    public IReadOnlyList<string> BindFor(string path)
    {
        var result = new List<string>();
        if (stale.Remove(path) && documents.ContainsKey(path))
        {
            BindAgain(path);
            result.Add(path);
        }
        var blocksHere = documents.TryGetValue(path, out var document) && document.Syntax != null ? document.Syntax.Blocks.ToList() : new List<BlockSyntax>();
        blocksHere.RemoveAll(b => Documents.Where(d => !IsStale(d.Path)).Any(d => Shows(d, b)));
        foreach (var other in stale.OrderBy(p => p, StringComparer.Ordinal).ToList())
        {
            if (blocksHere.Count == 0)
                break;
            // A file that uses any of the project's blocks may reach these, directly or through another block.
            if (!documents[other].Layers.Any(l => blocks.Any(b => b.Name.Text == l.Kind.Text)))
                continue;
            stale.Remove(other);
            BindAgain(other);
            result.Add(other);
            blocksHere.RemoveAll(b => Shows(documents[other], b));
        }
        return result;
    }

    // Whether binding this file read a line of the block: then the block's lines have shapes to show.
    static bool Shows(DocumentAnalysis document, BlockSyntax block) =>
        document.Models.Any(m => m.Observations.Any(o => o.Syntax.Location.Path == block.Location.Path && block.Location.Span.Contains(o.Syntax.Location.Span)));

    void BindAgain(string path) => documents[path] = Bind(Parse(path, documents[path].Text.Text));

    /// <summary>Forgets a deleted file; returns the paths to check again.</summary>
    public IReadOnlyList<string> Remove(string path)
    {
        stale.Remove(path);
        if (!documents.Remove(path))
            return Array.Empty<string>();
        if (!RefreshBlocks())
            return Array.Empty<string>();
        foreach (var other in documents.Keys.ToList())
            BindAgain(other);
        stale.Clear();
        return documents.Keys.ToList();
    }

    /// <summary>
    /// The diagnostics the build reports in a file: its own, those of the project's blocks written in it, and a
    /// duplicate-name diagnostic on each model whose name a file earlier by path already uses.
    /// </summary>
    public IReadOnlyList<DslDiagnostic> DiagnosticsOf(string path)
    {
        if (!documents.TryGetValue(path, out var document))
            return Array.Empty<DslDiagnostic>();
        var result = new List<DslDiagnostic>(document.Diagnostics);
        result.AddRange(blockDiagnostics.Where(d => d.Location.Path == path));
        var models = documents.Values.SelectMany(d => d.Models).Where(m => m.Bound != null).Select(m => (m.Bound!.Namespace, m.Bound.Name, m.Bound.SourcePath)).ToList();
        var duplicates = new DiagnosticBag();
        foreach (var model in document.Models.Where(m => m.Bound != null))
            NameRules.CheckDefinedOnce(model.Bound!, model.Syntax.Name.Location, models, duplicates);
        result.AddRange(duplicates);
        return result;
    }

    sealed record Parsed(DocumentAnalysis Analysis, DiagnosticBag Diagnostics);

    static Parsed Parse(string path, string text)
    {
        var source = SourceText.From(text, path);
        var diagnostics = new DiagnosticBag();
        try
        {
            var syntax = Parser.Parse(source, diagnostics);
            return new Parsed(new DocumentAnalysis(source, syntax, diagnostics.ToList(), Array.Empty<ModelAnalysis>()), diagnostics);
        }
        catch (Exception exception)
        {
            var bag = new DiagnosticBag();
            bag.ReportInternalError(FileStart(path), System.IO.Path.GetFileName(path), exception);
            return new Parsed(new DocumentAnalysis(source, null, bag.ToList(), Array.Empty<ModelAnalysis>()), bag);
        }
    }

    // Blocks are project-wide: a change to any of them (their text or where they are) changes every file's binding.
    bool RefreshBlocks()
    {
        var current = ProjectRules.Blocks(documents.Values.Select(d => d.Syntax), RootNamespace);
        if (current.Equals(blocks))
            return false;
        blocks = current;
        var diagnostics = new DiagnosticBag();
        try
        {
            scope = BlockScope.Create(blocks, diagnostics);
        }
        catch (Exception exception)
        {
            scope = BlockScope.ZooOnly;
            diagnostics.ReportInternalError(blocks.Count == 0 ? FileStart("") : blocks[0].Location, "blocks", exception);
        }
        blockDiagnostics = diagnostics.ToList();
        return true;
    }

    DocumentAnalysis Bind(Parsed parsed)
    {
        var analysis = parsed.Analysis;
        if (analysis.Syntax == null)
            return analysis;
        var syntax = ProjectRules.WithRootNamespace(analysis.Syntax, RootNamespace);
        var diagnostics = new DiagnosticBag();
        diagnostics.AddRange(parsed.Diagnostics);
        var models = new List<ModelAnalysis>();
        try
        {
            models.AddRange(ProjectRules.CheckFile(analysis.Syntax, RootNamespace, scope, diagnostics, observe: true)
                .Select(m => new ModelAnalysis(m.Syntax, m.Bound, m.Observations)));
        }
        catch (Exception exception)
        {
            diagnostics = new DiagnosticBag();
            diagnostics.ReportInternalError(FileStart(analysis.Path), System.IO.Path.GetFileName(analysis.Path), exception);
            models.Clear();
        }
        return new DocumentAnalysis(analysis.Text, syntax, diagnostics.ToList(), models);
    }

    static SourceLocation FileStart(string path)
    {
        var start = new LinePosition(0, 0);
        return new SourceLocation(path, new TextSpan(0, 0), new LinePositionSpan(start, start));
    }
}
