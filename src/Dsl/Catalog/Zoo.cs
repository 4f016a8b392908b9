using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Syntax;
using CnnDsl.Dsl.Text;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// The model zoo: classic architectures written as blocks in the .cnn files under <c>Zoo/</c>, shipped inside this
    /// assembly and available to every model by name (<c>model Net = resnet18 classes=10</c>). Their state_dict keys,
    /// shapes and parameter counts are torchvision's.
    /// </summary>
    public static class Zoo
    {
        static readonly System.Lazy<IReadOnlyList<BlockSyntax>> blocks = new System.Lazy<IReadOnlyList<BlockSyntax>>(Load);

        public static IReadOnlyList<BlockSyntax> Blocks => blocks.Value;

        /// <summary>The namespace of the classes generated for the zoo's blocks (internal to each project that uses them).</summary>
        public const string Namespace = "CnnDsl.Zoo";

        /// <summary>The zoo's models: its blocks meant to be used whole, the ones with a <c>classes</c> parameter.</summary>
        public static IEnumerable<string> Models => Blocks.Where(b => b.Parameters.Any(p => p.Name.Text == "classes")).Select(b => b.Name.Text);

        public static string Source(string file)
        {
            using var stream = typeof(Zoo).Assembly.GetManifestResourceStream("CnnDsl.Zoo." + file)!;
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }

        static IReadOnlyList<BlockSyntax> Load()
        {
            var result = new List<BlockSyntax>();
            foreach (var resource in typeof(Zoo).Assembly.GetManifestResourceNames().Where(n => n.StartsWith("CnnDsl.Zoo.")).OrderBy(n => n))
            {
                var file = resource.Substring("CnnDsl.Zoo.".Length);
                var diagnostics = new DiagnosticBag();
                var syntax = Parser.Parse(SourceText.From(Source(file), "zoo/" + file), diagnostics);
                if (diagnostics.HasErrors)
                    throw new System.InvalidOperationException("The zoo file " + file + " does not parse: " + diagnostics.First());
                result.AddRange(syntax.Blocks.Select(b => b with { Namespace = Namespace }));
            }
            return result;
        }
    }
}
