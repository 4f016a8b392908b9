using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Symbolic;
using CnnDsl.Dsl.Syntax;

namespace CnnDsl.Dsl.Binding
{
    /// <summary>
    /// Checks a model's layers in order, carrying the tensor shape from the input through each layer. A layer whose
    /// kind or arguments are wrong still has its arguments checked, but the shape stops there, so one mistake is not
    /// reported again by every later layer. Sizes are numbers, or expressions over the input's size variables; the
    /// conditions those must meet become the model's accepted-size rule.
    /// </summary>
    public static class Binder
    {
        // Names a layer field cannot take; the rule lives with the other name rules.
        static readonly IReadOnlyCollection<string> ReservedMemberNames = NameRules.ReservedLayerNames;

        /// <summary>The largest value a size variable is searched up to when deriving the smallest accepted input.</summary>
        const long SearchLimit = 1L << 40;

        public static IReadOnlyList<BoundModel> BindFile(CnnFileSyntax file, DiagnosticBag diagnostics, BlockScope? projectBlocks = null)
        {
            var blocks = projectBlocks ?? BlockScope.Create(file.Blocks, diagnostics);
            var models = new List<BoundModel>();
            foreach (var model in NameRules.DefinedOnceInFile(file.Models, diagnostics))
            {
                var bound = BindModel(model, diagnostics, blocks);
                if (bound != null)
                    models.Add(bound);
            }
            return models;
        }

        /// <summary>Binds one model; returns null if it has errors (they are in <paramref name="diagnostics"/>).</summary>
        /// <param name="observations">Filled with every layer line the binding reads, for editors; null in builds.</param>
        public static BoundModel? BindModel(ModelSyntax model, DiagnosticBag diagnostics, BlockScope? blocks = null, List<LayerObservation>? observations = null)
        {
            var local = new DiagnosticBag();
            var scope = blocks ?? BlockScope.ZooOnly;
            var session = new BindingSession { Blocks = scope, Observations = observations };
            var bound = Bind(model, local, scope, session);
            var list = local.ToList();
            var input = model.Input == null ? null : InputShape(model.Input, model.Name.Text, new DiagnosticBag());
            if (input != null && input.IsFixed && list.Any(d => d.Id == DiagnosticDescriptors.NonPositiveSize.Id))
            {
                // The first layer that shrinks the input to nothing also says how large an input the whole model needs.
                var first = list.First(d => d.Id == DiagnosticDescriptors.NonPositiveSize.Id);
                var hint = ExplainTooSmallInput(model, input, list, scope);
                if (hint != null)
                    list[list.IndexOf(first)] = first with { Message = first.Message + hint };
            }
            foreach (var mismatch in session.Mismatches.Where(m => m.Location.Path == model.Location.Path))
            {
                // in_features=25088 on a 32x32 input: say which input size the number was written for, and the fixes.
                int at = list.FindIndex(d => d.Id == DiagnosticDescriptors.InputSizeMismatch.Id && d.Location == mismatch.Location);
                var hint = at < 0 || input == null || !input.IsFixed ? null : ExplainDeclaredSize(model, input, mismatch, scope);
                if (hint != null)
                    list[at] = DiagnosticBag.WithHint(list[at], hint, fix: null);
            }
            if (input != null && input.IsFixed && input.Rank >= 3 && local.HasErrors)
            {
                // The classic channels-first/channels-last mix-up: where another order of the same sizes binds, say so.
                var order = OrderThatBinds(model, input, scope);
                if (order != null)
                {
                    int first = list.FindIndex(d => d.IsError);
                    list[first] = DiagnosticBag.WithHint(list[first], "; the sizes look like channels in the wrong place: did you mean 'input " + order + "'?",
                        new DiagnosticFix(FixKind.Replace, "Reorder the input to " + order, model.Input!.Location, order));
                }
            }
            diagnostics.AddRange(list);
            return local.HasErrors ? null : bound;
        }

