using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Diagnostics;

namespace CnnDsl.Dsl.Binding
{
    /// <summary>
    /// Which names the generated C# can carry, in one place: a model's class name, its namespace, its layer fields, and
    /// the classes its blocks become. A C# keyword is escaped with '@' and a block class is renamed where its name is
    /// taken; a name that would still break the generated code (a contextual keyword it uses, a member it declares) is
    /// reported with the reason and a name to use instead.
    /// </summary>
    public static class NameRules
    {
        // Contextual keywords: as a class or namespace name they change what the generated code means (var x = ...,
        // nameof(...)), or C# refuses them as type names (record, file, required, scoped, _).
        static readonly HashSet<string> ContextualKeywords = new HashSet<string>
        {
            "_", "add", "allows", "alias", "and", "args", "ascending", "async", "await", "by", "descending", "dynamic", "equals",
            "extension", "field", "file", "from", "get", "global", "group", "init", "into", "join", "let", "managed", "nameof",
            "nint", "not", "notnull", "nuint", "on", "or", "orderby", "partial", "record", "remove", "required", "scoped",
            "select", "set", "unmanaged", "value", "var", "when", "where", "with", "yield",
        };

        /// <summary>Members of every generated model class, which neither the class itself nor a nested block class may be named.</summary>
        public static IReadOnlyCollection<string> GeneratedMembers { get; } = new HashSet<string>
        {
            "Summary", "ParameterCount", "TrainableParameterCount", "StateCount", "OutputActivation", "InputShape", "OutputShape",
            "ModelInfo", "forward", "MinimumInputSize", "AcceptedSizeRule", "Accepts", "Layers", "CnnSource",
        };

        /// <summary>
        /// Names a layer field cannot take: members of TorchSharp's Module, of the generated class, and the locals of the
        /// generated forward.
        /// </summary>
        public static IReadOnlyCollection<string> ReservedLayerNames { get; } = new HashSet<string>
        {
            "add_module", "apply", "buffers", "call", "children", "Create", "Dispose", "Equals", "eval", "forward", "get_buffer",
            "get_parameter", "GetHashCode", "GetName", "GetType", "has_buffer", "has_parameter", "load", "load_state_dict",
            "modules", "name", "named_buffers", "named_children", "named_modules", "named_parameters", "parameters",
            "register_buffer", "register_forward_hook", "register_forward_pre_hook", "register_module", "register_parameter",
            "RegisterComponents", "save", "state_dict", "ToString", "train", "training", "zero_grad", "Finalize", "MemberwiseClone",
            "input", "x", "scope", "device", "Summary", "ModelInfo", "ParameterCount", "TrainableParameterCount", "StateCount", "InputShape", "OutputShape", "OutputActivation",
            "MinimumInputSize", "Accepts", "AcceptedSizeRule", "Layers",
        };

        /// <summary>Why <paramref name="name"/> cannot name a generated model class, or null if it can.</summary>
        public static string? ModelNameProblem(string name)
        {
            var bare = Unescaped(name);
            if (!Names.IsIdentifier(bare))
                return "a model name must be a C# identifier; use letters, digits and '_', starting with a letter";
            if (ContextualKeywords.Contains(bare))
                return "'" + bare + "' is a C# contextual keyword, which the generated class cannot be named; use " + Suggest(bare, "Model");
            if (GeneratedMembers.Contains(bare))
                return "the generated class has a member '" + bare + "' already; use " + Suggest(bare, "Model");
            return null;
        }

        /// <summary>Why <paramref name="ns"/> cannot be a generated namespace, or null if it can (keywords are escaped).</summary>
        public static string? NamespaceProblem(string ns)
        {
            foreach (var part in ns.Split('.'))
            {
                var bare = Unescaped(part.Trim());
                if (!Names.IsIdentifier(bare))
                    return "'" + part + "' is not a C# identifier; write dotted identifiers, as in My.Models";
                if (ContextualKeywords.Contains(bare))
                    return "'" + bare + "' is a C# contextual keyword, which the generated code cannot use as a namespace; use " + Suggest(bare, "Models");
            }
            return null;
        }

        /// <summary>
        /// The class a block becomes: <c>resnet_basic_block</c> is <c>ResnetBasicBlock</c>; a name with no letter to start a
        /// class name with gets the prefix <c>Block</c>. Class names never reach the state_dict, so they never change keys.
        /// </summary>
        public static string BlockClassName(string blockName)
        {
            var name = Names.ToPascalCase(blockName);
            return Names.IsIdentifier(name) && !Names.IsCSharpKeyword(name) ? name : "Block" + name;
        }

