using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Symbolic;
using CnnDsl.Dsl.Syntax;
using CnnDsl.Dsl.Text;

namespace CnnDsl.Dsl.Binding
{
    /// <summary>
    /// What a name means while a model or block is bound: a number or expression (a block parameter, <c>in_channels</c>,
    /// a repeat index), or a value written at the use (<c>relu</c>, <c>same</c>, a tuple) that stands in for a parameter.
    /// </summary>
    public sealed record ScopeEntry(Expr? Value, ValueSyntax? Syntax);

    /// <summary>
    /// One binding of a model, a block use, or a block as a function. A model or block use knows every parameter's value;
    /// a block bound as a function has its parameters as variables, so checks that depend on them are left to each use,
    /// and the types its parameters are used with are recorded. Conditions on the input size variables that are not
    /// decided by the shapes become the model's accepted-size rule.
    /// </summary>
    public sealed class BindingScope
    {
        readonly Dictionary<string, ScopeEntry> names;
        readonly BindingScope? parent;

        BindingScope(BindingScope? parent, BindingSession session, Dictionary<string, ScopeEntry> names)
        {
            this.parent = parent;
            Session = session;
            this.names = names;
        }

        public static BindingScope Root(BindingSession session) => new BindingScope(null, session, new Dictionary<string, ScopeEntry>());

        public BindingSession Session { get; }

        public BindingScope With(string name, ScopeEntry entry) =>
            new BindingScope(this, Session, new Dictionary<string, ScopeEntry> { [name] = entry });

        public BindingScope With(IEnumerable<KeyValuePair<string, ScopeEntry>> entries) =>
            new BindingScope(this, Session, entries.ToDictionary(e => e.Key, e => e.Value));

        public ScopeEntry? Find(string name) =>
            names.TryGetValue(name, out var entry) ? entry : parent?.Find(name);

        public IEnumerable<string> AllNames => names.Keys.Concat(parent?.AllNames ?? Enumerable.Empty<string>()).Distinct();
    }

    /// <summary>A condition a model's input sizes must meet, and the layer it comes from.</summary>
    public sealed record SizeRequirement(Expr Condition, string Layer);

    /// <summary>State shared by one binding: function mode, recorded parameter types and size requirements.</summary>
    public sealed class BindingSession
    {
        public BindingSession(bool isFunction = false) => IsFunction = isFunction;

        /// <summary>True while a block is bound with its parameters as variables, for its generated class.</summary>
        public bool IsFunction { get; }

        /// <summary>The block's declared parameters, in function mode.</summary>
        public HashSet<string> Parameters { get; } = new HashSet<string>();

        /// <summary>How each parameter was used (block parameters in function mode).</summary>
        public Dictionary<string, ExprType> UsedAs { get; } = new Dictionary<string, ExprType>();

        public List<SizeRequirement> Requirements { get; } = new List<SizeRequirement>();

        /// <summary>Blocks being bound right now, innermost last, to catch a block that uses itself.</summary>
        public List<string> ActiveBlocks { get; } = new List<string>();

        /// <summary>Block layers expanded so far in this binding; a bound on the work one model can cause.</summary>
        public int ExpandedLayers { get; set; }

        public const int MaxExpandedLayers = 100_000;

        /// <summary>Block uses already bound in this binding, by block, arguments and input: their layers, or null after errors.</summary>
        public Dictionary<string, Catalog.BlockConfig?> BlockUses { get; } = new Dictionary<string, Catalog.BlockConfig?>();

        /// <summary>Declared input sizes (in_features=25088) that disagree with the inferred ones, for the hint on where the number comes from.</summary>
        public List<DeclaredSizeMismatch> Mismatches { get; } = new List<DeclaredSizeMismatch>();

        /// <summary>The blocks in scope.</summary>
        public Catalog.BlockScope? Blocks { get; set; }

        /// <summary>Where each layer line this binding reads is recorded, for editors; null (nothing recorded) in builds.</summary>
        public List<LayerObservation>? Observations { get; set; }
    }

    /// <summary>
    /// A layer line as one binding saw it: its kind, its arguments matched to parameters, its input (null where unknown)
    /// and the checked layer (null after a mistake). Lets an editor show shapes, resolved arguments and fixes beside the
    /// text without binding again.
    /// </summary>
    public sealed record LayerObservation(string Owner, LayerSyntax Syntax, Catalog.LayerKind? Kind, Catalog.ArgumentReader? Arguments, TensorShape? Input,
        BoundLayer? Layer);

    /// <summary>A layer's declared input size that disagrees with its input, reported at <see cref="Location"/>.</summary>
    public sealed record DeclaredSizeMismatch(LayerSyntax Syntax, string Argument, long Declared, long Inferred, SourceLocation Location);
}