        /// <summary>
        /// The input's sizes with one of them moved to the front (channels first), as written, for the first such order
        /// with which the model binds without error; null when none does.
        /// </summary>
        static string? OrderThatBinds(ModelSyntax model, TensorShape input, BlockScope blocks)
        {
            var sizes = input.Sizes;
            for (int i = 1; i < sizes.Length; i++)
            {
                if (sizes[i] == sizes[0])
                    continue;
                var order = new[] { sizes[i] }.Concat(sizes.Where((_, j) => j != i)).ToArray();
                var candidate = model with { Input = model.Input! with { Dimensions = order.ToEquatableArray() } };
                var scratch = new DiagnosticBag();
                Bind(candidate, scratch, blocks, new BindingSession { Blocks = blocks });
                if (!scratch.HasErrors)
                    return string.Join("x", order);
            }
            return null;
        }

        static BoundModel? Bind(ModelSyntax model, DiagnosticBag diagnostics, BlockScope blocks, BindingSession session)
        {
            var modelName = model.Name.Text;
            if (Names.IsCSharpKeyword(modelName) || !Names.IsIdentifier(modelName))
                diagnostics.ReportInvalidName(model.Name.Location, modelName, "model", "a model name must be a C# identifier and not a keyword");

            var inputShape = model.Input == null ? null : InputShape(model.Input, modelName, diagnostics);
            if (model.Input == null && !model.HasSyntaxErrors)
                diagnostics.ReportMissingInputShape(model.Name.Location, modelName, "'input 1x28x28'");

            var layers = BindModelLayers(model, inputShape, diagnostics, blocks, session);
            if (layers == null)
                return null;

            if (model.Layers.Count == 0 && model.Base == null && model.Input != null && !model.HasSyntaxErrors)
                diagnostics.ReportEmptyModel(model.Name.Location, modelName);
            if (diagnostics.HasErrors || inputShape == null || model.HasSyntaxErrors)
                return null;
            Expr total;
            try
            {
                // Each layer's counts fit; their totals must too.
                total = layers.Select(l => l.Config.Parameters).Concat(layers.Select(l => l.Config.State)).Aggregate((Expr)Exprs.Zero, Exprs.Add);
            }
            catch (SizeOverflowException overflow)
            {
                diagnostics.ReportSizeOverflow(model.Name.Location, modelName, "the model's parameter and state count: " + overflow.Message);
                return null;
            }
            try
            {
                // So must what is derived from them: the summary's sizes in bytes, as float32.
                Exprs.Multiply(total, Exprs.Int(BytesPerElement));
            }
            catch (SizeOverflowException)
            {
                diagnostics.ReportSizeOverflow(model.Name.Location, modelName, "the model's " + total + " parameters and state elements take "
                    + BytesPerElement + " bytes each as float32, more than 9,223,372,036,854,775,807 bytes in all");
                return null;
            }
            long expanded = layers.Aggregate(0L, (sum, l) => sum + 1 + (l.Config is BlockConfig use ? use.ExpandedLayers : 0));
            if (expanded > MaxModelLayers)
            {
                diagnostics.ReportModelTooLarge(model.Name.Location, modelName, expanded, MaxModelLayers);
                return null;
            }

            var variables = inputShape.Dimensions.OfType<VarExpr>().Select(v => v.Name).Distinct().ToList();
            var conditions = session.Requirements
                .Where(r => !(r.Condition is BoolExpr))
                .GroupBy(r => r.Condition).Select(g => new AcceptedSizeCondition(g.Key, g.First().Layer)).ToList();
            conditions = Simplify(conditions, variables);
            var minimum = variables.Count == 0 ? new long[0] : MinimumSizes(variables, conditions);
            if (minimum == null)
            {
                // Name the conditions no size meets on their own, or all of them where only their combination fails.
                var impossible = conditions.Where(c => MinimumSizes(variables, new[] { c }) == null).ToList();
                diagnostics.ReportInputRuleNotMet(model.Input!.Location, modelName, string.Join(" and ", (impossible.Count > 0 ? impossible : conditions).Select(c => c.Condition)));
                return null;
            }
            return new BoundModel(modelName, model.Namespace, inputShape, layers.ToEquatableArray(), model.Location.Path,
                BlockFunctions(layers, blocks, diagnostics).ToEquatableArray(), variables.ToEquatableArray(),
                conditions.ToEquatableArray(), minimum.ToEquatableArray());
        }

