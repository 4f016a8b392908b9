using System.Collections.Generic;
using System.Linq;
using System.Text;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Symbolic;
using CnnDsl.Dsl.Syntax;

namespace CnnDsl.Dsl.Binding
{
    /// <summary>
    /// Binds the statements of one model, block use or block function: layers in order, <c>if</c> (decided here when its
    /// condition is known, kept as a branch of the block's class when it depends on the block's parameters) and
    /// <c>repeat</c> (unrolled, with labels computed from the index).
    /// </summary>
    internal sealed class StatementBinder
    {
        /// <summary>A repeat may not unroll into more layers than this in one model.</summary>
        public const int MaxRepeat = 10_000;

        readonly string ownerName;
        readonly DiagnosticBag diagnostics;
        readonly BlockScope blocks;
        readonly HashSet<string> userNames;
        // The classes the owner becomes (a model's, or a block's at every rank): a layer field may not share one's name.
        readonly HashSet<string> ownerClassNames;
        readonly Dictionary<string, int> defaultNameCounts = new Dictionary<string, int>();
        // Every label with the branches it sits in ("0T/1E": then of the first if, else of the second), so that names in
        // branches that exclude each other do not clash.
        readonly List<(NameSyntax Label, string Name, string Path)> labels = new List<(NameSyntax, string, string)>();
        string path = "";
        HashSet<string> names = new HashSet<string>();
        // Every tensor so far by name, with its shape; null where a mistake already stopped shape inference.
        Dictionary<string, TensorShape?> tensors;
        // Tensors defined inside a branch of a block's class, which later layers cannot read: name -> condition.
        readonly Dictionary<string, string> branchOnly = new Dictionary<string, string>();
        string previousTensor = BoundModel.InputTensorName;
        int branches;
        // A repeat stopped at a mistake: the tensors its later iterations would have named are not reported as unknown.
        bool repeatCutShort;

        public StatementBinder(string ownerName, DiagnosticBag diagnostics, BlockScope blocks, TensorShape? input, IReadOnlyList<StatementSyntax> statements)
        {
            this.ownerName = ownerName;
            this.diagnostics = diagnostics;
            this.blocks = blocks;
            userNames = new HashSet<string>(AllLayers(statements).Where(l => l.Label != null && !l.Label.IsTemplate).Select(l => l.Label!.Text));
            tensors = new Dictionary<string, TensorShape?> { [BoundModel.InputTensorName] = input };
            ownerClassNames = new HashSet<string>(new[] { ownerName }.Concat(blocks.ClassOf(ownerName)?.RankNames ?? Enumerable.Empty<string>()));
        }

        static IEnumerable<LayerSyntax> AllLayers(IEnumerable<StatementSyntax> statements) => statements.SelectMany(s => s switch
        {
            LayerSyntax layer => new[] { layer },
            IfSyntax branch => AllLayers(branch.Then).Concat(AllLayers(branch.Else)),
            RepeatSyntax repeat => AllLayers(repeat.Body),
            _ => Enumerable.Empty<LayerSyntax>(),
        });

        public void Bind(IEnumerable<StatementSyntax> statements, BindingScope scope, List<BoundStatement> output)
        {
            foreach (var statement in statements)
            {
                switch (statement)
                {
                    case LayerSyntax layer:
                        BindLayer(layer, scope, output);
                        break;
                    case IfSyntax branch:
                        BindIf(branch, scope, output);
                        break;
                    case RepeatSyntax repeat:
                        BindRepeat(repeat, scope, output);
                        break;
                }
            }
        }

