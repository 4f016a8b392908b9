using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Syntax;

namespace CnnDsl.Dsl.Project
{
    /// <summary>A model of a file as the project checks it: its syntax (with the project's namespace), the checked model
    /// (null with errors) and, where asked for, every layer line its binding read.</summary>
    public sealed record CheckedModel(ModelSyntax Syntax, BoundModel? Bound, IReadOnlyList<LayerObservation> Observations);

    /// <summary>
    /// What makes .cnn files one project, in one place: the project's blocks (every file's, in order of path, in their
    /// file's namespace or the project's root namespace), how a file's models are checked against them (the root
    /// namespace, one model of a name per file, binding, the names the generated C# can carry), and which model of a name
    /// used twice in a namespace is kept. The generator (a file at a time, incrementally), the language server (a document
    /// at a time, with observations) and the tools (<see cref="CnnProject"/>) all call these.
    /// </summary>
    public static class ProjectRules
    {
        /// <summary>The project's blocks: every file's, in order of path, each in its file's namespace or the root namespace.</summary>
        public static EquatableArray<BlockSyntax> Blocks(IEnumerable<CnnFileSyntax?> files, string? rootNamespace) =>
            NameRules.WithDefaultNamespace(files.Where(f => f != null).OrderBy(f => f!.Path, StringComparer.Ordinal).SelectMany(f => f!.Blocks), rootNamespace)
                .ToEquatableArray();

        /// <summary>The file's models in the root namespace where the file names none, as the generated classes are.</summary>
        public static CnnFileSyntax WithRootNamespace(CnnFileSyntax file, string? rootNamespace) =>
            rootNamespace == null ? file
                : file with { Models = file.Models.Select(m => m.Namespace == null ? m with { Namespace = rootNamespace } : m).ToEquatableArray() };

        /// <summary>
        /// Checks a file's models against the project's blocks: each name once in the file, each model bound, and its
        /// class and namespace names usable in C# and unlike a block's class. Problems go to <paramref name="diagnostics"/>.
        /// </summary>
        /// <param name="observe">Record every layer line each binding reads, for editors.</param>
        public static IReadOnlyList<CheckedModel> CheckFile(CnnFileSyntax file, string? rootNamespace, BlockScope blocks, DiagnosticBag diagnostics, bool observe = false)
        {
            var syntax = WithRootNamespace(file, rootNamespace);
            var models = new List<CheckedModel>();
            foreach (var model in NameRules.DefinedOnceInFile(syntax.Models, diagnostics))
            {
                var observations = observe ? new List<LayerObservation>() : null;
                var bound = Binder.BindModel(model, diagnostics, blocks, observations);
                if (bound != null && !(NameRules.Check(bound, diagnostics, model.Name.Location) && NameRules.CheckAgainstBlockClasses(bound, blocks, diagnostics, model.Name.Location)))
                    bound = null;
                if (bound != null)
                    bound = bound with { DefinitionHash = DefinitionHash(model, bound, blocks) };
                models.Add(new CheckedModel(model, bound, (IReadOnlyList<LayerObservation>?)observations ?? Array.Empty<LayerObservation>()));
            }
            return models;
        }

        /// <summary>The project blocks a bound model uses (directly or inside other blocks), in name order.</summary>
        public static IReadOnlyList<BlockSyntax> BlocksUsed(BoundModel model, BlockScope blocks) =>
            model.Blocks.Where(f => !f.FromZoo).Select(f => f.BlockName).Distinct().OrderBy(n => n, StringComparer.Ordinal)
                .Select(blocks.SyntaxOf).Where(b => b != null).Select(b => b!).ToList();

        /// <summary>
        /// What identifies a model's definition across tools (<see cref="BoundModel.DefinitionHash"/>): the SHA-256 of the
        /// model as written (input line included) and of the project blocks it uses, as <see cref="SyntaxWriter"/> writes
        /// them without namespaces and in lower case, so formatting, comments, the project's root namespace and the
        /// spelling of values (<c>relu</c> in a .cnn file, <c>Activation.ReLU</c> in an attribute) do not change it.
        /// </summary>
        public static string DefinitionHash(ModelSyntax model, BoundModel bound, BlockScope blocks)
        {
            var text = SyntaxWriter.Write(model with { Namespace = null }, BlocksUsed(bound, blocks).Select(b => b with { Namespace = null })).ToLowerInvariant();
            using var sha = System.Security.Cryptography.SHA256.Create();
            var hash = sha.ComputeHash(System.Text.Encoding.UTF8.GetBytes(text));
            return "sha256:" + string.Concat(hash.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        }
    }
}