        static List<BoundLayer>? BindModelLayers(ModelSyntax model, TensorShape? inputShape, DiagnosticBag diagnostics, BlockScope blocks, BindingSession session)
        {
            var scope = BindingScope.Root(session);
            if (model.Base == null)
                return Flatten(BindStatements(model.Layers, inputShape, model.Name.Text, diagnostics, blocks, scope));

            // The base block's layers come first, at the top level; problems inside them are reported at the base.
            var start = blocks.Find(model.Base.Kind.Text) as BlockLayer;
            if (start == null)
            {
                diagnostics.ReportUnknownLayer(model.Base.Kind.Location, model.Base.Kind.Text, Names.ClosestMatch(model.Base.Kind.Text, blocks.Names));
                return null;
            }
            var arguments = new ArgumentReader(start, model.Base, Names.ToSnakeCase(start.Name), diagnostics, scope);
            if (arguments.HasErrors)
                return null;
            var inner = new DiagnosticBag();
            var baseScope = start.ParameterScope(arguments, scope, inner, inputShape);
            if (baseScope == null)
            {
                diagnostics.AddRange(inner);
                return null;
            }
            var statements = start.Syntax.Layers.Concat(model.Layers).ToList();
            var layers = Flatten(BindStatements(statements, inputShape, model.Name.Text, inner, blocks, baseScope));
            foreach (var diagnostic in inner)
            {
                if (diagnostic.Location.Path == model.Location.Path)
                    diagnostics.AddRange(new[] { diagnostic });
                else
                    diagnostics.ReportInsideBlock(diagnostic, model.Base.Location, start.Name, model.Name.Text);
            }
            return layers;
        }

        static List<BoundLayer> Flatten(IEnumerable<BoundStatement> statements) => statements.OfType<BoundLayer>().ToList();

        // 1x28x28, 3xHxW: numbers, and names for spatial sizes the model takes as variables.
        static TensorShape? InputShape(ShapeSyntax input, string modelName, DiagnosticBag diagnostics)
        {
            var written = string.Join("x", input.Dimensions.Select((d, i) => input.Variables.Count > i && input.Variables[i] != null ? input.Variables[i] : d.ToString()));
            bool ok = true;
            var dimensions = new List<Expr>();
            for (int i = 0; i < input.Dimensions.Count; i++)
            {
                var variable = input.Variables.Count > i ? input.Variables[i] : null;
                if (variable == null)
                {
                    dimensions.Add(Exprs.Int(input.Dimensions[i]));
                    continue;
                }
                string? reason = i == 0
                    ? (input.Dimensions.Count == 1 ? "the size of a flat input is its number of features, which the layers' weights depend on" : "the channel count decides the first layer's weights; only spatial sizes can vary")
                    : Names.IsCSharpKeyword(variable) || variable == "in_channels" || variable == "input" ? "the name is reserved" : null;
                if (reason != null)
                {
                    diagnostics.ReportInvalidInputVariable(input.Location, variable, written, reason);
                    ok = false;
                }
                dimensions.Add(new VarExpr(variable));
            }
            var bad = input.Dimensions.Where((d, i) => (input.Variables.Count <= i || input.Variables[i] == null) && d < 1).ToList();
            if (bad.Count > 0)
            {
                diagnostics.ReportNonPositiveInputSize(input.Location, written, modelName, bad[0]);
                ok = false;
            }
            if (!ok)
                return null;
            var shape = new TensorShape(dimensions);
            try
            {
                _ = shape.Elements;
            }
            catch (SizeOverflowException overflow)
            {
                diagnostics.ReportSizeOverflow(input.Location, "input", "one sample of " + written + " has more elements than a tensor can hold: " + overflow.Message);
                return null;
            }
            WarnChannelsLast(input, shape, diagnostics);
            WarnChannelsInMiddle(input, shape, diagnostics);
            return shape;
        }

