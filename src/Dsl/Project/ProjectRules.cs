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
                models.Add(new CheckedModel(model, bound, (IReadOnlyList<LayerObservation>?)observations ?? Array.Empty<LayerObservation>()));
            }
            return models;
        }
    }
}
