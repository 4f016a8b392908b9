using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Syntax;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// A use of a block defined in the same file (<c>layer1.0: Residual 64</c>): the block's layers, with its parameters
    /// replaced by this use's arguments, are checked from this use's input shape. The result is one module, emitted as
    /// one class shared by every use, the way torchvision has BasicBlock.
    /// </summary>
    public sealed class BlockLayer : LayerKind
    {
        readonly BlockSyntax block;
        readonly BlockScope scope;

        public BlockLayer(BlockSyntax block, BlockScope scope)
            : base(block.Name.Text, block.Name.Text, Names.ToSnakeCase(block.Name.Text), "The block " + block.Name.Text + ".",
                block.Parameters.Select(p => new ParameterSpec(p.Name.Text, ParameterType.Any, "a parameter of block " + block.Name.Text,
                    required: p.Default == null, positional: true, defaultText: p.Default?.Text)).ToArray())
        {
            this.block = block;
            this.scope = scope;
        }

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var values = block.Parameters.ToDictionary(p => p.Name.Text, p => context.Arguments.Raw(p.Name.Text) ?? p.Default!);
            if (!context.CanInferShape || block.HasSyntaxErrors)
                return null;
            if (scope.Active.Contains(Name))
            {
                context.Diagnostics.ReportRecursiveBlock(context.Syntax.Location, Name, string.Join(" -> ", scope.Active.Reverse().Concat(new[] { Name })));
                return null;
            }

            var layers = block.Layers.Select(layer => layer with
            {
                Arguments = layer.Arguments.Select(a => a with { Value = Substitute(a.Value, values) }).ToEquatableArray(),
            }).ToList();
            var inner = new DiagnosticBag();
            scope.Active.Push(Name);
            List<BoundLayer> bound;
            try
            {
                bound = Binder.BindLayers(layers, context.Input, Name, inner, scope);
            }
            finally
            {
                scope.Active.Pop();
            }
            foreach (var diagnostic in inner)
                context.Diagnostics.ReportInsideBlock(diagnostic, context.Syntax.Location, Name, context.LayerName);
            if (inner.HasErrors)
                return null;
            var arguments = block.Parameters.Select(p => new BlockArgument(p.Name.Text, values[p.Name.Text].Text)).ToEquatableArray();
            return new BlockConfig(Name, arguments, context.Input, bound.ToEquatableArray());
        }

        /// <summary>The block's layers with this use's arguments in place, for a model that starts from the block.</summary>
        public IReadOnlyList<LayerSyntax> Expand(ArgumentReader arguments)
        {
            var values = block.Parameters.ToDictionary(p => p.Name.Text, p => arguments.Raw(p.Name.Text) ?? p.Default!);
            return block.Layers.Select(layer => layer with
            {
                Arguments = layer.Arguments.Select(a => a with { Value = Substitute(a.Value, values) }).ToEquatableArray(),
            }).ToList();
        }

        // A parameter used as a value takes the use's argument; the location stays inside the block.
        static ValueSyntax Substitute(ValueSyntax value, IReadOnlyDictionary<string, ValueSyntax> values)
        {
            if (value.Kind == ValueKind.Identifier && values.TryGetValue(value.Text, out var argument))
                return argument with { Location = value.Location };
            if (value.Kind == ValueKind.Tuple)
                return value with { Items = value.Items.Select(item => Substitute(item, values)).ToEquatableArray() };
            return value;
        }
    }

    public sealed record BlockArgument(string Name, string Value);

    /// <summary>One use of a block: its arguments and its checked layers, whose names are relative to the block.</summary>
    public sealed record BlockConfig(string BlockName, EquatableArray<BlockArgument> Arguments, TensorShape Input, EquatableArray<BoundLayer> Layers) : LayerConfig
    {
        public override TensorShape OutputShape => Layers.Count == 0 ? Input : Layers[Layers.Count - 1].OutputShape;
        public override long Parameters => Layers.Sum(l => l.Config.Parameters);
        public override long State => Layers.Sum(l => l.Config.State);
        /// <summary>The generated class's name: <c>resnet_basic_block</c> becomes <c>ResnetBasicBlock</c>.</summary>
        public override string ModuleType => Dsl.Names.ToPascalCase(BlockName);
        public override string ModuleTypeName => ModuleType;

        // The constructor call depends on every use of the block, so the model emitter writes it.
        public override string EmitConstructor() => "new " + BlockName + "()";

        /// <summary>The activation the block's output ends with, for a model whose last layer is a block.</summary>
        public Activation? FinalActivation => Layers.Count == 0 ? null
            : Layers[Layers.Count - 1].Config is BlockConfig inner ? inner.FinalActivation : Layers[Layers.Count - 1].Config.Activation;
    }

    /// <summary>The blocks of one file, and the blocks being bound right now (to catch a block that uses itself).</summary>
    public sealed class BlockScope
    {
        readonly Dictionary<string, BlockLayer> blocks = new Dictionary<string, BlockLayer>();

        /// <summary>The zoo's blocks alone, for models without a file of their own (attribute models).</summary>
        public static BlockScope ZooOnly { get; } = Create(new BlockSyntax[0], new DiagnosticBag());

        internal Stack<string> Active { get; } = new Stack<string>();

        public IEnumerable<string> Names => blocks.Keys;

        public LayerKind? Find(string name) => blocks.TryGetValue(name, out var block) ? block : null;

        public static BlockScope Create(IEnumerable<BlockSyntax> syntaxes, DiagnosticBag diagnostics)
        {
            var scope = new BlockScope();
            foreach (var zooBlock in Zoo.Blocks)
                scope.blocks[zooBlock.Name.Text] = new BlockLayer(zooBlock, scope);
            var own = new HashSet<string>();
            foreach (var syntax in syntaxes)
            {
                var name = syntax.Name.Text;
                string? problem = LayerCatalog.Find(name) != null ? "'" + name + "' is a layer kind"
                    : !own.Add(name) ? "another block has that name"
                    : Dsl.Names.IsCSharpKeyword(name) ? "it is a C# keyword"
                    : syntax.Parameters.GroupBy(p => p.Name.Text).Where(g => g.Count() > 1).Select(g => "parameter '" + g.Key + "' is declared twice").FirstOrDefault();
                if (problem != null)
                {
                    diagnostics.ReportInvalidBlock(syntax.Name.Location, name, problem);
                    continue;
                }
                // A file's own block may take a zoo block's name; the file's wins.
                scope.blocks[name] = new BlockLayer(syntax, scope);
            }
            return scope;
        }
    }
}