        // 128x1x128 or 160x3x160: a 1, 3 or 4 between two sizes at least 8 times larger is a channel count in the wrong place.
        static void WarnChannelsInMiddle(ShapeSyntax input, TensorShape shape, DiagnosticBag diagnostics)
        {
            if (!shape.IsFixed || shape.Rank < 3)
                return;
            var sizes = shape.Sizes;
            for (int i = 1; i + 1 < sizes.Length; i++)
            {
                long channels = sizes[i];
                if ((channels == 1 || channels == 3 || channels == 4) && sizes[i - 1] >= 8 * channels && sizes[i + 1] >= 8 * channels)
                {
                    var order = new[] { channels }.Concat(sizes.Where((_, j) => j != i));
                    diagnostics.ReportChannelsInMiddle(input.Location, string.Join("x", sizes), channels, string.Join("x", order));
                    return;
                }
            }
        }

        // 28x28x1 or 224x224x3: a large first size and a last of 1, 3 or 4 is almost always height x width x channels.
        static void WarnChannelsLast(ShapeSyntax input, TensorShape shape, DiagnosticBag diagnostics)
        {
            if (!shape.IsFixed || shape.Rank != 3)
                return;
            var sizes = shape.Sizes;
            if (sizes[0] >= 8 && sizes[1] >= 8 && (sizes[2] == 1 || sizes[2] == 3 || sizes[2] == 4))
                diagnostics.ReportChannelsLastInput(input.Location, string.Join("x", sizes), "height x width x channels (as Keras and image files store pixels)",
                    sizes[2] + "x" + sizes[0] + "x" + sizes[1]);
        }

        /// <summary>Input sizes a declared number is most often written for: ImageNet's and the course's.</summary>
        static readonly long[] CommonInputSizes = { 224, 299, 227, 256, 32, 28, 64, 96, 128, 112, 160, 192, 240, 260, 300, 320, 331, 380, 384, 456, 512, 528, 600 };

        /// <summary>
        /// For a declared size that disagrees (VGG's in_features=25088 on a 32x32 input, which gives 512): binds the model
        /// again with its spatial sizes as variables and finds the square input that gives the declared number, then says
        /// where it comes from (512x7x7 from 224x224) and the fixes: the actual number, a resize, or an adaptive pool.
        /// </summary>
        static string? ExplainDeclaredSize(ModelSyntax model, TensorShape input, DeclaredSizeMismatch mismatch, BlockScope blocks)
        {
            if (input.Rank < 2)
                return null;
            var (names, symbolic) = SymbolicSizes(input);
            var observations = new List<LayerObservation>();
            BindModelLayers(model, symbolic, new DiagnosticBag(), blocks, new BindingSession { Blocks = blocks, Observations = observations });
            int at = observations.FindIndex(o => o.Syntax.Location == mismatch.Syntax.Location && o.Owner == model.Name.Text);
            if (at < 0 || observations[at].Input is not TensorShape features || features.Rank != 1)
                return null;
            // The tensor that was flattened: the last input before this layer with spatial sizes.
            var spatial = observations.Take(at).Select(o => o.Input).LastOrDefault(s => s != null && s.Rank >= 2);
            foreach (var size in CommonInputSizes)
            {
                var values = names.ToDictionary(n => n, _ => size);
                long? Value(Expr e)
                {
                    try
                    {
                        return e.Evaluate(values);
                    }
                    catch (System.Exception ex) when (ex is SizeOverflowException || ex is System.DivideByZeroException)
                    {
                        return null;
                    }
                }
                if (Value(features[0]) != mismatch.Declared)
                    continue;
                var sizeText = string.Join("x", names.Select(_ => size));
                var shapeText = spatial == null ? null : string.Join("x", spatial.Dimensions.Select(d => Value(d)?.ToString() ?? "?"));
                var pool = spatial == null || spatial.Rank < 3 || spatial.Rank > 4 ? null
                    : "add 'adaptive_avgpool" + (spatial.Rank - 1) + "d (" + string.Join(", ", spatial.Dimensions.Skip(1).Select(d => Value(d)?.ToString() ?? "?")) + ")' before 'flatten', as torchvision does";
                return "; " + mismatch.Declared + (shapeText == null ? "" : " is " + shapeText + ",") + " what a " + sizeText + " input gives, and this input is "
                    + string.Join("x", input.Sizes.Skip(1)) + ": set " + mismatch.Argument + " to " + mismatch.Inferred + ", resize the input to " + sizeText
                    + (pool == null ? "" : ", or " + pool);
            }
            return null;
        }

