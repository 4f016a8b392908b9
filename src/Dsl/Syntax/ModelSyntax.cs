using CnnDsl.Dsl.Text;

namespace CnnDsl.Dsl.Syntax
{
    // The syntax of a model, whichever form it was written in: the .cnn parser and the generator's reading of
    // [CnnModel] attributes both produce these records, with locations in their own files, so one binder checks both.

    /// <summary>
    /// A model: its name, namespace, input shape and layers in source order. A model may start from a block, such as a
    /// zoo model (<c>model CifarResNet = resnet18 classes=10</c>): the block's layers come first, at the top level.
    /// </summary>
    public sealed record ModelSyntax(
        NameSyntax Name,
        string? Namespace,
        ShapeSyntax? Input,
        EquatableArray<LayerSyntax> Layers,
        SourceLocation Location,
        bool HasSyntaxErrors = false,
        LayerSyntax? Base = null);

    /// <summary>One layer line or attribute: an optional label, the layer kind, and its arguments.</summary>
    public sealed record LayerSyntax(
        NameSyntax? Label,
        NameSyntax Kind,
        EquatableArray<ArgumentSyntax> Arguments,
        SourceLocation Location);

    /// <summary>An argument, positional when it has no name.</summary>
    public sealed record ArgumentSyntax(NameSyntax? Name, ValueSyntax Value, SourceLocation Location);

    public sealed record NameSyntax(string Text, SourceLocation Location);

    /// <summary>A shape without the batch dimension, such as <c>1x28x28</c>.</summary>
    public sealed record ShapeSyntax(EquatableArray<long> Dimensions, SourceLocation Location);

    public enum ValueKind
    {
        Number,
        Identifier,
        Tuple,
    }

    /// <summary>An argument value: a number, a name such as <c>same</c> or <c>relu</c>, or a parenthesised tuple.</summary>
    public sealed record ValueSyntax(ValueKind Kind, string Text, double Number, bool IsInteger, EquatableArray<ValueSyntax> Items, SourceLocation Location)
    {
        public static ValueSyntax FromNumber(string text, double number, bool isInteger, SourceLocation location) =>
            new ValueSyntax(ValueKind.Number, text, number, isInteger, EquatableArray<ValueSyntax>.Empty, location);

        public static ValueSyntax FromIdentifier(string text, SourceLocation location) =>
            new ValueSyntax(ValueKind.Identifier, text, 0, false, EquatableArray<ValueSyntax>.Empty, location);

        public static ValueSyntax FromTuple(string text, EquatableArray<ValueSyntax> items, SourceLocation location) =>
            new ValueSyntax(ValueKind.Tuple, text, 0, false, items, location);

        public override string ToString() => Text;
    }

    /// <summary>
    /// A reusable block: <c>block BasicBlock(channels, stride=1)</c> and its layers. Its parameters are used by name in
    /// its layers' arguments; <c>input</c> names the tensor the block is given.
    /// </summary>
    public sealed record BlockSyntax(NameSyntax Name, EquatableArray<BlockParameterSyntax> Parameters, EquatableArray<LayerSyntax> Layers,
        SourceLocation Location, bool HasSyntaxErrors = false);

    public sealed record BlockParameterSyntax(NameSyntax Name, ValueSyntax? Default);

    /// <summary>The result of parsing one .cnn file.</summary>
    public sealed record CnnFileSyntax(string Path, string? Namespace, EquatableArray<ModelSyntax> Models, EquatableArray<BlockSyntax> Blocks);
}
