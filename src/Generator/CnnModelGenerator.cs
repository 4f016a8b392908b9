using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Text;
using Microsoft.CodeAnalysis;

namespace CnnDsl.Generator
{
    /// <summary>
    /// Checks CNN models at compile time and generates a TorchSharp module for each valid one. Models come from
    /// <c>*.cnn</c> additional files and from <c>[CnnModel]</c> classes; both are bound by the same Dsl binder.
    /// Every step's output is plain equatable data, so an edit re-runs only the steps of the model it touches.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class CnnModelGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var rootNamespace = context.AnalyzerConfigOptionsProvider
                .Select((options, _) => options.GlobalOptions.TryGetValue("build_property.RootNamespace", out var ns) && !string.IsNullOrWhiteSpace(ns) ? ns.Trim() : null)
                .WithTrackingName(TrackingNames.RootNamespace);

            var cnnFiles = context.AdditionalTextsProvider
                .Where(file => file.Path.EndsWith(".cnn", StringComparison.OrdinalIgnoreCase))
                .Select((file, cancellationToken) => ReadFile(file, cancellationToken))
                .WithTrackingName(TrackingNames.CnnFiles);

            var cnnModels = cnnFiles
                .Combine(rootNamespace)
                .Select((pair, _) => CompileFile(pair.Left, pair.Right))
                .WithTrackingName(TrackingNames.CnnModels)
                .SelectMany((results, _) => results);

            var attributeModels = context.SyntaxProvider
                .ForAttributeWithMetadataName(AttributeModelReader.ModelAttributeName,
                    (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax,
                    AttributeModelReader.Read)
                .WithTrackingName(TrackingNames.AttributeModels)
                .Select((model, _) => BindAttributeModel(model))
                .WithTrackingName(TrackingNames.BoundAttributeModels);

            var allModels = cnnModels.Collect().Combine(attributeModels.Collect())
                .Select((pair, _) => pair.Left.AddRange(pair.Right));

            // Only names and paths take part in finding duplicates, so edits within a model keep this step cached.
            var modelNames = allModels
                .Select((models, _) => models.Where(m => m.Model != null).Select(m => new ModelKey(m.Model!.Namespace, m.Model.Name, m.Model.SourcePath)).ToEquatableArray())
                .WithTrackingName(TrackingNames.ModelNames);

            var modelsToEmit = cnnModels.Combine(modelNames).Select((pair, _) => WithoutDuplicate(pair.Left, pair.Right))
                .WithTrackingName(TrackingNames.ModelsToEmit);
            var attributeModelsToEmit = attributeModels.Combine(modelNames).Select((pair, _) => WithoutDuplicate(pair.Left, pair.Right));

            context.RegisterSourceOutput(modelsToEmit, Emit);
            context.RegisterSourceOutput(attributeModelsToEmit, Emit);
        }

        // A file that cannot be read becomes a diagnostic, never an exception out of the generator.
        static (string Path, string Text, string? Error) ReadFile(AdditionalText file, System.Threading.CancellationToken cancellationToken)
        {
            try
            {
                return (file.Path, file.GetText(cancellationToken)?.ToString() ?? "", null);
            }
            catch (Exception exception) when (!(exception is OperationCanceledException))
            {
                return (file.Path, "", exception.GetType().Name + ": " + exception.Message);
            }
        }

        static EquatableArray<ModelResult> CompileFile((string Path, string Text, string? Error) file, string? rootNamespace)
        {
            var (path, text, error) = file;
            var declaration = new ClassDeclaration(false, "public");
            try
            {
                if (error != null)
                    throw new System.IO.IOException("cannot read the file: " + error);
                var compilation = CnnCompilation.Compile(text, path, rootNamespace);
                var results = compilation.Models.Select(m => new ModelResult(m, declaration, EquatableArray<CnnDsl.Dsl.Diagnostics.Diagnostic>.Empty)).ToList();
                // File-level diagnostics travel with a model-less result, so each model's result stays independent.
                results.Add(new ModelResult(null, declaration, compilation.Diagnostics.ToEquatableArray()));
                return results.ToEquatableArray();
            }
            catch (Exception exception)
            {
                var bag = new DiagnosticBag();
                var start = new LinePosition(0, 0);
                bag.ReportInternalError(new SourceLocation(path, new TextSpan(0, 0), new LinePositionSpan(start, start)), System.IO.Path.GetFileName(path), exception);
                return EquatableArray.Create(new ModelResult(null, declaration, bag.ToEquatableArray()));
            }
        }

