using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using CnnDsl.Dsl.Binding;
using CnnDsl.Editor.Features;
using CnnDsl.Editor.Protocol;
using CnnDsl.Editor.Workspace;
using CnnDsl.Onnx;
using CnnDsl.PyTorchExport;

namespace CnnDsl.Playground;

/// <summary>
/// The page's one file, checked as the build checks a project's .cnn file: every answer comes from the editor features
/// the language server uses, over the same <see cref="ProjectState"/>, so the page shows what the build reports.
/// </summary>
public sealed class PlaygroundSession
{
    /// <summary>The name of the page's one .cnn file, in its messages and downloads.</summary>
    public const string FileName = "model.cnn";

    /// <summary>The namespace of the page's models, as a project's RootNamespace gives it to the generator.</summary>
    public const string RootNamespace = "Playground";

    readonly ProjectState project = new(RootNamespace);

    /// <summary>
    /// Checks the text; returns what each keystroke shows at once: its diagnostics, the shape and count of each layer
    /// line, and its models (whether each checked). The summaries, longer to write, follow from <see cref="Summaries"/>.
    /// </summary>
    public CheckResult Update(string text)
    {
        project.Update(FileName, text);
        var document = project.Find(FileName)!;
        var diagnostics = project.DiagnosticsOf(FileName).Select(d => Lsp.ToLsp(d, UriOf)).ToList();
        var hints = ShapeFeatures.InlayHints(project, FileName, 0, int.MaxValue)
            .Select(h => new ShapeHint(h.Position.Line, h.Position.Character, h.Label)).ToList();
        var models = document.Models
            .Select(m => new ModelState(m.Syntax.Name.Text, m.Syntax.Name.Location.LineSpan.Start.Line, m.Bound != null))
            .ToList();
        return new CheckResult(diagnostics, hints, models);
    }

    /// <summary>Each model's Keras-style summary, its input and the input sizes it accepts (for <c>input 3xHxW</c>); null for a model with errors.</summary>
    public IReadOnlyList<ModelSummary> Summaries() =>
        (project.Find(FileName)?.Models ?? Array.Empty<ModelAnalysis>())
            .Select(m => m.Bound is { } bound
                ? new ModelSummary(bound.Name, bound.FormatSummary(), bound.InputShape.ToString(), bound.SizeVariables.Count > 0 ? bound.AcceptedSizeRule : null, bound.ParameterCount)
                : new ModelSummary(m.Syntax.Name.Text, null, null, null, null))
            .ToList();

    public Hover? Hover(int line, int character) => ShapeFeatures.Hover(project, FileName, new Position(line, character));

    public CompletionList Complete(int line, int character) => CompletionFeatures.Complete(project, FileName, new Position(line, character));

    public SignatureHelp? Signature(int line, int character) => CompletionFeatures.Signature(project, FileName, new Position(line, character));

    /// <summary>The fixes the compiler offers for the diagnostics touching the range, as edits of the page's file.</summary>
    public IReadOnlyList<PageCodeAction> CodeActions(Editor.Protocol.Range range) =>
        Editor.Features.CodeActions.For(project, FileName, range, UriOf)
            .Select(a => new PageCodeAction(a.Title, a.Diagnostics.Select(d => d.Code).ToList(),
                a.Edit.Changes.TryGetValue(UriOf(FileName), out var edits) ? edits : new List<TextEdit>()))
            .ToList();

    public DiagramResult? Diagram(int line, int character, bool expand) =>
        DiagramFeature.For(project, FileName, new Position(line, character), modelName: null, expand);

    /// <summary>
    /// <c>cnn export --onnx</c> of the named model with untrained weights (PyTorch's initialisation, seed 0), as the
    /// file's bytes; the batch and the input's size variables stay dynamic.
    /// </summary>
    public byte[] ExportOnnx(string modelName)
    {
        var model = Checked(modelName);
        return OnnxExporter.ExportBytes(model, ModelWeights.Initialize(model, seed: 0), "The untrained weights");
    }

    /// <summary><c>cnn export --pytorch</c> of the named model: its module and the torchrun training script, zipped.</summary>
    public byte[] ExportPyTorch(string modelName)
    {
        var model = Checked(modelName);
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, text) in PyTorchExporter.Files(model))
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
                writer.Write(text);
            }
        return memory.ToArray();
    }

    BoundModel Checked(string modelName)
    {
        var document = project.Find(FileName) ?? throw new PlaygroundException("There is no text to export yet.");
        var model = document.Models.FirstOrDefault(m => m.Syntax.Name.Text == modelName)
            ?? throw new PlaygroundException($"The text has no model '{modelName}' (models: {string.Join(", ", document.Models.Select(m => m.Syntax.Name.Text))}).");
        if (project.DiagnosticsOf(FileName).Any(d => d.IsError) || model.Bound == null)
            throw new PlaygroundException($"{modelName} cannot be exported while the text has errors: fix those listed under Problems first.");
        return model.Bound;
    }

    static string UriOf(string path) => path;
}

/// <summary>A reason the page shows instead of a download.</summary>
public sealed class PlaygroundException(string message) : Exception(message);

public sealed record ShapeHint(int Line, int Character, string Label);

/// <summary>One model of the text: its name, the line of its name and whether it checked.</summary>
public sealed record ModelState(string Name, int Line, bool Checked);

/// <summary>One model's summary, input and accepted sizes when it checked; only its name otherwise.</summary>
public sealed record ModelSummary(string Name, string? Summary, string? Input, string? AcceptedSizes, long? Parameters);

public sealed record CheckResult(IReadOnlyList<Diagnostic> Diagnostics, IReadOnlyList<ShapeHint> Hints, IReadOnlyList<ModelState> Models);

public sealed record PageCodeAction(string Title, IReadOnlyList<string> Fixes, IReadOnlyList<TextEdit> Edits);
