using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Syntax;

namespace CnnDsl.Generator
{
    /// <summary>How the generated class is declared: a class of its own for .cnn models, or the user's partial class for attributes.</summary>
    public sealed record ClassDeclaration(bool FromAttributes, string Accessibility);

    /// <summary>
    /// What a file or an attributed class yields: a checked model (null when it has errors) and its diagnostics. The hint
    /// discriminator is set when another model's file name differs from this one's only in case.
    /// </summary>
    public sealed record ModelResult(BoundModel? Model, ClassDeclaration Declaration, EquatableArray<Diagnostic> Diagnostics, string? HintDiscriminator = null);

    /// <summary>An attributed class read into the source-neutral model syntax, before binding.</summary>
    public sealed record AttributeModel(ModelSyntax? Syntax, ClassDeclaration Declaration, EquatableArray<Diagnostic> Diagnostics);

    /// <summary>A model's identity for finding duplicates: no location, so moving text does not invalidate it.</summary>
    public sealed record ModelKey(string? Namespace, string Name, string Path);
}
