using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Syntax;
using CnnDsl.Dsl.Text;

namespace CnnDsl.Dsl.Project
{
    /// <summary>
    /// .cnn files checked together as a build checks a project's (<see cref="ProjectRules"/>): blocks of every file are
    /// usable from every file, each file's models are bound against them, and a model whose name a file earlier by path
    /// already gives a model in the same namespace is reported and left out. What the command-line tools work on.
    /// </summary>
    public sealed class CnnProject
    {
        CnnProject(IReadOnlyList<CnnFileSyntax> files, BlockScope blocks, IReadOnlyList<Diagnostic> diagnostics, IReadOnlyList<CheckedModel> models)
        {
            Files = files;
            Blocks = blocks;
            Diagnostics = diagnostics;
            Models = models;
        }

        public IReadOnlyList<CnnFileSyntax> Files { get; }
        public BlockScope Blocks { get; }
        public IReadOnlyList<Diagnostic> Diagnostics { get; }

        /// <summary>The valid models, each with its syntax.</summary>
        public IReadOnlyList<CheckedModel> Models { get; }

        public bool HasErrors => Diagnostics.Any(d => d.IsError);

        /// <summary>
        /// Checks the files as one project; with <paramref name="oneProject"/> false the files after the first only lend
        /// their blocks, so a model of theirs with a name the first file's uses is no error.
        /// </summary>
        public static CnnProject Check(IReadOnlyList<(string Path, string Text)> files, string? rootNamespace = null, bool oneProject = true)
        {
            var diagnostics = new DiagnosticBag();
            var parsed = files.Select(f => Parser.Parse(SourceText.From(f.Text, f.Path), diagnostics)).ToList();
            var blocks = BlockScope.Create(ProjectRules.Blocks(parsed, rootNamespace), diagnostics);
            var models = parsed.SelectMany(file => ProjectRules.CheckFile(file, rootNamespace, blocks, diagnostics)).Where(m => m.Bound != null).ToList();
            if (oneProject)
            {
                var names = models.Select(m => (m.Bound!.Namespace, m.Bound.Name, m.Bound.SourcePath)).ToList();
                models.RemoveAll(m => !NameRules.CheckDefinedOnce(m.Bound!, m.Syntax.Name.Location, names, diagnostics));
            }
            return new CnnProject(parsed, blocks, diagnostics.ToList(), models);
        }

        /// <summary>Reads and checks the files as one project; a file that cannot be read is a <see cref="ProjectException"/>.</summary>
        public static CnnProject Load(IReadOnlyList<string> paths, bool oneProject = true) =>
            Check(paths.Select(path => (path, Read(path))).ToList(), rootNamespace: null, oneProject);

        static string Read(string path)
        {
            try
            {
                return File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new ProjectException($"cannot read '{path}': {e.Message}");
            }
        }

        /// <summary>The model to work on: the one named, or the file's only model.</summary>
        public CheckedModel Select(string? name, string file)
        {
            var models = Models.Where(m => SamePath(m.Bound!.SourcePath, file)).ToList();
            var list = models.Count == 0 ? "" : " (models: " + string.Join(", ", models.Select(m => m.Bound!.Name)) + ")";
            if (name != null)
                return models.FirstOrDefault(m => m.Bound!.Name == name) ?? throw new ProjectException($"{file} has no model '{name}'" + list);
            if (models.Count == 1)
                return models[0];
            throw new ProjectException(models.Count == 0 ? $"{file} has no model" : $"{file} has {models.Count} models; choose one with --model" + list);
        }

        public static bool SamePath(string a, string b) => Path.GetFullPath(a) == Path.GetFullPath(b);

        /// <summary>
        /// Checks the file with the blocks of the .cnn files beside it (as in a project) and returns the model, bound
        /// again for <paramref name="input"/> when given (e.g. <c>3x64x64</c>: every check runs for that size); writes the
        /// file's diagnostics to <paramref name="errors"/> and returns null when it has errors.
        /// </summary>
        public static BoundModel? Resolve(string file, string? modelName, string? input, TextWriter errors)
        {
            if (!File.Exists(file))
                throw new ProjectException($"'{file}' does not exist");
            var folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
            var others = Directory.EnumerateFiles(folder, "*.cnn").Where(f => !SamePath(f, file)).OrderBy(f => f, StringComparer.Ordinal);
            var project = Load(new[] { file }.Concat(others).ToList(), oneProject: false);
            // Only this file's diagnostics: the other files are read for their blocks.
            if (!Print(project.Diagnostics.Where(d => SamePath(d.Location.Path, file)).ToList(), errors))
                return null;
            var selected = project.Select(modelName, file);
            if (input == null)
                return selected.Bound;
            var (rebound, diagnostics) = project.WithInput(selected.Syntax, input);
            return Print(diagnostics, errors) ? rebound : null;
        }

        static bool Print(IReadOnlyList<Diagnostic> diagnostics, TextWriter errors)
        {
            foreach (var diagnostic in diagnostics)
                errors.WriteLine(diagnostic);
            return !diagnostics.Any(d => d.IsError);
        }

        /// <summary>Binds the model again for a fixed input, e.g. <c>3x64x64</c>: every check runs for that size.</summary>
        public (BoundModel? Model, IReadOnlyList<Diagnostic> Diagnostics) WithInput(ModelSyntax syntax, string input)
        {
            var location = syntax.Input?.Location ?? syntax.Name.Location;
            var shape = ShapeParser.TryParse(input, location);
            if (shape == null || shape.HasVariables || shape.Dimensions.Any(d => d <= 0))
                throw new ProjectException($"--input '{input}' is not a shape of positive sizes such as 3x64x64");
            var diagnostics = new DiagnosticBag();
            var model = Binder.BindModel(syntax with { Input = shape }, diagnostics, Blocks);
            // The definition is the model as written: fixing its input size for a run does not make it another model.
            if (model != null)
                model = model with { DefinitionHash = ProjectRules.DefinitionHash(syntax, model, Blocks) };
            return (model, diagnostics.ToList());
        }
    }

    /// <summary>A project that cannot be read or a model that is not there: one line for the user, no stack trace.</summary>
    public sealed class ProjectException : Exception
    {
        public ProjectException(string message)
            : base(message)
        {
        }
    }
}
