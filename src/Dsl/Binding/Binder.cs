using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Syntax;

namespace CnnDsl.Dsl.Binding
{
    /// <summary>
    /// Checks a model's layers in order, carrying the tensor shape from the input through each layer. A layer whose
    /// kind or arguments are wrong still has its arguments checked, but the shape stops there, so one mistake is not
    /// reported again by every later layer.
    /// </summary>
    public static class Binder
    {
        // Names a layer field cannot take; the rule lives with the other name rules.
        static readonly IReadOnlyCollection<string> ReservedMemberNames = NameRules.ReservedLayerNames;

        public static IReadOnlyList<BoundModel> BindFile(CnnFileSyntax file, DiagnosticBag diagnostics)
        {
            var blocks = BlockScope.Create(file.Blocks, diagnostics);
            var models = new List<BoundModel>();
            var seen = new HashSet<string>();
            foreach (var model in file.Models)
            {
                if (!seen.Add(model.Name.Text))
                {
                    diagnostics.ReportDuplicateModelName(model.Name.Location, model.Name.Text, model.Namespace ?? "(root)");
                    continue;
                }
                var bound = BindModel(model, diagnostics, blocks);
                if (bound != null)
                    models.Add(bound);
            }
            return models;
        }

        /// <summary>Binds one model; returns null if it has errors (they are in <paramref name="diagnostics"/>).</summary>
        public static BoundModel? BindModel(ModelSyntax model, DiagnosticBag diagnostics, BlockScope? blocks = null)
        {
            var local = new DiagnosticBag();
            var bound = Bind(model, local, blocks ?? BlockScope.ZooOnly);
            diagnostics.AddRange(local);
            return local.HasErrors ? null : bound;
        }

        static BoundModel? Bind(ModelSyntax model, DiagnosticBag diagnostics, BlockScope blocks)
        {
            var modelName = model.Name.Text;
            if (Names.IsCSharpKeyword(modelName) || !Names.IsIdentifier(modelName))
                diagnostics.ReportInvalidName(model.Name.Location, modelName, "model", "a model name must be a C# identifier and not a keyword");

            TensorShape? inputShape = null;
            if (model.Input == null)
            {
                if (!model.HasSyntaxErrors)
                    diagnostics.ReportMissingInputShape(model.Name.Location, modelName, "'input 1x28x28'");
            }
            else
            {
                var bad = model.Input.Dimensions.FirstOrDefault(d => d < 1);
                if (model.Input.Dimensions.Any(d => d < 1))
                    diagnostics.ReportNonPositiveInputSize(model.Input.Location, string.Join("x", model.Input.Dimensions), modelName, bad);
                else
                    inputShape = new TensorShape(model.Input.Dimensions);
            }

            List<BoundLayer> layers;
            if (model.Base == null)
            {
                layers = BindLayers(model.Layers, inputShape, modelName, diagnostics, blocks);
            }
            else
            {
                // The base block's layers come first, at the top level; problems inside them are reported at the base.
                var start = blocks.Find(model.Base.Kind.Text) as BlockLayer;
                if (start == null)
                {
                    diagnostics.ReportUnknownLayer(model.Base.Kind.Location, model.Base.Kind.Text, Names.ClosestMatch(model.Base.Kind.Text, blocks.Names));
                    return null;
                }
                var arguments = new ArgumentReader(start, model.Base, Names.ToSnakeCase(start.Name), diagnostics);
                if (arguments.HasErrors)
                    return null;
                var inner = new DiagnosticBag();
                layers = BindLayers(start.Expand(arguments).Concat(model.Layers).ToList(), inputShape, modelName, inner, blocks);
                foreach (var diagnostic in inner)
                {
                    if (diagnostic.Location.Path == model.Location.Path)
                        diagnostics.AddRange(new[] { diagnostic });
                    else
                        diagnostics.ReportInsideBlock(diagnostic, model.Base.Location, start.Name, modelName);
                }
            }

            if (model.Layers.Count == 0 && model.Base == null && model.Input != null && !model.HasSyntaxErrors)
                diagnostics.ReportEmptyModel(model.Name.Location, modelName);
            if (diagnostics.HasErrors || inputShape == null || model.HasSyntaxErrors)
                return null;
            return new BoundModel(modelName, model.Namespace, inputShape, layers.ToEquatableArray(), model.Location.Path, model.Location);
        }