        // The input with its spatial sizes as variables (L; H, W; D, H, W), as the hints bind a fixed-size model again.
        static (string[] Names, TensorShape Shape) SymbolicSizes(TensorShape input)
        {
            var names = input.Rank == 2 ? new[] { "L" } : input.Rank == 3 ? new[] { "H", "W" } : new[] { "D", "H", "W" };
            return (names, new TensorShape(new[] { input[0] }.Concat(names.Select(n => (Expr)new VarExpr(n)))));
        }

        /// <summary>
        /// For a fixed input that some layer shrinks to nothing: binds the model again with the spatial sizes as variables,
        /// and says how large an input it needs, from the same rule the model would have with variable sizes.
        /// </summary>
        static string? ExplainTooSmallInput(ModelSyntax model, TensorShape input, IReadOnlyList<Diagnostic> diagnostics, BlockScope blocks)
        {
            if (input.Rank < 2)
                return null;
            var (names, symbolic) = SymbolicSizes(input);
            var session = new BindingSession { Blocks = blocks };
            var scratch = new DiagnosticBag();
            BindModelLayers(model, symbolic, scratch, blocks, session);
            // A dense layer after flatten needs a fixed size, which is beside the point here: the layers before it decide.
            if (scratch.Any(d => d.IsError && d.Id != DiagnosticDescriptors.FeaturesDependOnInputSize.Id))
                return null;
            var conditions = session.Requirements.Where(r => !(r.Condition is BoolExpr)).Select(r => new AcceptedSizeCondition(r.Condition, r.Layer)).ToList();
            var minimum = MinimumSizes(names, conditions);
            if (minimum == null)
                return null;
            var actual = input.Sizes.Skip(1).ToArray();
            var channelsLast = diagnostics.Any(d => d.Id == DiagnosticDescriptors.ChannelsLastInput.Id) ? "; the input looks channels-last, so check the channel order" : "";
            return "; the model needs an input of at least " + string.Join("x", minimum) + " (it is " + string.Join("x", actual) + "): resize the input or remove a pooling or strided stage" + channelsLast;
        }

        /// <summary>
        /// The smallest accepted value of each size variable: the first value (from 1) at which every condition on that
        /// variable alone holds, the others at their own smallest; null when there is none. Conditions are exact
        /// (they may hold only for even sizes), so the search looks at each value, then doubles past long runs.
        /// </summary>
        public static long[]? MinimumSizes(IReadOnlyList<string> variables, IReadOnlyList<AcceptedSizeCondition> conditions)
        {
            var result = new long[variables.Count];
            for (int v = 0; v < variables.Count; v++)
            {
                var own = conditions.Where(c => c.Condition.Variables().All(n => n == variables[v])).Select(c => c.Condition).ToList();
                long? found = null;
                for (long value = 1; value <= 4096 && found == null; value++)
                    if (Holds(own, variables[v], value))
                        found = value;
                // Sizes only grow with the input, so a lower bound past 4096 is found by bisection.
                if (found == null && Holds(own, variables[v], SearchLimit))
                {
                    long low = 4096, high = SearchLimit;
                    while (high - low > 1)
                    {
                        long middle = low + (high - low) / 2;
                        if (Holds(own, variables[v], middle))
                            high = middle;
                        else
                            low = middle;
                    }
                    found = high;
                }
                if (found == null)
                    return null;
                result[v] = found.Value;
            }
            return result;
        }

