using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CnnDsl.Editor.Features;
using CnnDsl.Editor.Protocol;
using CnnDsl.Editor.Workspace;
using Newtonsoft.Json.Linq;
using StreamJsonRpc;
using LspDiagnostic = CnnDsl.Editor.Protocol.Diagnostic;

namespace CnnDsl.LanguageServer;

/// <summary>
/// The protocol shell: each LSP method reads or updates the workspace's files and answers from the Dsl's syntax,
/// diagnostics and bound models. Messages are handled one at a time, in order (see Program), so the state needs no
/// locks but for the file watcher, which takes the same gate. A handler that fails answers nothing rather than ending
/// the server.
/// </summary>
public sealed class CnnLanguageServer
{
    readonly object gate = new();
    readonly Dictionary<string, string> uris = new(StringComparer.Ordinal);
    readonly HashSet<string> openFiles = new(StringComparer.Ordinal);
    readonly Dictionary<string, int?> versions = new(StringComparer.Ordinal);
    readonly Action exit;
    WorkspaceState workspace = new(null, null);
    FileSystemWatcher? watcher;
    JsonRpc? rpc;

    public CnnLanguageServer(Action exit) => this.exit = exit;

    public void Attach(JsonRpc connection) => rpc = connection;

    string UriOf(string path) => uris.TryGetValue(path, out var uri) ? uri : Lsp.Uri(path);

    string Remember(string uri)
    {
        var path = Lsp.PathOf(uri);
        uris[path] = uri;
        return path;
    }

    [JsonRpcMethod("initialize", UseSingleObjectParameterDeserialization = true)]
    public JObject Initialize(InitializeParams parameters)
    {
        var rootUri = parameters.WorkspaceFolders?.FirstOrDefault()?.Uri ?? parameters.RootUri;
        var root = rootUri != null ? Lsp.PathOf(rootUri) : parameters.RootPath;
        var rootNamespace = parameters.InitializationOptions?.Type == JTokenType.Object ? parameters.InitializationOptions.Value<string>("rootNamespace") : null;
        lock (gate)
            workspace = new WorkspaceState(root, rootNamespace);
        return JObject.FromObject(new
        {
            capabilities = new
            {
                textDocumentSync = new { openClose = true, change = LspKinds.TextDocumentSyncIncremental, save = new { includeText = false } },
                hoverProvider = true,
                inlayHintProvider = true,
                completionProvider = new { triggerCharacters = new[] { "=", ",", " " } },
                signatureHelpProvider = new { triggerCharacters = new[] { " ", "," } },
                definitionProvider = true,
                referencesProvider = true,
                renameProvider = new { prepareProvider = true },
                documentSymbolProvider = true,
                foldingRangeProvider = true,
                codeActionProvider = new { codeActionKinds = new[] { "quickfix" } },
            },
            serverInfo = new { name = "cnndsl-language-server", version = typeof(CnnLanguageServer).Assembly.GetName().Version?.ToString() },
        });
    }

    [JsonRpcMethod("initialized")]
    public void Initialized() => Guard(() =>
    {
        // Every .cnn file of the workspace, not only open ones: blocks are project-wide, and so are model names.
        var loaded = new List<(ProjectState Project, string Path, string Text)>();
        foreach (var path in workspace.DiscoverFiles())
        {
            if (openFiles.Contains(path))
                continue;
            var text = ReadFile(path);
            if (text != null)
                loaded.Add((workspace.ProjectOf(path), path, text));
        }
        foreach (var project in loaded.GroupBy(f => f.Project))
        {
            project.Key.Load(project.Select(f => (f.Path, f.Text)));
            foreach (var path in project.Key.Paths.ToList())
                Publish(project.Key, path);
        }
        Log("Loaded " + loaded.Count + " .cnn file(s) under " + (workspace.Root ?? "(no folder)"));
        Watch();
    });

    [JsonRpcMethod("shutdown")]
    public object? Shutdown()
    {
        watcher?.Dispose();
        watcher = null;
        return null;
    }

    [JsonRpcMethod("exit")]
    public void Exit() => exit();

    [JsonRpcMethod("textDocument/didOpen", UseSingleObjectParameterDeserialization = true)]
    public void DidOpen(DidOpenTextDocumentParams parameters) => Guard(() =>
    {
        var path = Remember(parameters.TextDocument.Uri);
        openFiles.Add(path);
        versions[path] = parameters.TextDocument.Version;
        Changed(path, parameters.TextDocument.Text);
    });

