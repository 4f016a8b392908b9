using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Symbolic;
using CnnDsl.Dsl.Syntax;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// A use of a block (<c>layer1.0: Residual 64</c>). The block is a function of its parameters and of
    /// <c>in_channels</c>, the channels it is given: each use binds its layers with this use's values, so shapes, counts
    /// and mistakes are those of this use; the block's one generated class is bound once with its parameters as
    /// variables (<see cref="BindFunction"/>), as torchvision has one BasicBlock class.
    /// </summary>
    public sealed class BlockLayer : LayerKind
    {
        public const string InChannels = "in_channels";

        public BlockLayer(BlockSyntax block)
            : base(block.Name.Text, block.Name.Text, Names.ToSnakeCase(block.Name.Text), "The block " + block.Name.Text + ".",
                block.Parameters.Select(p => new ParameterSpec(p.Name.Text, ParameterType.Any, "a parameter of block " + block.Name.Text,
                    required: p.Default == null, positional: true, defaultText: p.Default?.Text)).ToArray())
        {
            Syntax = block;
        }

        public BlockSyntax Syntax { get; }

        /// <summary>The spatial size names a block's class may take, by input rank (channels included).</summary>
        public static string[] InputSizeNames(int rank) => rank switch
        {
            2 => new[] { "in_length" },
            3 => new[] { "in_height", "in_width" },
            4 => new[] { "in_depth", "in_height", "in_width" },
            _ => new string[0],
        };

        /// <summary>
        /// This use's parameters as a scope: each argument (or default) resolved where it is written, and
        /// <c>in_channels</c>. Null after reporting a problem.
        /// </summary>
        public BindingScope? ParameterScope(ArgumentReader arguments, BindingScope caller, DiagnosticBag diagnostics, TensorShape? input)
        {
            var entries = new List<KeyValuePair<string, ScopeEntry>>();
            if (input != null && input.Rank >= 1)
                entries.Add(new KeyValuePair<string, ScopeEntry>(InChannels, new ScopeEntry(input[0], null)));
            bool ok = true;
            foreach (var parameter in Syntax.Parameters)
            {
                var given = arguments.Raw(parameter.Name.Text);
                // A default may use the parameters before it; a given value is read where it is written.
                var scope = given != null ? caller : caller.With(entries);
                var entry = Resolve(given ?? parameter.Default!, scope, diagnostics);
                if (entry == null)
                {
                    ok = false;
                    continue;
                }
                entries.Add(new KeyValuePair<string, ScopeEntry>(parameter.Name.Text, entry));
            }
            return ok ? caller.With(entries) : null;
        }

        static ScopeEntry? Resolve(ValueSyntax value, BindingScope scope, DiagnosticBag diagnostics)
        {
            switch (value.Kind)
            {
                case ValueKind.Number:
                    return new ScopeEntry(value.IsInteger ? Exprs.Int(value.Whole) : new RealExpr(value.Number), null);
                case ValueKind.Identifier:
                    var found = scope.Find(value.Text);
                    if (found != null)
                        return found;
                    if (value.Text == "true" || value.Text == "True" || value.Text == "false" || value.Text == "False")
                        return new ScopeEntry(new BoolExpr(value.Text == "true" || value.Text == "True"), null);
                    // A name such as relu or same, read by the layer that gets it.
                    return new ScopeEntry(null, value);
                case ValueKind.Tuple:
                    return new ScopeEntry(null, value);
                default:
                    var bound = ExpressionBinder.Bind(value, scope, diagnostics, LooksLikeCondition(value) ? ExprType.Boolean : ExprType.Integer);
                    return bound == null ? null : new ScopeEntry(bound, null);
            }
        }

        static bool LooksLikeCondition(ValueSyntax value) =>
            value.Kind == ValueKind.Unary && value.Operator == "not"
            || value.Kind == ValueKind.Binary && (value.Operator == "and" || value.Operator == "or" || value.Operator.Contains("=") || value.Operator == "<" || value.Operator == ">");

        public override Equivalents Equivalents => Blocks;

        /// <summary>What every block is in PyTorch and Keras, whatever its layers.</summary>
        public static Equivalents Blocks { get; } = new Equivalents("nn.Module", "keras.Model",
            "in PyTorch a subclass of `nn.Module` with a field per layer, as torchvision's BasicBlock; in Keras a function that adds its layers to the functional graph, or a nested model.");

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var session = context.Session;
            if (!context.CanInferShape || Syntax.HasSyntaxErrors)
                return null;
            if (session.ActiveBlocks.Contains(Name))
            {
                context.Diagnostics.ReportRecursiveBlock(context.Syntax.Location, Name, string.Join(" -> ", session.ActiveBlocks.SkipWhile(b => b != Name).Concat(new[] { Name })));
                return null;
            }
            var inner = new DiagnosticBag();
            var scope = ParameterScope(context.Arguments, context.Scope, inner, context.Input);
            if (scope == null)
            {
                context.Diagnostics.AddRange(inner);
                return null;
            }
            var arguments = Syntax.Parameters.Select(p => new BlockArgument(p.Name.Text, scope.Find(p.Name.Text)!.Value, scope.Find(p.Name.Text)!.Syntax?.Text)).ToEquatableArray();

            // Uses with the same arguments and input bind to the same layers: bind once, so blocks that use blocks
            // twice cost their distinct uses, not every path, and a mistake is reported once.
            var key = Name + "(" + string.Join(", ", arguments.Select(a => a.Value?.ToString() ?? a.Text)) + ") on " + context.Input + (session.IsFunction ? " as function" : "");
            if (session.BlockUses.TryGetValue(key, out var cached))
                return cached;

            session.ActiveBlocks.Add(Name);
            List<BoundStatement> bound;
            try
            {
                bound = Binder.BindStatements(Syntax.Layers, context.Input, Name, inner, session.Blocks!, scope);
            }
            finally
            {
                session.ActiveBlocks.RemoveAt(session.ActiveBlocks.Count - 1);
            }
            foreach (var diagnostic in inner)
                context.Diagnostics.ReportInsideBlock(diagnostic, context.Syntax.Location, Name, context.LayerName);
            BlockConfig? config = null;
            if (!inner.HasErrors)
            {
                var output = OutputOf(bound, context.Input);
                config = new BlockConfig(Name, arguments, context.Input, bound.OfType<BoundLayer>().ToEquatableArray(), bound.ToEquatableArray(), output);
            }
            session.BlockUses[key] = config;
            return config;
        }

        // Every identifier a statement reads: in arguments, conditions, repeat counts and computed labels.
        static IEnumerable<string> NamesRead(StatementSyntax statement) => statement switch
        {
            LayerSyntax layer => layer.Arguments.SelectMany(a => NamesIn(a.Value)).Concat(layer.Label?.Holes.SelectMany(NamesIn) ?? Enumerable.Empty<string>()),
            IfSyntax branch => NamesIn(branch.Condition).Concat(branch.Then.Concat(branch.Else).SelectMany(NamesRead)),
            RepeatSyntax repeat => NamesIn(repeat.Count).Concat(repeat.Body.SelectMany(NamesRead)),
            _ => Enumerable.Empty<string>(),
        };

        static IEnumerable<string> NamesIn(ValueSyntax value) =>
            (value.Kind == ValueKind.Identifier ? new[] { value.Text } : Enumerable.Empty<string>()).Concat(value.Items.SelectMany(NamesIn));

        // The shape after the last statement: a layer's output, or a branch's sizes under its condition.
        static TensorShape OutputOf(IReadOnlyList<BoundStatement> statements, TensorShape input)
        {
            if (statements.Count == 0)
                return input;
            switch (statements[statements.Count - 1])
            {
                case BoundLayer layer:
                    return layer.OutputShape;
                case BoundBranch branch:
                    var before = OutputOf(statements.Take(statements.Count - 1).ToList(), input);
                    var then = OutputOf(branch.Then, before);
                    var otherwise = OutputOf(branch.Else, before);
                    return then.Rank != otherwise.Rank ? then : new TensorShape(then.Dimensions.Select((d, i) => Exprs.Conditional(branch.Condition, d, otherwise[i])));
                default:
                    return input;
            }
        }

        /// <summary>
        /// Binds the block once with its parameters, <c>in_channels</c> and its input's spatial sizes as variables: what
        /// its generated class is written from. Checks that depend on the parameters are left to each use.
        /// </summary>
        public BlockFunction? BindFunction(int rank, BlockClassName className, BlockScope blocks, DiagnosticBag diagnostics)
        {
            var session = new BindingSession(isFunction: true) { Blocks = blocks };
            session.ActiveBlocks.Add(Name);
            foreach (var parameter in Syntax.Parameters)
                session.Parameters.Add(parameter.Name.Text);
            var sizes = InputSizeNames(rank);
            var input = new TensorShape(new Expr[] { new VarExpr(InChannels) }.Concat(sizes.Select(s => (Expr)new VarExpr(s))));
            var entries = new List<KeyValuePair<string, ScopeEntry>> { new KeyValuePair<string, ScopeEntry>(InChannels, new ScopeEntry(input[0], null)) };
            entries.AddRange(Syntax.Parameters.Select(p => new KeyValuePair<string, ScopeEntry>(p.Name.Text, new ScopeEntry(new VarExpr(p.Name.Text), null))));
            var scope = BindingScope.Root(session).With(entries);
            var local = new DiagnosticBag();
            var body = Binder.BindStatements(Syntax.Layers, input, Name, local, blocks, scope);
            // Problems that depend on the arguments were reported at each use; ones that do not are reported here once.
            foreach (var diagnostic in local.Where(d => d.Id == DiagnosticDescriptors.UnsupportedBlockParameter.Id || d.Id == DiagnosticDescriptors.BranchOnlyTensor.Id))
                diagnostics.AddRange(new[] { diagnostic });
            if (local.HasErrors)
                return null;
            // A parameter no line of the block reads changes nothing in its module, so its class does not take it (whatever
            // a use passes, a number, a name or 1.5, then compiles).
            var read = new HashSet<string>(Syntax.Layers.SelectMany(NamesRead).Concat(Syntax.Parameters.Where(p => p.Default != null).SelectMany(p => NamesIn(p.Default!))));
            var parameters = Syntax.Parameters.Where(p => read.Contains(p.Name.Text)).Select(p =>
            {
                session.UsedAs.TryGetValue(p.Name.Text, out var type);
                Expr? defaultValue = p.Default == null ? null : ExpressionBinder.Bind(p.Default, BindingScope.Root(new BindingSession()), new DiagnosticBag(), type);
                return new FunctionParameter(p.Name.Text, type, defaultValue);
            }).ToEquatableArray();
            return new BlockFunction(Name, className.ForRank(rank), className.Namespace, className.FromZoo, rank, parameters, sizes.ToEquatableArray(), body.ToEquatableArray());
        }
    }

    /// <summary>A block argument: a number or expression, or a name written at the use (<c>relu</c>).</summary>
    public sealed record BlockArgument(string Name, Expr? Value, string? Text);

    /// <summary>
    /// One use of a block: its arguments, and its layers as bound for this use (names relative to the block). In a
    /// block's function, <see cref="Statements"/> also holds the branches decided when the module is built.
    /// </summary>
    public sealed record BlockConfig(string BlockName, EquatableArray<BlockArgument> Arguments, TensorShape Input, EquatableArray<BoundLayer> Layers,
        EquatableArray<BoundStatement> Statements, TensorShape Output) : LayerConfig
    {
        // Uses of one block share their bound layers, so totals are summed once here rather than on every path.
        readonly Expr parameters = Layers.Select(l => l.Config.Parameters).Aggregate((Expr)Exprs.Zero, Exprs.Add);
        readonly Expr state = Layers.Select(l => l.Config.State).Aggregate((Expr)Exprs.Zero, Exprs.Add);

        /// <summary>The layers this use stands for once every block inside it is expanded.</summary>
        public long ExpandedLayers { get; } = Layers.Aggregate(0L, (sum, l) => Exprs.Checked(() => checked(sum + 1 + (l.Config is BlockConfig inner ? inner.ExpandedLayers : 0))));

        public override TensorShape OutputShape => Output;
        public override Expr Parameters => parameters;
        public override Expr State => state;
        /// <summary>The generated class's name: <c>resnet_basic_block</c> becomes <c>ResnetBasicBlock</c>.</summary>
        public override string ModuleType => Dsl.Names.ToPascalCase(BlockName);

        /// <summary>The activation the block's output ends with, for a model whose last layer is a block.</summary>
        public Activation? FinalActivation => Layers.Count == 0 ? null
            : Layers[Layers.Count - 1].Config is BlockConfig inner ? inner.FinalActivation : Layers[Layers.Count - 1].Config.Activation;

        // A block use calls the block: its module is built by each back end from the block's layers (named below the use),
        // or its layers are written out in place.
        public override LayerPlan Lower() => new LayerPlan(null, EquatableArray.Create<PlanStep>(new CallModule()));
    }

    /// <summary>
    /// The blocks a model can use: the zoo's, and those of every .cnn file in the project (whose names must differ from the zoo's and each other's).
    /// Immutable, so that concurrent generator runs can share it.
    /// </summary>
    public sealed class BlockScope
    {
        readonly Dictionary<string, BlockLayer> blocks = new Dictionary<string, BlockLayer>();
        readonly Dictionary<string, BlockClassName> classes = new Dictionary<string, BlockClassName>();

        static readonly System.Lazy<BlockScope> zooOnly = new System.Lazy<BlockScope>(() => Create(new BlockSyntax[0], new DiagnosticBag()));

        /// <summary>The zoo's blocks alone.</summary>
        public static BlockScope ZooOnly => zooOnly.Value;

        public IEnumerable<string> Names => blocks.Keys;

        public LayerKind? Find(string name) => blocks.TryGetValue(name, out var block) ? block : null;

        /// <summary>A block's syntax; null for a name that is no block.</summary>
        public BlockSyntax? SyntaxOf(string name) => blocks.TryGetValue(name, out var block) ? block.Syntax : null;

        /// <summary>The class a block becomes, in the namespace of the file that defines it; null for a name that is no block.</summary>
        public BlockClassName? ClassOf(string blockName) => classes.TryGetValue(blockName, out var name) ? name : null;

        /// <summary>Every block's class.</summary>
        public IEnumerable<BlockClassName> Classes => classes.Values;

        public static BlockScope Create(IEnumerable<BlockSyntax> syntaxes, DiagnosticBag diagnostics)
        {
            var scope = new BlockScope();
            foreach (var zooBlock in Zoo.Blocks)
                scope.blocks[zooBlock.Name.Text] = new BlockLayer(zooBlock);
            var all = syntaxes.ToList();
            // Two blocks of one name anywhere in the project are both reported, each pointing at the other.
            var duplicates = all.GroupBy(b => b.Name.Text).Where(g => g.Count() > 1).ToDictionary(g => g.Key, g => g.ToList());
            foreach (var syntax in all)
            {
                var name = syntax.Name.Text;
                var other = duplicates.TryGetValue(name, out var same) ? same.First(b => !ReferenceEquals(b, syntax)) : null;
                string? problem = LayerCatalog.Find(name) != null ? "'" + name + "' is a layer kind"
                    : other != null ? "another block of that name is defined at " + System.IO.Path.GetFileName(other.Name.Location.Path) + "(" + (other.Name.Location.LineSpan.Start.Line + 1) + "); rename one of them"
                    : scope.blocks.ContainsKey(name) ? "'" + name + "' is " + (Zoo.Models.Contains(name) ? "a zoo model" : "a zoo block") + "; choose another name"
                    : Dsl.Names.IsCSharpKeyword(name) ? "it is a C# keyword"
                    : syntax.Parameters.Select(p => p.Name.Text).FirstOrDefault(p => p == BlockLayer.InChannels) is string reserved ? "'" + reserved + "' is the channels the block is given; it cannot also be a parameter"
                    : syntax.Parameters.GroupBy(p => p.Name.Text).Where(g => g.Count() > 1).Select(g => "parameter '" + g.Key + "' is declared twice").FirstOrDefault();
                // As in C# and Python, a parameter without a default cannot follow one with a default: reported at it.
                var location = syntax.Name.Location;
                if (problem == null && RequiredAfterOptional(syntax) is var (required, optional))
                {
                    problem = "parameter '" + required.Name.Text + "' has no default but follows '" + optional.Name.Text + "', which has one; give '"
                        + required.Name.Text + "' a default or move it before '" + optional.Name.Text + "'";
                    location = required.Name.Location;
                }
                if (problem != null)
                {
                    diagnostics.ReportInvalidBlock(location, name, problem);
                    // Uses of a duplicated name still bind (to the first), so they are not reported as unknown too.
                    if (other != null && ReferenceEquals(same![0], syntax))
                        scope.blocks[name] = new BlockLayer(syntax);
                    continue;
                }
                scope.blocks[name] = new BlockLayer(syntax);
            }
            scope.NameClasses();
            return scope;
        }

        static (BlockParameterSyntax Required, BlockParameterSyntax Optional)? RequiredAfterOptional(BlockSyntax syntax)
        {
            var optional = syntax.Parameters.FirstOrDefault(p => p.Default != null);
            if (optional == null)
                return null;
            var required = syntax.Parameters.SkipWhile(p => !ReferenceEquals(p, optional)).FirstOrDefault(p => p.Default == null);
            return required == null ? null : (required, optional);
        }

        // One class per block, project and input rank: PascalCase of its name, numbered where two blocks of one namespace
        // would share a class name (ignoring case, since each class is a file of its own), in order of block name. The
        // plain names are taken first, then each block's names for its other ranks (B1d, BFlat) from the same set, so a
        // block named B1d and block B used on a 1-D input never share a class.
        void NameClasses()
        {
            foreach (var group in blocks.Values.GroupBy(b => b.Syntax.Namespace))
            {
                var taken = new HashSet<string>(System.StringComparer.OrdinalIgnoreCase);
                var ordered = group.OrderBy(b => b.Name, System.StringComparer.Ordinal).ToList();
                var plain = new Dictionary<string, string>();
                foreach (var block in ordered)
                    plain[block.Name] = Take(taken, Binding.NameRules.BlockClassName(block.Name));
                foreach (var block in ordered)
                {
                    int natural = NaturalRank(block.Syntax.Layers);
                    var byRank = new string[BlockClassName.MaxRank + 1];
                    for (int rank = 1; rank <= BlockClassName.MaxRank; rank++)
                        byRank[rank] = BlockClassName.IsPlainRank(natural, rank) ? plain[block.Name] : Take(taken, plain[block.Name] + BlockClassName.RankSuffix(rank));
                    classes[block.Name] = new BlockClassName(block.Name, group.Key, plain[block.Name], Zoo.Blocks.Any(z => ReferenceEquals(z, block.Syntax)), natural,
                        byRank.Skip(1).ToEquatableArray());
                }
            }
        }

        static string Take(HashSet<string> taken, string name)
        {
            var candidate = name;
            for (int n = 2; !taken.Add(candidate); n++)
                candidate = name + n;
            return candidate;
        }

        // The input rank a block is written for, from the first layer kind that names one (conv1d: 2, conv2d: 3, dense: 1);
        // uses at another rank get a class of their own with a suffix.
        static int NaturalRank(IEnumerable<StatementSyntax> statements)
        {
            foreach (var statement in statements)
            {
                var rank = statement switch
                {
                    LayerSyntax layer => layer.Kind.Text.EndsWith("1d") ? 2 : layer.Kind.Text.EndsWith("2d") ? 3 : layer.Kind.Text.EndsWith("3d") ? 4
                        : layer.Kind.Text == "dense" || layer.Kind.Text == "linear" ? 1 : 0,
                    IfSyntax branch => NaturalRank(branch.Then.Concat(branch.Else)),
                    RepeatSyntax repeat => NaturalRank(repeat.Body),
                    _ => 0,
                };
                if (rank != 0)
                    return rank;
            }
            return 0;
        }
    }

    /// <summary>
    /// The generated class of a block: its namespace (the defining file's; the zoo's is <see cref="Zoo.Namespace"/>) and
    /// name. A use at an input rank other than the one the block's layers are written for (<see cref="NaturalRank"/>, 0 when
    /// none says) gets a class of its own, suffixed with its spatial dimensions.
    /// </summary>
    public sealed record BlockClassName(string BlockName, string? Namespace, string Name, bool FromZoo, int NaturalRank, EquatableArray<string> RankNames)
    {
        /// <summary>The highest input rank (channels included) a block class is named for.</summary>
        public const int MaxRank = 4;

        /// <summary>The class for a use at <paramref name="rank"/>; every rank's name is distinct from every other class of the namespace.</summary>
        public string ForRank(int rank) => rank >= 1 && rank <= MaxRank ? RankNames[rank - 1] : Name + RankSuffix(rank);

        /// <summary>Whether a use at <paramref name="rank"/> gets the plain name: the rank the block is written for (2-D when none says).</summary>
        public static bool IsPlainRank(int naturalRank, int rank) => rank == naturalRank || (naturalRank == 0 && rank == 3);

        /// <summary>What a class for another rank adds to the plain name: its spatial dimensions, or Flat.</summary>
        public static string RankSuffix(int rank) => rank <= 1 ? "Flat" : (rank - 1) + "d";
    }
}
