using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Syntax;
using CnnDsl.Dsl.Text;

namespace CnnDsl.Generator
{
    /// <summary>How the generated class is declared: a class of its own for .cnn models, or the user's partial class for attributes.</summary>
    public sealed record ClassDeclaration(bool FromAttributes, string Accessibility);

    /// <summary>
    /// What a file or an attributed class yields: a checked model (null when it has errors), its diagnostics, where its
    /// name is written (for a duplicate-name diagnostic), a hint discriminator set when another model's file name
    /// differs from this one's only in case, and the model with the project blocks it uses written back as .cnn text
    /// (<see cref="SyntaxWriter"/>). The model and that text hold no locations.
    /// </summary>
    public sealed record ModelResult(BoundModel? Model, ClassDeclaration Declaration, EquatableArray<Diagnostic> Diagnostics, SourceLocation? NameLocation = null,
        string? HintDiscriminator = null, string? CnnSource = null);

    /// <summary>What the source output needs: location-free, so moving text leaves it equal and its output cached.</summary>
    public sealed record EmissionSpec(BoundModel Model, ClassDeclaration Declaration, string CnnSource, string? HintDiscriminator = null);

    /// <summary>
    /// What a block's class needs: the block bound as a function, and the functions of the blocks it uses (inner first),
    /// whose constructors it calls. Location-free and the same from every model that uses the block.
    /// </summary>
    public sealed record BlockEmissionSpec(BlockFunction Function, EquatableArray<BlockFunction> Dependencies);

    /// <summary>A parsed .cnn file: its syntax (blocks and models) and its syntax diagnostics.</summary>
    public sealed record ParsedFile(string Path, CnnFileSyntax? Syntax, EquatableArray<Diagnostic> Diagnostics);

    /// <summary>The blocks of every .cnn file in the project, and what is wrong with their names.</summary>
    public sealed record ProjectBlocks(EquatableArray<BlockSyntax> Blocks, EquatableArray<Diagnostic> Diagnostics);

    /// <summary>An attributed class read into the source-neutral model syntax, before binding.</summary>
    public sealed record AttributeModel(ModelSyntax? Syntax, ClassDeclaration Declaration, EquatableArray<Diagnostic> Diagnostics);

    /// <summary>A model's identity for finding duplicates: no location, so moving text does not invalidate it.</summary>
    public sealed record ModelKey(string? Namespace, string Name, string Path);
}
