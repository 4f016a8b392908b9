using System.Linq;
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
        EquatableArray<StatementSyntax> Layers,
        SourceLocation Location,
        bool HasSyntaxErrors = false,
        LayerSyntax? Base = null);

    /// <summary>A line of a model or block: a layer, or an <c>if</c> or <c>repeat</c> around layers.</summary>
    public abstract record StatementSyntax(SourceLocation Location);

    /// <summary>One layer line or attribute: an optional label, the layer kind, and its arguments.</summary>
    public sealed record LayerSyntax(
        NameSyntax? Label,
        NameSyntax Kind,
        EquatableArray<ArgumentSyntax> Arguments,
        SourceLocation Location) : StatementSyntax(Location);

    /// <summary><c>if condition</c> ... [<c>else</c> ...] <c>end</c>: layers that exist only when the condition holds.</summary>
    public sealed record IfSyntax(ValueSyntax Condition, EquatableArray<StatementSyntax> Then, EquatableArray<StatementSyntax> Else, SourceLocation Location)
        : StatementSyntax(Location);

    /// <summary><c>repeat count as i</c> ... <c>end</c>: the body once for each i from 0 to count - 1.</summary>
    public sealed record RepeatSyntax(ValueSyntax Count, NameSyntax Variable, EquatableArray<StatementSyntax> Body, SourceLocation Location)
        : StatementSyntax(Location);

    /// <summary>An argument, positional when it has no name.</summary>
    public sealed record ArgumentSyntax(NameSyntax? Name, ValueSyntax Value, SourceLocation Location);

    /// <summary>
    /// A name as written. A label may compute parts of itself (<c>denselayer{i + 1}</c>): <see cref="Holes"/> holds the
    /// expressions between braces, in order, and <see cref="Text"/> the whole template.
    /// </summary>
    public sealed record NameSyntax(string Text, SourceLocation Location, EquatableArray<ValueSyntax> Holes = default)
    {
        public bool IsTemplate => Holes.Count > 0;
    }

    /// <summary>
    /// A shape without the batch dimension, such as <c>1x28x28</c> or <c>3xHxW</c>: each size is a number or, for a
    /// spatial size, a variable name (held in <see cref="Variables"/> at its index, with 0 in <see cref="Dimensions"/>).
    /// </summary>
    public sealed record ShapeSyntax(EquatableArray<long> Dimensions, SourceLocation Location, EquatableArray<string?> Variables = default)
    {
        public bool HasVariables => Variables.Any(v => v != null);
    }

    public enum ValueKind
    {
        Number,
        Identifier,
        Tuple,
        /// <summary><c>a + b</c>: <see cref="ValueSyntax.Operator"/> and two items.</summary>
        Binary,
        /// <summary><c>-a</c>, <c>not a</c>: the operator and one item.</summary>
        Unary,
        /// <summary><c>min(a, b)</c>: the function's name as the operator, and its arguments.</summary>
        Call,
    }

    /// <summary>An argument value: a number, a name such as <c>same</c> or <c>relu</c>, or a parenthesised tuple.</summary>
    public sealed record ValueSyntax(ValueKind Kind, string Text, double Number, bool IsInteger, EquatableArray<ValueSyntax> Items, SourceLocation Location, string Operator = "")
    {
        public static ValueSyntax FromOperator(ValueKind kind, string op, string text, EquatableArray<ValueSyntax> items, SourceLocation location) =>
            new ValueSyntax(kind, text, 0, false, items, location, op);

        /// <summary>A number; a whole one also keeps its exact value, which a double loses past 2^53.</summary>
        public static ValueSyntax FromNumber(string text, double number, bool isInteger, SourceLocation location, long? whole = null) =>
            new ValueSyntax(ValueKind.Number, text, number, isInteger, EquatableArray<ValueSyntax>.Empty, location) { Whole = isInteger ? whole ?? (long)number : 0 };

        /// <summary>The exact value of a whole number (<see cref="IsInteger"/>).</summary>
        public long Whole { get; init; }

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
    public sealed record BlockSyntax(NameSyntax Name, EquatableArray<BlockParameterSyntax> Parameters, EquatableArray<StatementSyntax> Layers,
        SourceLocation Location, bool HasSyntaxErrors = false, string? Namespace = null);

    public sealed record BlockParameterSyntax(NameSyntax Name, ValueSyntax? Default);

    /// <summary>The result of parsing one .cnn file; <see cref="Groups"/> only tells editors where groups are.</summary>
    public sealed record CnnFileSyntax(string Path, string? Namespace, EquatableArray<ModelSyntax> Models, EquatableArray<BlockSyntax> Blocks,
        EquatableArray<GroupSyntax> Groups = default);

    /// <summary><c>group features</c> ... <c>end</c>: the dotted prefix it gives its layers, from <c>group</c> to its end.</summary>
    public sealed record GroupSyntax(string Prefix, SourceLocation Location);
}