        /// <summary>
        /// Binds layers in order from an input of <paramref name="input"/> (null when unknown), for a model or a block
        /// use; the result holds the layers that bound, and <paramref name="diagnostics"/> says whether all did.
        /// </summary>
        internal static List<BoundLayer> BindLayers(IReadOnlyList<LayerSyntax> layerSyntaxes, TensorShape? input, string ownerName, DiagnosticBag diagnostics, BlockScope blocks)
        {
            var inputShape = input;
            var layers = new List<BoundLayer>();
            var names = new HashSet<string>();
            var defaultNameCounts = new Dictionary<string, int>();
            var userNames = new HashSet<string>(layerSyntaxes.Where(l => l.Label != null).Select(l => l.Label!.Text));
            // Every tensor so far by name, with its shape; null where a mistake already stopped shape inference.
            var tensors = new Dictionary<string, TensorShape?> { [BoundModel.InputTensorName] = inputShape };
            string previousTensor = BoundModel.InputTensorName;

            foreach (var layer in layerSyntaxes)
            {
                var kind = LayerCatalog.Find(layer.Kind.Text) ?? blocks.Find(layer.Kind.Text);
                string name = layer.Label?.Text ?? DefaultName(kind?.DefaultLayerName ?? layer.Kind.Text, defaultNameCounts, userNames);

                bool validLabel = layer.Label == null || CheckLayerName(layer.Label, ownerName, diagnostics);
                if (validLabel && !names.Add(name))
                    diagnostics.ReportDuplicateLayerName(layer.Label?.Location ?? layer.Kind.Location, ownerName, name);

                if (kind == null)
                {
                    diagnostics.ReportUnknownLayer(layer.Kind.Location, layer.Kind.Text, Names.ClosestMatch(layer.Kind.Text, LayerCatalog.All.Select(k => k.Name).Concat(blocks.Names)));
                    tensors[name] = null;
                    previousTensor = name;
                    continue;
                }

                var (inputs, operands, rest, inputsKnown) = ResolveInputs(kind, layer, name, previousTensor, tensors, diagnostics);
                var layerInput = inputsKnown ? tensors[inputs[0]] : null;

                // Without a known input the layer still checks its arguments, but not the shape.
                var syntax = layer with { Arguments = rest };
                var arguments = new ArgumentReader(kind, syntax, name, diagnostics);
                var config = kind.Bind(new LayerBindingContext(syntax, name, layerInput, arguments, diagnostics, operands));
                tensors[name] = config?.OutputShape;
                previousTensor = name;
                if (config == null)
                    continue;
                layers.Add(new BoundLayer(name, kind.Name, inputs.ToEquatableArray(), layerInput!, config, layer.Location));
            }

            // A dotted name makes its prefixes groups (nested Sequentials), which no layer may also be called.
            foreach (var layer in layerSyntaxes.Where(l => l.Label != null && l.Label.Text.Contains('.')))
            {
                var parts = layer.Label!.Text.Split('.');
                for (int i = 1; i < parts.Length; i++)
                {
                    var group = string.Join(".", parts.Take(i));
                    if (names.Contains(group))
                        diagnostics.ReportInvalidName(layer.Label.Location, layer.Label.Text, "layer", "'" + group + "' is already a layer, so it cannot also be a group");
                }
                if (names.Contains(layer.Label.Text.Replace('.', '_')))
                    diagnostics.ReportInvalidName(layer.Label.Location, layer.Label.Text, "layer", "its field name '" + layer.Label.Text.Replace('.', '_') + "' is already a layer's name");
            }
            return layers;
        }

        // The tensors a layer reads: the previous layer's output, the one named by from=, or for add and concat the
        // tensors named by its positional arguments. Returns the arguments left for the layer itself.
        static (List<string> Inputs, List<Operand> Operands, EquatableArray<ArgumentSyntax> Remaining, bool Known) ResolveInputs(
            LayerKind kind, LayerSyntax layer, string name, string previous, Dictionary<string, TensorShape?> tensors, DiagnosticBag diagnostics)
        {
            var inputs = new List<string>();
            var operands = new List<Operand>();
            var rest = new List<ArgumentSyntax>();
            var references = new List<ValueSyntax>();
            foreach (var argument in layer.Arguments)
            {
                if (argument.Name != null && Names.Fold(argument.Name.Text) == "from" && !kind.TakesTensorOperands)
                    references.Add(argument.Value);
                else if (argument.Name == null && kind.TakesTensorOperands)
                    references.Add(argument.Value);
                else
                    rest.Add(argument);
            }
            if (kind.TakesTensorOperands && references.Count < 2)
            {
                diagnostics.ReportTooFewOperands(layer.Kind.Location, name, kind.Name);
                return (inputs, operands, rest.ToEquatableArray(), false);
            }

            bool known = true;
            foreach (var reference in references.Count == 0 ? new ValueSyntax?[] { null } : references.Select(r => (ValueSyntax?)r))
            {
                string tensor = reference?.Text ?? previous;
                if (reference != null && (reference.Kind != ValueKind.Identifier || !tensors.ContainsKey(tensor)))
                {
                    diagnostics.ReportUnknownTensor(reference.Location, name, reference.Text, Names.ClosestMatch(reference.Text, tensors.Keys));
                    known = false;
                    continue;
                }
                inputs.Add(tensor);
                var tensorShape = tensors[tensor];
                if (tensorShape == null)
                    known = false;
                else if (reference != null)
                    operands.Add(new Operand(tensor, tensorShape, reference.Location));
            }
            if (references.Count > 1 && !kind.TakesTensorOperands)
            {
                diagnostics.ReportRepeatedArgument(references[1].Location, name, "from");
                known = false;
            }
            return (inputs, operands, rest.ToEquatableArray(), known);
        }

        static bool CheckLayerName(NameSyntax label, string modelName, DiagnosticBag diagnostics)
        {
            var name = label.Text;
            string? reason = null;
            var segments = name.Split('.');
            if (!segments.All(segment => Names.IsIdentifier(segment) || (segment.Length > 0 && segment.All(char.IsDigit))) || !Names.IsIdentifier(segments[0]))
                reason = "a layer name is a C# identifier, or dotted parts (features.0) whose first part is one";
            else if (Names.IsCSharpKeyword(name))
                reason = "it is a C# keyword";
            else if (ReservedMemberNames.Contains(name) || name == modelName)
                reason = "the generated module already has a member of that name";
            if (reason == null)
                return true;
            diagnostics.ReportInvalidName(label.Location, name, "layer", reason);
            return false;
        }

        // Keras numbers repeated default names from the second on: conv2d, conv2d_1, conv2d_2; user names are skipped.
        static string DefaultName(string baseName, Dictionary<string, int> counts, HashSet<string> userNames)
        {
            while (true)
            {
                counts.TryGetValue(baseName, out int count);
                counts[baseName] = count + 1;
                var name = count == 0 ? baseName : baseName + "_" + count;
                if (!userNames.Contains(name))
                    return name;
            }
        }
    }
}