        /// <summary>
        /// A model class in the namespace of a block's class, with its name, would be a second definition of one type:
        /// reported at the model's name. Returns false if so.
        /// </summary>
        public static bool CheckAgainstBlockClasses(BoundModel model, Catalog.BlockScope scope, DiagnosticBag diagnostics, Text.SourceLocation nameLocation)
        {
            var name = Unescaped(model.Name);
            // Every rank's class counts: a model named B1d would clash with block B's class for 1-D inputs.
            var clash = scope.Classes.FirstOrDefault(c => !c.FromZoo && c.Namespace == model.Namespace && c.RankNames.Contains(name));
            if (clash == null)
                return true;
            diagnostics.ReportModelNamedLikeBlockClass(nameLocation, model.Name, clash.BlockName, clash.Namespace);
            return false;
        }

        /// <summary>
        /// Two models of one name in one namespace would be one class defined twice: the one in the file first by path
        /// (ordinal) is kept, and each other is reported at its name. <paramref name="models"/> are the project's valid
        /// models by namespace, name and file. Returns false if <paramref name="model"/> is such a second definition.
        /// </summary>
        public static bool CheckDefinedOnce(BoundModel model, Text.SourceLocation nameLocation, IEnumerable<(string? Namespace, string Name, string Path)> models,
            DiagnosticBag diagnostics)
        {
            var first = models.Where(m => m.Namespace == model.Namespace && m.Name == model.Name && string.CompareOrdinal(m.Path, model.SourcePath) < 0)
                .Select(m => m.Path).OrderBy(path => path, System.StringComparer.Ordinal).FirstOrDefault();
            if (first == null)
                return true;
            diagnostics.ReportDuplicateModelName(nameLocation, model.Name, model.Namespace ?? "(global)", "in " + first);
            return false;
        }

        /// <summary>
        /// A file's models in order, without each model named like an earlier one of the file: that one is reported at
        /// its name, with the first one's line, as the enumeration reaches it (so its diagnostic keeps its place among
        /// the diagnostics of binding the models before and after it).
        /// </summary>
        public static IEnumerable<Syntax.ModelSyntax> DefinedOnceInFile(IEnumerable<Syntax.ModelSyntax> models, DiagnosticBag diagnostics)
        {
            var seen = new Dictionary<string, Text.SourceLocation>();
            foreach (var model in models)
            {
                if (seen.TryGetValue(model.Name.Text, out var first))
                {
                    diagnostics.ReportDuplicateModelName(model.Name.Location, model.Name.Text, model.Namespace ?? "(root)", "at line " + (first.LineSpan.Start.Line + 1));
                    continue;
                }
                seen.Add(model.Name.Text, model.Name.Location);
                yield return model;
            }
        }

        /// <summary>Blocks of files without a namespace line get the project's root namespace, as their models do.</summary>
        public static IEnumerable<Syntax.BlockSyntax> WithDefaultNamespace(IEnumerable<Syntax.BlockSyntax> blocks, string? rootNamespace) =>
            blocks.Select(b => b.Namespace == null && rootNamespace != null ? b with { Namespace = rootNamespace } : b);

        /// <summary>An identifier as C# source: a keyword gets '@'.</summary>
        public static string Escape(string identifier)
        {
            var bare = Unescaped(identifier);
            return Names.IsCSharpKeyword(bare) ? "@" + bare : bare;
        }

        /// <summary>A dotted namespace as C# source, each keyword part escaped.</summary>
        public static string EscapeNamespace(string ns) => string.Join(".", ns.Split('.').Select(part => Escape(part.Trim())));

        static string Unescaped(string name) => name.StartsWith("@") ? name.Substring(1) : name;

        static string Suggest(string name, string suffix)
        {
            var pascal = Names.ToPascalCase(name);
            var candidate = pascal.Length > 0 && pascal != name && Names.IsIdentifier(pascal) && !GeneratedMembers.Contains(pascal) ? pascal : pascal + suffix;
            return "'" + candidate + "' or another name";
        }

        /// <summary>
        /// Checks the names a bound model's generated code will declare that binding does not: the model's class name and
        /// namespace. Reports each problem at the model's name and returns false if there is one. Layer names are checked
        /// where they are bound, and block classes are named by <see cref="BlockClassNames"/>.
        /// </summary>
        public static bool Check(BoundModel model, DiagnosticBag diagnostics, Text.SourceLocation nameLocation)
        {
            int before = diagnostics.Count;
            var problem = ModelNameProblem(model.Name);
            if (problem != null)
                diagnostics.ReportInvalidName(nameLocation, model.Name, "model", problem);
            if (model.Namespace != null && (problem = NamespaceProblem(model.Namespace)) != null)
                diagnostics.ReportInvalidName(nameLocation, model.Namespace, "namespace", problem);
            return diagnostics.Count == before;
        }
    }
}