        /// <summary>
        /// Every size grows with the input, so a lower bound such as <c>(H - 4) // 2 >= 1</c> holds exactly from some H on:
        /// the bounds on one variable become the one rule <c>H >= 6</c>. Other conditions (sizes of two branches that must
        /// agree) are kept as written.
        /// </summary>
        static List<AcceptedSizeCondition> Simplify(List<AcceptedSizeCondition> conditions, IReadOnlyList<string> variables)
        {
            var result = new List<AcceptedSizeCondition>();
            foreach (var variable in variables)
            {
                var bounds = conditions.Where(c => c.Condition.Variables().SequenceEqual(new[] { variable }) && IsLowerBound(c.Condition)).ToList();
                if (bounds.Count == 0)
                    continue;
                var minimum = MinimumSizes(new[] { variable }, bounds);
                if (minimum == null)
                    continue;
                var strongest = bounds.First(b => MinimumSizes(new[] { variable }, new[] { b })![0] == minimum[0]);
                result.Add(new AcceptedSizeCondition(Exprs.AtLeast(new VarExpr(variable), minimum[0]), strongest.Layer));
            }
            var simplified = new HashSet<Expr>(conditions.Where(c => c.Condition.Variables().Count == 1 && IsLowerBound(c.Condition)
                && result.Any(r => r.Condition.Variables().SequenceEqual(c.Condition.Variables()))).Select(c => c.Condition));
            result.AddRange(conditions.Where(c => !simplified.Contains(c.Condition)));
            return result;
        }

        // e >= constant with e nondecreasing in its variable: built from sums, positive multiples, floor division by a
        // positive constant, min and max.
        static bool IsLowerBound(Expr condition) =>
            condition is BinaryExpr { Op: ExprOp.GreaterOrEqual, Right: IntExpr } bound && IsNondecreasing(bound.Left);

        static bool IsNondecreasing(Expr expr) => expr switch
        {
            IntExpr => true,
            VarExpr => true,
            BinaryExpr { Op: ExprOp.Add or ExprOp.Min or ExprOp.Max } b => IsNondecreasing(b.Left) && IsNondecreasing(b.Right),
            BinaryExpr { Op: ExprOp.Multiply, Right: IntExpr { Value: >= 0 } } m => IsNondecreasing(m.Left),
            BinaryExpr { Op: ExprOp.FloorDivide, Right: IntExpr { Value: > 0 } } d => IsNondecreasing(d.Left),
            _ => false,
        };

        static bool Holds(IEnumerable<Expr> conditions, string variable, long value)
        {
            var values = new Dictionary<string, long> { [variable] = value };
            try
            {
                return conditions.All(c => c.Evaluate(values) != 0);
            }
            catch (System.Exception e) when (e is SizeOverflowException || e is System.DivideByZeroException)
            {
                return false;
            }
        }

        /// <summary>The block classes a model needs: each block it uses, at each input rank, bound once as a function.</summary>
        static List<BlockFunction> BlockFunctions(IReadOnlyList<BoundLayer> layers, BlockScope blocks, DiagnosticBag diagnostics)
        {
            var uses = new List<(string Block, int Rank)>();
            // Uses with equal arguments share their layers: visit each once.
            var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
            void Collect(IEnumerable<BoundLayer> list)
            {
                foreach (var layer in list)
                {
                    if (!(layer.Config is BlockConfig use) || !visited.Add(use))
                        continue;
                    Collect(use.Layers);
                    var key = (use.BlockName, use.Input.Rank);
                    if (!uses.Contains(key))
                        uses.Add(key);
                }
            }
            Collect(layers);
            var functions = new List<BlockFunction>();
            // A block's class holds every branch of its body, so a block used only in a branch no use takes needs a
            // class too: the bodies are searched for blocks as well as the uses.
            for (int next = 0; next < uses.Count; next++)
            {
                var (block, rank) = uses[next];
                var kind = (BlockLayer)blocks.Find(block)!;
                var function = kind.BindFunction(rank, blocks.ClassOf(block)!, blocks, diagnostics);
                if (function == null)
                    continue;
                functions.Add(function);
                foreach (var inner in BlocksIn(function.Body))
                {
                    if (!uses.Contains(inner))
                        uses.Add(inner);
                }
            }
            return InnerFirst(functions);
        }