        void BindIf(IfSyntax branch, BindingScope scope, List<BoundStatement> output)
        {
            var condition = ExpressionBinder.Bind(branch.Condition, scope, diagnostics, ExprType.Boolean);
            if (condition == null)
            {
                StopShapes();
                return;
            }
            if (condition is BoolExpr known)
            {
                Bind(known.Value ? branch.Then : branch.Else, scope, output);
                return;
            }
            if (!scope.Session.IsFunction)
            {
                // Outside a block's class every parameter has its value, so what is left is the input's size variables: a
                // module's layers are fixed when it is built, before any input is seen.
                diagnostics.ReportUndecidedCondition(branch.Condition.Location, ownerName, branch.Condition.Text, string.Join(", ", condition.Variables()),
                    DescribeSizeValues(branch.Condition, scope));
                StopShapes();
                return;
            }
            // Decided when the block's module is built: both branches are bound, each from the same tensors.
            var beforeTensors = tensors;
            var beforeNames = names;
            var before = previousTensor;
            var then = new List<BoundStatement>();
            tensors = new Dictionary<string, TensorShape?>(beforeTensors);
            names = new HashSet<string>(beforeNames);
            var outerPath = path;
            int number = branches;
            path = outerPath + "/" + number + "T";
            Bind(branch.Then, scope, then);
            var (thenTensors, thenNames, thenLast) = (tensors, names, previousTensor);
            var otherwise = new List<BoundStatement>();
            tensors = new Dictionary<string, TensorShape?>(beforeTensors);
            names = new HashSet<string>(beforeNames);
            previousTensor = before;
            path = outerPath + "/" + number + "E";
            Bind(branch.Else, scope, otherwise);
            path = outerPath;
            var (elseTensors, elseLast) = (tensors, previousTensor);

            tensors = new Dictionary<string, TensorShape?>(beforeTensors);
            names = new HashSet<string>(beforeNames.Concat(thenNames).Concat(names));
            foreach (var name in thenTensors.Keys.Concat(elseTensors.Keys).Where(n => !beforeTensors.ContainsKey(n)))
                branchOnly[name] = branch.Condition.Text;
            var thenShape = thenTensors[thenLast];
            var elseShape = elseTensors[elseLast];
            var merged = "$if" + branches++;
            TensorShape? shape = null;
            if (thenShape != null && elseShape != null)
            {
                if (thenShape.Rank == elseShape.Rank)
                    shape = new TensorShape(thenShape.Dimensions.Select((d, i) => Exprs.Conditional(condition, d, elseShape[i])));
                else
                    diagnostics.ReportRankMismatch(branch.Location, "if " + branch.Condition.Text, "if", "both branches to end in tensors of the same rank",
                        thenShape + " and " + elseShape, "");
            }
            tensors[merged] = shape;
            previousTensor = merged;
            output.Add(new BoundBranch(condition, then.ToEquatableArray(), otherwise.ToEquatableArray()));
        }

        // in_channels = 3 * H * W: the values the condition reads that depend on the input's size.
        static string DescribeSizeValues(ValueSyntax condition, BindingScope scope)
        {
            var parts = new List<string>();
            foreach (var name in Identifiers(condition).Distinct())
            {
                var value = scope.Find(name)?.Value;
                if (value != null && !(value.Constant is long) && !(value is VarExpr v && v.Name == name))
                    parts.Add(name + " = " + value);
            }
            return parts.Count == 0 ? "" : " (" + string.Join(", ", parts) + " here)";
        }

        static IEnumerable<string> Identifiers(ValueSyntax value)
        {
            if (value.Kind == ValueKind.Identifier)
                yield return value.Text;
            foreach (var operand in value.Items)
                foreach (var name in Identifiers(operand))
                    yield return name;
        }