    [JsonRpcMethod("textDocument/didChange", UseSingleObjectParameterDeserialization = true)]
    public void DidChange(DidChangeTextDocumentParams parameters) => Guard(() =>
    {
        var path = Remember(parameters.TextDocument.Uri);
        var project = workspace.ProjectOf(path);
        var text = project.Find(path)?.Text.Text ?? "";
        foreach (var change in parameters.ContentChanges)
            text = Apply(text, change, path);
        versions[path] = parameters.TextDocument.Version;
        Changed(path, text);
    });

    [JsonRpcMethod("textDocument/didClose", UseSingleObjectParameterDeserialization = true)]
    public void DidClose(DidCloseTextDocumentParams parameters) => Guard(() =>
    {
        // A closed file stays part of the project, as on disk: its diagnostics and blocks still count.
        var path = Remember(parameters.TextDocument.Uri);
        openFiles.Remove(path);
        versions[path] = null;
        var text = ReadFile(path);
        if (text != null)
            Changed(path, text);
        else
            Deleted(path);
    });

    [JsonRpcMethod("textDocument/didSave")]
    public void DidSave(JToken parameters)
    {
    }

    [JsonRpcMethod("workspace/didChangeWatchedFiles", UseSingleObjectParameterDeserialization = true)]
    public void DidChangeWatchedFiles(DidChangeWatchedFilesParams parameters) => Guard(() =>
    {
        foreach (var change in parameters.Changes)
            FileChangedOnDisk(Remember(change.Uri), deleted: change.Type == 3);
    });

    [JsonRpcMethod("workspace/didChangeConfiguration")]
    public void DidChangeConfiguration(JToken parameters)
    {
    }

    [JsonRpcMethod("textDocument/hover", UseSingleObjectParameterDeserialization = true)]
    public Hover? Hover(TextDocumentPositionParams parameters) =>
        Answer(parameters.TextDocument.Uri, (project, path) => ShapeFeatures.Hover(project, path, parameters.Position));

    [JsonRpcMethod("textDocument/inlayHint", UseSingleObjectParameterDeserialization = true)]
    public List<InlayHint>? InlayHint(DocumentParams parameters) =>
        Answer(parameters.TextDocument.Uri, (project, path) =>
            ShapeFeatures.InlayHints(project, path, parameters.Range?.Start.Line ?? 0, parameters.Range?.End.Line ?? int.MaxValue));

    [JsonRpcMethod("textDocument/completion", UseSingleObjectParameterDeserialization = true)]
    public CompletionList? Completion(TextDocumentPositionParams parameters) =>
        Answer(parameters.TextDocument.Uri, (project, path) => CompletionFeatures.Complete(project, path, parameters.Position));

    [JsonRpcMethod("textDocument/signatureHelp", UseSingleObjectParameterDeserialization = true)]
    public SignatureHelp? SignatureHelp(TextDocumentPositionParams parameters) =>
        Answer(parameters.TextDocument.Uri, (project, path) => CompletionFeatures.Signature(project, path, parameters.Position));

    [JsonRpcMethod("textDocument/definition", UseSingleObjectParameterDeserialization = true)]
    public Location? Definition(TextDocumentPositionParams parameters) =>
        Answer(parameters.TextDocument.Uri, (project, path) => Navigation.Definition(project, path, parameters.Position, UriOf));

    [JsonRpcMethod("textDocument/references", UseSingleObjectParameterDeserialization = true)]
    public List<Location>? References(ReferenceParams parameters) =>
        Answer(parameters.TextDocument.Uri, (project, path) =>
            Navigation.FindReferences(project, path, parameters.Position, parameters.Context.IncludeDeclaration, UriOf));

    [JsonRpcMethod("textDocument/prepareRename", UseSingleObjectParameterDeserialization = true)]
    public PrepareRenameResult? PrepareRename(TextDocumentPositionParams parameters) =>
        Answer(parameters.TextDocument.Uri, (project, path) => Navigation.PrepareRename(project, path, parameters.Position));