        static IEnumerable<(string Block, int Rank)> BlocksIn(IEnumerable<BoundStatement> body)
        {
            foreach (var statement in body)
            {
                if (statement is BoundLayer { Config: BlockConfig use })
                    yield return (use.BlockName, use.Input.Rank);
                else if (statement is BoundBranch branch)
                    foreach (var inner in BlocksIn(branch.Then).Concat(BlocksIn(branch.Else)))
                        yield return inner;
            }
        }

        // The generator writes a block's class after the classes its body uses.
        static List<BlockFunction> InnerFirst(List<BlockFunction> functions)
        {
            var ordered = new List<BlockFunction>();
            var placed = new HashSet<(string, int)>();
            var visiting = new HashSet<(string, int)>();
            void Place(BlockFunction function)
            {
                var key = (function.BlockName, function.InputRank);
                if (placed.Contains(key) || !visiting.Add(key))
                    return;
                foreach (var inner in BlocksIn(function.Body))
                {
                    var dependency = functions.FirstOrDefault(f => f.BlockName == inner.Block && f.InputRank == inner.Rank);
                    if (dependency != null)
                        Place(dependency);
                }
                placed.Add(key);
                ordered.Add(function);
            }
            foreach (var function in functions)
                Place(function);
            return ordered;
        }

        /// <summary>Bytes of one float32 element: the unit of the summary's sizes, which must fit as the counts do.</summary>
        public const int BytesPerElement = 4;

        /// <summary>A model may stand for at most this many layers once its blocks are expanded.</summary>
        public const long MaxModelLayers = 100_000;

        /// <summary>
        /// Binds statements in order from an input of <paramref name="input"/> (null when unknown), for a model, a block
        /// use or a block function; the result holds the layers that bound, and <paramref name="diagnostics"/> says
        /// whether all did.
        /// </summary>
        internal static List<BoundStatement> BindStatements(IReadOnlyList<StatementSyntax> statements, TensorShape? input, string ownerName,
            DiagnosticBag diagnostics, BlockScope blocks, BindingScope scope)
        {
            var binder = new StatementBinder(ownerName, diagnostics, blocks, input, statements);
            var output = new List<BoundStatement>();
            binder.Bind(statements, scope, output);
            binder.CheckGroupNames();
            return output;
        }

        internal static bool CheckLayerName(NameSyntax label, string name, ICollection<string> ownerClassNames, DiagnosticBag diagnostics)
        {
            string? reason = null;
            var segments = name.Split('.');
            if (!segments.All(segment => Names.IsIdentifier(segment) || (segment.Length > 0 && segment.All(char.IsDigit))) || !Names.IsIdentifier(segments[0]))
                reason = "a layer name is a C# identifier, or dotted parts (features.0) whose first part is one";
            else if (Names.IsCSharpKeyword(name))
                reason = "it is a C# keyword";
            else if (ReservedMemberNames.Contains(name))
                reason = "the generated module already has a member of that name";
            else if (ownerClassNames.Contains(name.Replace('.', '_')))
                reason = "its field would have the name of the class it is in ('" + name.Replace('.', '_') + "'), which C# does not allow; choose another label";
            if (reason == null)
                return true;
            diagnostics.ReportInvalidName(label.Location, name, "layer", reason);
            return false;
        }
    }
}
