using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Project;
using CnnDsl.Dsl.Syntax;
using CnnDsl.Dsl.Text;
using Microsoft.CodeAnalysis;

namespace CnnDsl.Generator
{
    /// <summary>
    /// Checks CNN models at compile time and generates a TorchSharp module for each valid one. Models come from
    /// <c>*.cnn</c> additional files and from <c>[CnnModel]</c> classes; both are bound by the same Dsl binder, against
    /// the blocks of every .cnn file in the project. Every step's output is plain equatable data, so an edit re-runs
    /// only the steps it touches; diagnostics and sources are separate outputs, and the sources hold no locations.
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

            var parsedFiles = cnnFiles
                .Select((file, _) => Parse(file))
                .WithTrackingName(TrackingNames.ParsedFiles);

            // Blocks are visible in every .cnn file and to attribute models.
            var projectBlocks = parsedFiles.Collect()
                .Combine(rootNamespace)
                .Select((pair, _) => CollectBlocks(pair.Left, pair.Right))
                .WithTrackingName(TrackingNames.ProjectBlocks);

            var cnnModels = parsedFiles
                .Combine(projectBlocks)
                .Combine(rootNamespace)
                .Select((pair, _) => CompileFile(pair.Left.Left, pair.Left.Right, pair.Right))
                .WithTrackingName(TrackingNames.CnnModels)
                .SelectMany((results, _) => results);

            var attributeModels = context.SyntaxProvider
                .ForAttributeWithMetadataName(AttributeModelReader.ModelAttributeName,
                    (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax,
                    AttributeModelReader.Read)
                .WithTrackingName(TrackingNames.AttributeModels)
                .Combine(projectBlocks)
                .Select((pair, _) => BindAttributeModel(pair.Left, pair.Right))
                .WithTrackingName(TrackingNames.BoundAttributeModels);

            var allModels = cnnModels.Collect().Combine(attributeModels.Collect())
                .Select((pair, _) => pair.Left.AddRange(pair.Right));

            // Only names and paths take part in finding duplicates, so edits within a model keep this step cached.
            var modelNames = allModels
                .Select((models, _) => models.Where(m => m.Model != null).Select(m => new ModelKey(m.Model!.Namespace, m.Model.Name, m.Model.SourcePath)).ToEquatableArray())
                .WithTrackingName(TrackingNames.ModelNames);

            var results = cnnModels.Combine(modelNames).Select((pair, _) => WithoutDuplicate(pair.Left, pair.Right))
                .WithTrackingName(TrackingNames.ModelsToEmit);
            var attributeResults = attributeModels.Combine(modelNames).Select((pair, _) => WithoutDuplicate(pair.Left, pair.Right));

            context.RegisterSourceOutput(results.Select((r, _) => r.Diagnostics), Report);
            context.RegisterSourceOutput(attributeResults.Select((r, _) => r.Diagnostics), Report);
            context.RegisterSourceOutput(projectBlocks.Select((b, _) => b.Diagnostics), Report);

            var specs = results.Where(r => r.Model != null).Select((r, _) => new EmissionSpec(r.Model!, r.Declaration, r.CnnSource!, r.HintDiscriminator)).WithTrackingName(TrackingNames.EmissionSpecs);
            var attributeSpecs = attributeResults.Where(r => r.Model != null).Select((r, _) => new EmissionSpec(r.Model!, r.Declaration, r.CnnSource!, r.HintDiscriminator));
            context.RegisterSourceOutput(specs, Emit);
            context.RegisterSourceOutput(attributeSpecs, Emit);

            // One class per block (and input rank) for the whole project, whichever models use it: equal specs from
            // several models are one, and a model's edit that leaves a block's function unchanged leaves its source cached.
            var blockSpecs = results.Select((r, _) => BlockSpecs(r.Model)).Collect()
                .Combine(attributeResults.Select((r, _) => BlockSpecs(r.Model)).Collect())
                .SelectMany((pair, _) => DistinctBlocks(pair.Left.Concat(pair.Right)))
                .WithTrackingName(TrackingNames.BlockEmissionSpecs);
            context.RegisterSourceOutput(blockSpecs, EmitBlock);
        }

