using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Syntax;
using CnnDsl.Dsl.Text;

namespace CnnDsl.Dsl
{
    /// <summary>The checked contents of one .cnn file: its valid models and every diagnostic.</summary>
    public sealed class CnnCompilation
    {
        CnnCompilation(CnnFileSyntax syntax, IReadOnlyList<BoundModel> models, IReadOnlyList<Diagnostic> diagnostics)
        {
            Syntax = syntax;
            Models = models;
            Diagnostics = diagnostics;
        }

        public CnnFileSyntax Syntax { get; }
        public IReadOnlyList<BoundModel> Models { get; }
        public IReadOnlyList<Diagnostic> Diagnostics { get; }

        public static CnnCompilation Compile(string text, string path = "model.cnn", string? defaultNamespace = null)
        {
            var diagnostics = new DiagnosticBag();
            var syntax = Parser.Parse(SourceText.From(text, path), diagnostics);
            if (defaultNamespace != null)
                syntax = WithDefaultNamespace(syntax, defaultNamespace);
            var models = new List<BoundModel>();
            foreach (var model in Binder.BindFile(syntax, diagnostics))
            {
                var nameLocation = syntax.Models.First(m => m.Name.Text == model.Name).Name.Location;
                if (NameRules.Check(model, diagnostics, nameLocation))
                    models.Add(model);
            }
            return new CnnCompilation(syntax, models, new List<Diagnostic>(diagnostics));
        }

        /// <summary>
        /// Binds a model that <see cref="SyntaxWriter"/> wrote with the blocks it uses, such as the text a generated model
        /// carries: the same binder over the same syntax gives the model the generator checked.
        /// </summary>
        /// <exception cref="System.InvalidOperationException">The text has an error or no model of that name.</exception>
        public static BoundModel BindWritten(string source, string modelName, string path)
        {
            var diagnostics = new DiagnosticBag();
            var syntax = Parser.Parse(SourceText.From(source, path), diagnostics);
            var models = Binder.BindFile(syntax, diagnostics);
            if (diagnostics.HasErrors)
                throw new System.InvalidOperationException("The model's .cnn text does not check: " + diagnostics.First(d => d.IsError));
            return models.FirstOrDefault(m => m.Name == modelName)
                ?? throw new System.InvalidOperationException("The model's .cnn text has no model '" + modelName + "'");
        }

        static CnnFileSyntax WithDefaultNamespace(CnnFileSyntax syntax, string defaultNamespace)
        {
            var models = new List<ModelSyntax>();
            foreach (var model in syntax.Models)
                models.Add(model.Namespace == null ? model with { Namespace = defaultNamespace } : model);
            return syntax with { Models = models.ToEquatableArray() };
        }
    }
}