        void BindRepeat(RepeatSyntax repeat, BindingScope scope, List<BoundStatement> output)
        {
            var count = ExpressionBinder.Bind(repeat.Count, scope, diagnostics, ExprType.Integer);
            if (count == null)
            {
                StopShapes();
                return;
            }
            if (!(count.Constant is long times))
            {
                diagnostics.ReportUnsupportedBlockParameter(repeat.Count.Location, ownerName, string.Join(", ", count.Variables()),
                    "sets a repeat count; a block's generated class has a fixed list of layers, so repeat the block itself in the model, or give the count as a number");
                StopShapes();
                return;
            }
            if (times < 0 || times > MaxRepeat)
            {
                diagnostics.ReportWrongValueKind(repeat.Count.Location, repeat.Count.Text, times.ToString(), "a count from 0 to " + MaxRepeat);
                StopShapes();
                return;
            }
            int before = diagnostics.Count;
            for (long i = 0; i < times; i++)
            {
                Bind(repeat.Body, scope.With(repeat.Variable.Text, new ScopeEntry(Exprs.Int(i), null)), output);
                if (diagnostics.HasErrorsFrom(before))
                {
                    // One mistake is one diagnostic: the iterations after the first that fails would mostly repeat it.
                    if (times > 1)
                        diagnostics.AppendToMessagesFrom(before, " (in iteration " + repeat.Variable.Text + " = " + i + " of " + times.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)
                            + "; the repeat stops at its first mistake)");
                    repeatCutShort = true;
                    StopShapes();
                    return;
                }
            }
        }

        // A mistake upstream: later layers still check their arguments, but not shapes.
        void StopShapes()
        {
            var name = "$stopped" + branches++;
            tensors[name] = null;
            previousTensor = name;
        }

        void BindLayer(LayerSyntax layer, BindingScope scope, List<BoundStatement> output)
        {
            var session = scope.Session;
            if (++session.ExpandedLayers > BindingSession.MaxExpandedLayers)
            {
                if (session.ExpandedLayers == BindingSession.MaxExpandedLayers + 1)
                    diagnostics.ReportWrongValueKind(layer.Location, layer.Kind.Text, "beyond " + BindingSession.MaxExpandedLayers + " layers in one model", "a model of fewer layers (check repeats and blocks that use blocks)");
                StopShapes();
                return;
            }
            var kind = LayerCatalog.Find(layer.Kind.Text) ?? blocks.Find(layer.Kind.Text);
            var labelText = layer.Label == null ? null : LabelText(layer.Label, scope);
            if (layer.Label != null && labelText == null)
            {
                StopShapes();
                return;
            }
            string name = labelText ?? DefaultName(kind?.DefaultLayerName ?? layer.Kind.Text);

            bool validLabel = layer.Label == null || Binder.CheckLayerName(layer.Label, name, ownerClassNames, diagnostics);
            if (validLabel && !names.Add(name))
                diagnostics.ReportDuplicateLayerName(layer.Label?.Location ?? layer.Kind.Location, ownerName, name);
            if (layer.Label != null && validLabel)
                labels.Add((layer.Label, name, path));

            if (kind == null)
            {
                session.Observations?.Add(new LayerObservation(ownerName, layer, null, null, null, null));
                diagnostics.ReportUnknownLayer(layer.Kind.Location, layer.Kind.Text, Names.ClosestMatch(layer.Kind.Text, LayerCatalog.All.Select(k => k.Name).Concat(blocks.Names)));
                tensors[name] = null;
                previousTensor = name;
                return;
            }

            var (inputs, operands, rest, inputsKnown) = ResolveInputs(kind, layer, name);
            var layerInput = inputsKnown ? tensors[inputs[0]] : null;

            // Without a known input the layer still checks its arguments, but not the shape.
            var syntax = layer with { Arguments = rest };
            LayerConfig? config = null;
            ArgumentReader? arguments = null;
            try
            {
                arguments = new ArgumentReader(kind, syntax, name, diagnostics, scope);
                config = kind.Bind(new LayerBindingContext(syntax, name, layerInput, arguments, diagnostics, operands));
                if (config != null)
                {
                    // Counts must fit as well as sizes, and so must the number of elements of one sample.
                    Exprs.Add(config.Parameters, config.State);
                    _ = config.OutputShape.Elements;
                }
            }
            catch (SizeOverflowException overflow)
            {
                diagnostics.ReportSizeOverflow(layer.Location, name, overflow.Message);
                config = null;
            }
            tensors[name] = config?.OutputShape;
            previousTensor = name;
            var bound = config == null ? null : new BoundLayer(name, kind.Name, inputs.ToEquatableArray(), layerInput!, config);
            if (bound != null)
                output.Add(bound);
            session.Observations?.Add(new LayerObservation(ownerName, layer, kind, arguments, layerInput, bound));
        }