        // The classes a model's blocks need, each with the functions of the blocks it uses, inner first.
        static EquatableArray<BlockEmissionSpec> BlockSpecs(BoundModel? model)
        {
            if (model == null)
                return EquatableArray<BlockEmissionSpec>.Empty;
            var byKey = model.Blocks.ToDictionary(f => (f.BlockName, f.InputRank));
            var specs = new List<BlockEmissionSpec>();
            foreach (var function in model.Blocks)
            {
                var needed = new HashSet<(string, int)>();
                void Visit(IEnumerable<BoundStatement> statements)
                {
                    foreach (var statement in statements)
                    {
                        if (statement is BoundBranch branch)
                        {
                            Visit(branch.Then);
                            Visit(branch.Else);
                        }
                        else if (statement is BoundLayer { Config: BlockConfig use } && needed.Add((use.BlockName, use.Input.Rank))
                            && byKey.TryGetValue((use.BlockName, use.Input.Rank), out var inner))
                        {
                            Visit(inner.Body);
                        }
                    }
                }
                Visit(function.Body);
                specs.Add(new BlockEmissionSpec(function, model.Blocks.Where(f => needed.Contains((f.BlockName, f.InputRank))).ToEquatableArray()));
            }
            return specs.ToEquatableArray();
        }

        static IEnumerable<BlockEmissionSpec> DistinctBlocks(IEnumerable<EquatableArray<BlockEmissionSpec>> perModel)
        {
            var seen = new HashSet<(string?, string)>();
            foreach (var spec in perModel.SelectMany(s => s))
                if (seen.Add((spec.Function.Namespace, spec.Function.ClassName)))
                    yield return spec;
        }

