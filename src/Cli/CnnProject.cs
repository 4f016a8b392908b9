using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Syntax;
using CnnDsl.Dsl.Text;

namespace CnnDsl.Cli
{
    /// <summary>
    /// .cnn files checked together as the source generator checks a project's: blocks of every file are usable from
    /// every file, and each file's models are bound against them.
    /// </summary>
    internal sealed class CnnProject
    {
        CnnProject(IReadOnlyList<CnnFileSyntax> files, BlockScope blocks, IReadOnlyList<Diagnostic> diagnostics, IReadOnlyList<(BoundModel Model, ModelSyntax Syntax)> models)
        {
            Files = files;
            Blocks = blocks;
            Diagnostics = diagnostics;
            Models = models;
        }

        public IReadOnlyList<CnnFileSyntax> Files { get; }
        public BlockScope Blocks { get; }
        public IReadOnlyList<Diagnostic> Diagnostics { get; }
        public IReadOnlyList<(BoundModel Model, ModelSyntax Syntax)> Models { get; }

        public bool HasErrors => Diagnostics.Any(d => d.IsError);

        /// <summary>The .cnn files named, and those under the folders named (bin and obj left out), in a stable order.</summary>
        public static IReadOnlyList<string> FindFiles(IEnumerable<string> paths)
        {
            var files = new List<string>();
            foreach (var path in paths)
            {
                if (File.Exists(path))
                    files.Add(path);
                else if (Directory.Exists(path))
                    files.AddRange(Directory.EnumerateFiles(path, "*.cnn", SearchOption.AllDirectories)
                        .Where(f => !Path.GetRelativePath(path, f).Split(Path.DirectorySeparatorChar).Any(part => part == "bin" || part == "obj"))
                        .Select(Readable)
                        .OrderBy(f => f, StringComparer.Ordinal));
                else
                    throw new UsageException($"'{path}' is neither a file nor a folder");
            }
            return files.Distinct().ToList();
        }

        // Files found in a folder are shown relative to the current folder (bad.cnn, not ./bad.cnn), else in full.
        static string Readable(string path)
        {
            var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
            return relative.StartsWith("..", StringComparison.Ordinal) ? Path.GetFullPath(path) : relative;
        }

        /// <summary>
        /// Checks the files as one project; with <paramref name="oneProject"/> false the files after the first only lend
        /// their blocks, so a model of theirs with a name the first file's uses is no error.
        /// </summary>
        public static CnnProject Load(IReadOnlyList<string> paths, bool oneProject = true)
        {
            var diagnostics = new DiagnosticBag();
            var files = new List<CnnFileSyntax>();
            foreach (var path in paths)
            {
                string text;
                try
                {
                    text = File.ReadAllText(path);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    throw new UsageException($"cannot read '{path}': {e.Message}");
                }
                files.Add(Parser.Parse(SourceText.From(text, path), diagnostics));
            }
            var blocks = BlockScope.Create(files.OrderBy(f => f.Path, StringComparer.Ordinal).SelectMany(f => f.Blocks), diagnostics);
            var models = new List<(BoundModel Model, ModelSyntax Syntax)>();
            foreach (var file in files)
            {
                foreach (var model in Binder.BindFile(file, diagnostics, blocks))
                {
                    var syntax = file.Models.First(m => m.Name.Text == model.Name);
                    if (NameRules.Check(model, diagnostics, syntax.Name.Location) && NameRules.CheckAgainstBlockClasses(model, blocks, diagnostics, syntax.Name.Location))
                        models.Add((model, syntax));
                }
            }
            if (oneProject)
            {
                // As in a build: a model whose name a file earlier by path already gives a model is reported and left out.
                var names = models.Select(m => (m.Model.Namespace, m.Model.Name, m.Model.SourcePath)).ToList();
                models.RemoveAll(m => !NameRules.CheckDefinedOnce(m.Model, m.Syntax.Name.Location, names, diagnostics));
            }
            return new CnnProject(files, blocks, diagnostics.ToList(), models);
        }

        /// <summary>The model to work on: the one named, or the file's only model.</summary>
        public (BoundModel Model, ModelSyntax Syntax) Select(string? name, string file)
        {
            var models = Models.Where(m => SamePath(m.Model.SourcePath, file)).ToList();
            var list = models.Count == 0 ? "" : " (models: " + string.Join(", ", models.Select(m => m.Model.Name)) + ")";
            if (name != null)
                return models.FirstOrDefault(m => m.Model.Name == name) is var found && found.Model != null
                    ? found
                    : throw new UsageException($"{file} has no model '{name}'" + list);
            if (models.Count == 1)
                return models[0];
            throw new UsageException(models.Count == 0 ? $"{file} has no model" : $"{file} has {models.Count} models; choose one with --model" + list);
        }

        public static bool SamePath(string a, string b) => Path.GetFullPath(a) == Path.GetFullPath(b);

        /// <summary>
        /// Checks the file (with the blocks of the .cnn files beside it, as in a project) and returns the model, bound
        /// again for <paramref name="input"/> when given; prints the file's diagnostics to standard error and returns
        /// null when it has errors.
        /// </summary>
        public static BoundModel? Resolve(string file, string? modelName, string? input)
        {
            if (!File.Exists(file))
                throw new UsageException($"'{file}' does not exist");
            var folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
            var others = Directory.EnumerateFiles(folder, "*.cnn").Where(f => !SamePath(f, file)).OrderBy(f => f, StringComparer.Ordinal);
            var project = Load(new[] { file }.Concat(others).ToList(), oneProject: false);
            // Only this file's diagnostics: the other files are read for their blocks.
            if (!PrintErrors(project.Diagnostics.Where(d => SamePath(d.Location.Path, file)).ToList()))
                return null;
            var (model, syntax) = project.Select(modelName, file);
            if (input == null)
                return model;
            var (rebound, diagnostics) = project.WithInput(syntax, input);
            return PrintErrors(diagnostics) ? rebound : null;
        }

        static bool PrintErrors(IReadOnlyList<Diagnostic> diagnostics)
        {
            foreach (var diagnostic in diagnostics)
                Console.Error.WriteLine(diagnostic);
            return !diagnostics.Any(d => d.IsError);
        }

        /// <summary>Binds the model again for a fixed input given on the command line, e.g. <c>3x64x64</c>: every check runs for that size.</summary>
        public (BoundModel? Model, IReadOnlyList<Diagnostic> Diagnostics) WithInput(ModelSyntax syntax, string input)
        {
            var location = syntax.Input?.Location ?? syntax.Name.Location;
            var shape = ShapeParser.TryParse(input, location);
            if (shape == null || shape.HasVariables || shape.Dimensions.Any(d => d <= 0))
                throw new UsageException($"--input '{input}' is not a shape of positive sizes such as 3x64x64");
            var diagnostics = new DiagnosticBag();
            var model = Binder.BindModel(syntax with { Input = shape }, diagnostics, Blocks);
            return (model, diagnostics.ToList());
        }
    }

    /// <summary>A mistake in how the tool was called (a missing file, a bad option): one line, exit code 2.</summary>
    internal sealed class UsageException : Exception
    {
        public UsageException(string message)
            : base(message)
        {
        }
    }
}