        static ModelResult BindAttributeModel(AttributeModel model)
        {
            if (model.Syntax == null)
                return new ModelResult(null, model.Declaration, model.Diagnostics);
            try
            {
                var diagnostics = new DiagnosticBag();
                diagnostics.AddRange(model.Diagnostics);
                // A scope of its own per model: binding keeps a stack of the blocks being expanded, and the generator
                // may run on several threads at once (an IDE or a compiler server with several projects).
                var scope = BlockScope.Create(Array.Empty<CnnDsl.Dsl.Syntax.BlockSyntax>(), new DiagnosticBag());
                var bound = diagnostics.HasErrors ? null : Binder.BindModel(model.Syntax, diagnostics, scope);
                if (bound != null)
                    NameRules.Check(bound, diagnostics);
                return new ModelResult(diagnostics.HasErrors ? null : bound, model.Declaration, diagnostics.ToEquatableArray());
            }
            catch (Exception exception)
            {
                var bag = new DiagnosticBag();
                bag.ReportInternalError(model.Syntax.Location, model.Syntax.Name.Text, exception);
                return new ModelResult(null, model.Declaration, bag.ToEquatableArray());
            }
        }

        // A second model of the same name in the same namespace is reported and not emitted; the first by path wins.
        static ModelResult WithoutDuplicate(ModelResult result, EquatableArray<ModelKey> names)
        {
            var model = result.Model;
            if (model == null)
                return result;
            var first = names.Where(k => k.Namespace == model.Namespace && k.Name == model.Name)
                .OrderBy(k => k.Path, StringComparer.Ordinal).First();
            if (first.Path == model.SourcePath)
            {
                // Roslyn compares file names ignoring case, and one repeated name fails the whole generator.
                var hint = ModelEmitter.HintName(model);
                bool clash = names.Any(k => (k.Namespace != model.Namespace || k.Name != model.Name)
                    && string.Equals(ModelEmitter.HintName(model with { Namespace = k.Namespace, Name = k.Name }), hint, StringComparison.OrdinalIgnoreCase));
                return clash ? result with { HintDiscriminator = Discriminator((model.Namespace ?? "") + "." + model.Name) } : result;
            }
            var bag = new DiagnosticBag();
            bag.AddRange(result.Diagnostics);
            bag.ReportDuplicateModelName(model.Location, model.Name, model.Namespace ?? "(global)");
            return new ModelResult(null, result.Declaration, bag.ToEquatableArray());
        }

        static void Emit(SourceProductionContext context, ModelResult result)
        {
            foreach (var diagnostic in result.Diagnostics)
                context.ReportDiagnostic(RoslynDiagnostics.ToRoslyn(diagnostic));
            if (result.Model == null)
                return;
            // Whatever goes wrong with one model is reported on that model; an exception leaving this method would make
            // Roslyn drop the output of every model (CS8785).
            try
            {
                var source = ModelEmitter.Emit(result.Model, result.Declaration);
                context.AddSource(ModelEmitter.HintName(result.Model, result.HintDiscriminator), source);
            }
            catch (Exception exception) when (!(exception is OperationCanceledException))
            {
                var bag = new DiagnosticBag();
                bag.ReportInternalError(result.Model.Location, result.Model.Name, exception);
                context.ReportDiagnostic(RoslynDiagnostics.ToRoslyn(bag.First()));
            }
        }

        // A stable short hash of the exact name (FNV-1a), so names that differ only in case get different files.
        static string Discriminator(string name)
        {
            uint hash = 2166136261;
            foreach (var c in name)
                hash = (hash ^ c) * 16777619;
            return hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