    [JsonRpcMethod("textDocument/rename", UseSingleObjectParameterDeserialization = true)]
    public WorkspaceEdit? Rename(RenameParams parameters)
    {
        lock (gate)
        {
            var path = Remember(parameters.TextDocument.Uri);
            try
            {
                // Names are read from the syntax, which is current in every file even before it is checked again.
                var project = workspace.ProjectOf(path);
                var edit = Navigation.Rename(project, path, parameters.Position, parameters.NewName, UriOf);
                // The build also reads block names in C# attributes ([CnnModel(Base = "...")], block attributes): say so.
                ShowMessage(3, "Renamed in " + edit.Changes.Count + " .cnn file(s). Names in C# attribute models (Base = \"...\" strings) are not renamed; update them by hand.");
                return edit;
            }
            catch (RenameException problem)
            {
                throw new LocalRpcException(problem.Message) { ErrorCode = -32803 };
            }
        }
    }

    [JsonRpcMethod("textDocument/documentSymbol", UseSingleObjectParameterDeserialization = true)]
    public List<DocumentSymbol>? DocumentSymbol(DocumentParams parameters) =>
        Answer(parameters.TextDocument.Uri, (project, path) => project.Find(path) is { } document ? Outline.Symbols(document) : null);

    [JsonRpcMethod("textDocument/foldingRange", UseSingleObjectParameterDeserialization = true)]
    public List<FoldingRange>? FoldingRange(DocumentParams parameters) =>
        Answer(parameters.TextDocument.Uri, (project, path) => project.Find(path) is { } document ? Outline.Folding(document) : null);

    // CnnDsl's own request: the diagram of a model of the file, for the editor's side panel.
    [JsonRpcMethod("cnndsl/diagram", UseSingleObjectParameterDeserialization = true)]
    public DiagramResult? Diagram(DiagramParams parameters) =>
        Answer(parameters.TextDocument.Uri, (project, path) => DiagramFeature.For(project, path, parameters.Position, parameters.Model, parameters.Expand));

    [JsonRpcMethod("textDocument/codeAction", UseSingleObjectParameterDeserialization = true)]
    public List<CodeAction>? CodeAction(CodeActionParams parameters) =>
        Answer(parameters.TextDocument.Uri, (project, path) => CodeActions.For(project, path, parameters.Range, UriOf));

    // Every request answers from the file's project; a failure is logged and answered with nothing.
    T? Answer<T>(string uri, Func<ProjectState, string, T?> answer) where T : class
    {
        lock (gate)
        {
            try
            {
                var path = Remember(uri);
                var project = workspace.ProjectOf(path);
                foreach (var rebound in project.BindFor(path))
                    Publish(project, rebound);
                return answer(project, path);
            }
            catch (Exception exception)
            {
                Log("Request failed for " + uri + ": " + exception);
                return null;
            }
        }
    }

    void Guard(Action action)
    {
        lock (gate)
        {
            try
            {
                action();
            }
            catch (Exception exception)
            {
                Log("Notification failed: " + exception);
            }
        }
    }

    void Changed(string path, string text)
    {
        var project = workspace.ProjectOf(path);
        var namesBefore = ModelNames(project, path);
        project.UpdateOne(path, text);
        Publish(project, path);
        // Model names are compared across files: a new or renamed model here may add or clear a duplicate elsewhere.
        if (!namesBefore.SequenceEqual(ModelNames(project, path)))
            foreach (var other in project.Paths.Where(p => p != path).ToList())
                Publish(project, other);
        if (project.HasStale)
            BindStaleLater(project);
    }

    /// <summary>
    /// The other files of a project whose blocks changed are checked after the edited file's diagnostics have gone out,
    /// a few at a time between messages, so that requests are not kept waiting; a request checks first what it needs.
    /// </summary>
    readonly HashSet<ProjectState> bindingLater = new();

    void BindStaleLater(ProjectState project)
    {
        const int filesAtATime = 2;
        // One chain of batches per project: an edit while one runs only adds to its files.
        if (!bindingLater.Add(project))
            return;
        // The message loop's own context (handlers do not run with it as the current one): work posted there runs
        // between messages, in order with them.
        if (rpc?.SynchronizationContext is not { } context)
        {
            foreach (var path in project.BindStale())
                Publish(project, path);
            return;
        }
        // A pause between batches lets the reader take the next message off the pipe, so that a keystroke or request
        // that came meanwhile goes first.
        Task.Delay(1).ContinueWith(_ => context.Post(__ => Guard(() =>
        {
            bindingLater.Remove(project);
            foreach (var path in project.BindStale(filesAtATime))
                Publish(project, path);
            if (project.HasStale)
                BindStaleLater(project);
        }), null), TaskScheduler.Default);
    }

