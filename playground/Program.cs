using System;
using System.Runtime.InteropServices.JavaScript;
using System.Text.Json;
using System.Text.Json.Serialization;
using CnnDsl.Editor.Protocol;

namespace CnnDsl.Playground;

/// <summary>
/// What the page's script calls: plain values in, JSON out (written by the source-generated serializer, so trimming
/// keeps every property). Positions are the protocol's: zero-based lines and UTF-16 columns, as Monaco counts them.
/// </summary>
public static partial class PlaygroundApi
{
    static readonly PlaygroundSession session = new();

    public static void Main() { }

    [JSExport]
    public static string Update(string text) => Json(session.Update(text), PageJson.Default.CheckResult);

    [JSExport]
    public static string Summaries() => Json(session.Summaries(), PageJson.Default.IReadOnlyListModelSummary);

    [JSExport]
    public static string Hover(int line, int character) => Json(session.Hover(line, character), PageJson.Default.Hover);

    [JSExport]
    public static string Complete(int line, int character) => Json(session.Complete(line, character), PageJson.Default.CompletionList);

    [JSExport]
    public static string Signature(int line, int character) => Json(session.Signature(line, character), PageJson.Default.SignatureHelp);

    [JSExport]
    public static string CodeActions(int startLine, int startCharacter, int endLine, int endCharacter) =>
        Json(session.CodeActions(new Editor.Protocol.Range(new Position(startLine, startCharacter), new Position(endLine, endCharacter))), PageJson.Default.IReadOnlyListPageCodeAction);

    [JSExport]
    public static string Diagram(int line, int character, bool expand) => Json(session.Diagram(line, character, expand), PageJson.Default.DiagramResult);

    /// <summary>The ONNX file's bytes; a model that cannot be exported throws, and the page shows the message.</summary>
    [JSExport]
    public static byte[] ExportOnnx(string model) => session.ExportOnnx(model);

    [JSExport]
    public static byte[] ExportPyTorch(string model) => session.ExportPyTorch(model);

    static string Json<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) => JsonSerializer.Serialize(value, type);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CheckResult))]
[JsonSerializable(typeof(System.Collections.Generic.IReadOnlyList<ModelSummary>))]
[JsonSerializable(typeof(Hover))]
[JsonSerializable(typeof(CompletionList))]
[JsonSerializable(typeof(SignatureHelp))]
[JsonSerializable(typeof(System.Collections.Generic.IReadOnlyList<PageCodeAction>))]
[JsonSerializable(typeof(DiagramResult))]
internal sealed partial class PageJson : JsonSerializerContext;