        static void EmitBlock(SourceProductionContext context, BlockEmissionSpec spec)
        {
            try
            {
                context.AddSource(ModelEmitter.BlockHintName(spec.Function), ModelEmitter.EmitBlock(spec));
            }
            catch (Exception exception) when (!(exception is OperationCanceledException))
            {
                var bag = new DiagnosticBag();
                bag.ReportInternalError(FileStart(""), spec.Function.BlockName, exception);
                context.ReportDiagnostic(RoslynDiagnostics.ToRoslyn(bag.First()));
            }
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

        static ParsedFile Parse((string Path, string Text, string? Error) file)
        {
            var (path, text, error) = file;
            var diagnostics = new DiagnosticBag();
            try
            {
                if (error != null)
                    throw new System.IO.IOException("cannot read the file: " + error);
                var syntax = Parser.Parse(SourceText.From(text, path), diagnostics);
                return new ParsedFile(path, syntax, diagnostics.ToEquatableArray());
            }
            catch (Exception exception)
            {
                var bag = new DiagnosticBag();
                bag.ReportInternalError(FileStart(path), System.IO.Path.GetFileName(path), exception);
                return new ParsedFile(path, null, bag.ToEquatableArray());
            }
        }

        static SourceLocation FileStart(string path)
        {
            var start = new LinePosition(0, 0);
            return new SourceLocation(path, new TextSpan(0, 0), new LinePositionSpan(start, start));
        }

        static ProjectBlocks CollectBlocks(ImmutableArray<ParsedFile> files, string? rootNamespace)
        {
            // A block's class goes in its file's namespace, or the project's root namespace, as a model's does.
            var blocks = ProjectRules.Blocks(files.Select(f => f.Syntax), rootNamespace);
            var diagnostics = new DiagnosticBag();
            try
            {
                BlockScope.Create(blocks, diagnostics);
            }
            catch (Exception exception)
            {
                diagnostics.ReportInternalError(blocks.Count == 0 ? FileStart("") : blocks[0].Location, "blocks", exception);
            }
            return new ProjectBlocks(blocks, diagnostics.ToEquatableArray());
        }

        static EquatableArray<ModelResult> CompileFile(ParsedFile file, ProjectBlocks blocks, string? rootNamespace)
        {
            var declaration = new ClassDeclaration(false, "public");
            if (file.Syntax == null)
                return EquatableArray.Create(new ModelResult(null, declaration, file.Diagnostics));
            try
            {
                var diagnostics = new DiagnosticBag();
                diagnostics.AddRange(file.Diagnostics);
                var scope = BlockScope.Create(blocks.Blocks, new DiagnosticBag());
                var results = ProjectRules.CheckFile(file.Syntax, rootNamespace, scope, diagnostics)
                    .Where(m => m.Bound != null)
                    .Select(m => new ModelResult(m.Bound, declaration, EquatableArray<CnnDsl.Dsl.Diagnostics.Diagnostic>.Empty, m.Syntax.Name.Location,
                        CnnSource: SyntaxWriter.Write(m.Syntax, BlocksUsed(m.Bound!, blocks))))
                    .ToList();
                // File-level diagnostics travel with a model-less result, so each model's result stays independent.
                results.Add(new ModelResult(null, declaration, diagnostics.ToEquatableArray()));
                return results.ToEquatableArray();
            }
            catch (Exception exception)
            {
                var bag = new DiagnosticBag();
                bag.ReportInternalError(FileStart(file.Path), System.IO.Path.GetFileName(file.Path), exception);
                return EquatableArray.Create(new ModelResult(null, declaration, bag.ToEquatableArray()));
            }
        }

        static ModelResult BindAttributeModel(AttributeModel model, ProjectBlocks blocks)
        {
            if (model.Syntax == null)
                return new ModelResult(null, model.Declaration, model.Diagnostics);
            try
            {
                var diagnostics = new DiagnosticBag();
                diagnostics.AddRange(model.Diagnostics);
                var scope = blocks.Blocks.Count == 0 ? BlockScope.ZooOnly : BlockScope.Create(blocks.Blocks, new DiagnosticBag());
                var bound = diagnostics.HasErrors ? null : Binder.BindModel(model.Syntax, diagnostics, scope);
                if (bound != null && NameRules.Check(bound, diagnostics, model.Syntax.Name.Location))
                    NameRules.CheckAgainstBlockClasses(bound, scope, diagnostics, model.Syntax.Name.Location);
                if (bound != null)
                    bound = bound with { DefinitionHash = ProjectRules.DefinitionHash(model.Syntax, bound, scope) };
                return diagnostics.HasErrors || bound == null
                    ? new ModelResult(null, model.Declaration, diagnostics.ToEquatableArray(), model.Syntax.Name.Location)
                    : new ModelResult(bound, model.Declaration, diagnostics.ToEquatableArray(), model.Syntax.Name.Location, CnnSource: SyntaxWriter.Write(model.Syntax, BlocksUsed(bound, blocks)));
            }
            catch (Exception exception)
            {
                var bag = new DiagnosticBag();
                bag.ReportInternalError(model.Syntax.Location, model.Syntax.Name.Text, exception);
                return new ModelResult(null, model.Declaration, bag.ToEquatableArray());
            }
        }

        // The project's blocks a model uses, directly or inside other blocks (zoo blocks ship with the Dsl), in project order.
        static IEnumerable<BlockSyntax> BlocksUsed(BoundModel model, ProjectBlocks blocks)
        {
            var used = new HashSet<string>(model.Blocks.Where(f => !f.FromZoo).Select(f => f.BlockName));
            return blocks.Blocks.Where(b => used.Contains(b.Name.Text));
        }

        // A second model of the same name in the same namespace is reported and not emitted; the first by path wins.
        static ModelResult WithoutDuplicate(ModelResult result, EquatableArray<ModelKey> names)
        {
            var model = result.Model;
            if (model == null)
                return result;
            var bag = new DiagnosticBag();
            bag.AddRange(result.Diagnostics);
            if (!NameRules.CheckDefinedOnce(model, result.NameLocation ?? FileStart(model.SourcePath), names.Select(k => (k.Namespace, k.Name, k.Path)), bag))
                return new ModelResult(null, result.Declaration, bag.ToEquatableArray());
            // Roslyn compares file names ignoring case, and one repeated name fails the whole generator.
            var hint = ModelEmitter.HintName(model);
            bool clash = names.Any(k => (k.Namespace != model.Namespace || k.Name != model.Name)
                && string.Equals(ModelEmitter.HintName(model with { Namespace = k.Namespace, Name = k.Name }), hint, StringComparison.OrdinalIgnoreCase));
            return clash ? result with { HintDiscriminator = Discriminator((model.Namespace ?? "") + "." + model.Name) } : result;
        }

        static void Report(SourceProductionContext context, EquatableArray<CnnDsl.Dsl.Diagnostics.Diagnostic> diagnostics)
        {
            foreach (var diagnostic in diagnostics)
                context.ReportDiagnostic(RoslynDiagnostics.ToRoslyn(diagnostic));
        }

        static void Emit(SourceProductionContext context, EmissionSpec spec)
        {
            // Whatever goes wrong with one model is reported on that model; an exception leaving this method would make
            // Roslyn drop the output of every model (CS8785).
            try
            {
                var source = ModelEmitter.Emit(spec.Model, spec.Declaration, spec.CnnSource);
                context.AddSource(ModelEmitter.HintName(spec.Model, spec.HintDiscriminator), source);
            }
            catch (Exception exception) when (!(exception is OperationCanceledException))
            {
                var bag = new DiagnosticBag();
                bag.ReportInternalError(FileStart(spec.Model.SourcePath), spec.Model.Name, exception);
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