    static List<string> ModelNames(ProjectState project, string path) =>
        project.Find(path)?.Models.Where(m => m.Bound != null).Select(m => m.Bound!.Namespace + "." + m.Bound.Name).ToList() ?? new List<string>();

    void Deleted(string path)
    {
        var project = workspace.ProjectOf(path);
        foreach (var changed in project.Remove(path))
            Publish(project, changed);
        Send(path, Array.Empty<LspDiagnostic>());
        foreach (var other in project.Paths.ToList())
            Publish(project, other);
    }

    void FileChangedOnDisk(string path, bool deleted)
    {
        if (!path.EndsWith(".cnn", StringComparison.OrdinalIgnoreCase) || openFiles.Contains(path))
            return;
        var text = deleted ? null : ReadFile(path);
        if (text == null)
            Deleted(path);
        else
            Changed(path, text);
    }

    readonly Dictionary<string, List<LspDiagnostic>> published = new(StringComparer.Ordinal);

    void Publish(ProjectState project, string path)
    {
        var diagnostics = project.DiagnosticsOf(path).Select(d => Lsp.ToLsp(d, UriOf)).ToList();
        if (published.TryGetValue(path, out var before) && before.Count == diagnostics.Count && versions.GetValueOrDefault(path) == null
            && before.Select(Describe).SequenceEqual(diagnostics.Select(Describe)))
            return;
        Send(path, diagnostics);
    }

    static string Describe(LspDiagnostic d) => d.Code + d.Range + d.Message;

    void Send(string path, IReadOnlyList<LspDiagnostic> diagnostics)
    {
        published[path] = diagnostics.ToList();
        _ = rpc?.NotifyWithParameterObjectAsync("textDocument/publishDiagnostics", new PublishDiagnosticsParams(UriOf(path), versions.GetValueOrDefault(path), diagnostics));
    }

    void ShowMessage(int type, string message) =>
        _ = rpc?.NotifyWithParameterObjectAsync("window/showMessage", new { type, message });

    static void Log(string message) => Console.Error.WriteLine("[cnndsl] " + message);

    static string? ReadFile(string path)
    {
        try
        {
            if (!File.Exists(path) || new FileInfo(path).Length > WorkspaceState.MaxFileBytes)
                return null;
            // As the build reads additional files: UTF-8, a byte order mark dropped.
            return File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception exception) when (exception is IOException || exception is UnauthorizedAccessException)
        {
            Log("Cannot read " + path + ": " + exception.Message);
            return null;
        }
    }

    // Files changed by other tools (git checkout, a generator) are picked up without the client's help.
    void Watch()
    {
        if (workspace.Root == null || !Directory.Exists(workspace.Root))
            return;
        try
        {
            watcher = new FileSystemWatcher(workspace.Root, "*.cnn") { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
            FileSystemEventHandler onChange = (_, e) => Guard(() => FileChangedOnDisk(e.FullPath, e.ChangeType == WatcherChangeTypes.Deleted));
            watcher.Changed += onChange;
            watcher.Created += onChange;
            watcher.Deleted += onChange;
            watcher.Renamed += (_, e) => Guard(() =>
            {
                FileChangedOnDisk(e.OldFullPath, deleted: true);
                FileChangedOnDisk(e.FullPath, deleted: false);
            });
            watcher.EnableRaisingEvents = true;
        }
        catch (Exception exception) when (exception is IOException || exception is ArgumentException || exception is PlatformNotSupportedException)
        {
            Log("Not watching " + workspace.Root + ": " + exception.Message);
        }
    }

    // LSP ranges are in UTF-16 code units, as .NET strings are.
    static string Apply(string text, TextDocumentContentChangeEvent change, string path)
    {
        if (change.Range == null)
            return change.Text;
        var source = Dsl.Text.SourceText.From(text, path);
        int start = Lsp.ToOffset(source, change.Range.Start);
        int end = Math.Max(start, Lsp.ToOffset(source, change.Range.End));
        return text.Substring(0, start) + change.Text + text.Substring(end);
    }
}