        // denselayer{i + 1}: the label with each computed piece in place.
        string? LabelText(NameSyntax label, BindingScope scope)
        {
            if (!label.IsTemplate)
                return label.Text;
            var text = new StringBuilder();
            int hole = 0;
            int depth = 0;
            foreach (char c in label.Text)
            {
                if (c == '{')
                {
                    if (depth++ == 0)
                    {
                        var value = ExpressionBinder.Bind(label.Holes[hole++], scope, diagnostics, ExprType.Integer);
                        if (value == null)
                            return null;
                        if (!(value.Constant is long number))
                        {
                            diagnostics.ReportUnsupportedBlockParameter(label.Location, ownerName, string.Join(", ", value.Variables()),
                                "names a layer; a generated class has fixed field names, so compute labels from repeat indices only");
                            return null;
                        }
                        text.Append(number.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }
                    continue;
                }
                if (c == '}')
                {
                    depth--;
                    continue;
                }
                if (depth == 0 && c != ' ')
                    text.Append(c);
            }
            return text.ToString();
        }

        // The tensors a layer reads: the previous layer's output, the one named by from=, or for add and concat the
        // tensors named by its positional arguments. Returns the arguments left for the layer itself.
        (List<string> Inputs, List<Operand> Operands, EquatableArray<ArgumentSyntax> Remaining, bool Known) ResolveInputs(LayerKind kind, LayerSyntax layer, string name)
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
                string tensor = reference?.Text ?? previousTensor;
                if (reference != null && reference.Kind == ValueKind.Identifier && !tensors.ContainsKey(tensor) && branchOnly.TryGetValue(tensor, out var condition))
                {
                    diagnostics.ReportBranchOnlyTensor(reference.Location, name, reference.Text, condition);
                    known = false;
                    continue;
                }
                if (reference != null && (reference.Kind != ValueKind.Identifier || !tensors.ContainsKey(tensor)))
                {
                    known = false;
                    if (repeatCutShort && reference.Kind == ValueKind.Identifier)
                        continue;
                    diagnostics.ReportUnknownTensor(reference.Location, name, reference.Text, Names.ClosestMatch(reference.Text, tensors.Keys.Where(k => !k.StartsWith("$"))));
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

        // A dotted name makes its prefixes groups (nested Sequentials), which no layer may also be called.
        public void CheckGroupNames()
        {
            foreach (var (label, name, where) in labels.Where(l => l.Name.Contains('.')))
            {
                bool Exists(string other) => labels.Any(l => l.Name == other && Compatible(l.Path, where)) || (names.Contains(other) && !labels.Any(l => l.Name == other));
                var parts = name.Split('.');
                for (int i = 1; i < parts.Length; i++)
                {
                    var group = string.Join(".", parts.Take(i));
                    if (Exists(group))
                        diagnostics.ReportInvalidName(label.Location, name, "layer", "'" + group + "' is already a layer, so it cannot also be a group");
                }
                if (Exists(name.Replace('.', '_')))
                    diagnostics.ReportInvalidName(label.Location, name, "layer", "its field name '" + name.Replace('.', '_') + "' is already a layer's name");
            }
        }

        // Two places can both exist when one's branches are a prefix of the other's.
        static bool Compatible(string a, string b) => a.StartsWith(b) || b.StartsWith(a);

        // Keras numbers repeated default names from the second on: conv2d, conv2d_1, conv2d_2; user names are skipped.
        string DefaultName(string baseName)
        {
            while (true)
            {
                defaultNameCounts.TryGetValue(baseName, out int count);
                defaultNameCounts[baseName] = count + 1;
                var name = count == 0 ? baseName : baseName + "_" + count;
                // A block named like a member of the generated module (forward, scope) numbers its default name.
                // So does a layer whose default name is its model's or block's class (model dense with a dense layer).
                if (!userNames.Contains(name) && !NameRules.ReservedLayerNames.Contains(name) && !ownerClassNames.Contains(name))
                    return name;
            }
        }
    }
}
