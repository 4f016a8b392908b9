using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Summary;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Binding
{
    /// <summary>A checked statement of a block bound as a function: a layer, or layers that exist only under a condition.</summary>
    public abstract record BoundStatement;

    /// <summary>
    /// A checked layer: a node of the model's graph that reads named tensors and writes one named after itself.
    /// Its name is the module's name, and so its state_dict prefix.
    /// </summary>
    public sealed record BoundLayer(string Name, string Kind, EquatableArray<string> Inputs, TensorShape InputShape, LayerConfig Config) : BoundStatement
    {
        public TensorShape OutputShape => Config.OutputShape;
    }

    /// <summary><c>if</c> in a block whose condition depends on the block's parameters: decided when the module is built.</summary>
    public sealed record BoundBranch(Expr Condition, EquatableArray<BoundStatement> Then, EquatableArray<BoundStatement> Else) : BoundStatement;

    /// <summary>A parameter of a block's generated class: its name, C# type and default.</summary>
    public sealed record FunctionParameter(string Name, ExprType Type, Expr? Default);

    /// <summary>
    /// A block bound once with its parameters as variables: what its one generated class is built from. Every number in
    /// its layers is a literal or an expression over <see cref="Parameters"/>, <c>in_channels</c> (the channels it is
    /// given) and, only where a layer needs it when built, the input's spatial sizes. The class is the project's, in
    /// <see cref="Namespace"/> (the defining file's), shared by every model that uses the block.
    /// </summary>
    public sealed record BlockFunction(string BlockName, string ClassName, string? Namespace, bool FromZoo, int InputRank, EquatableArray<FunctionParameter> Parameters,
        EquatableArray<string> InputParameters, EquatableArray<BoundStatement> Body);

    /// <summary>A condition on the input's size variables, and the layer it comes from, in the language's notation.</summary>
    public sealed record AcceptedSizeCondition(Expr Condition, string Layer);

    /// <summary>
    /// A checked model: a graph from the input tensor through its layers, with every count known and every shape a
    /// number or an expression over the input's size variables (<see cref="SizeVariables"/>), accepted where
    /// <see cref="AcceptedSizes"/> all hold. Plain data without source locations, so that it can be emitted and cached.
    /// </summary>
    public sealed record BoundModel(string Name, string? Namespace, TensorShape InputShape, EquatableArray<BoundLayer> Layers, string SourcePath,
        EquatableArray<BlockFunction> Blocks = default, EquatableArray<string> SizeVariables = default,
        EquatableArray<AcceptedSizeCondition> AcceptedSizes = default, EquatableArray<long> MinimumSizes = default)
    {
        public const string InputTensorName = "input";

        /// <summary>
        /// <c>sha256:</c> and the hex SHA-256 of the model and the project blocks it uses as the .cnn language writes them,
        /// without namespaces (<see cref="Project.ProjectRules.DefinitionHash"/>): equal for the generated class and for a
        /// model the tools build from the same file, whatever input size they fix; null where no project checked it.
        /// </summary>
        public string? DefinitionHash { get; init; }

        public TensorShape OutputShape => Layers.Count == 0 ? InputShape : Layers[Layers.Count - 1].OutputShape;

        public long ParameterCount => Sum(Layers.Select(l => l.Config.Parameters));

        public long StateCount => Sum(Layers.Select(l => l.Config.State));

        static long Sum(IEnumerable<Expr> counts) => counts.Aggregate((Expr)Exprs.Zero, Exprs.Add).Constant ?? 0;

        /// <summary>The <c>CnnDsl.OutputActivation</c> member for the last layer's activation.</summary>
        public string OutputActivation
        {
            get
            {
                if (Layers.Count == 0)
                    return "None";
                var last = Layers[Layers.Count - 1].Config;
                var activation = last is BlockConfig block ? block.FinalActivation : last.Activation;
                return activation?.OutputActivation ?? "None";
            }
        }

        /// <summary>The accepted-size rule in the language's notation, e.g. <c>H >= 29 and W >= 29</c>; "any size" when none.</summary>
        public string AcceptedSizeRule => AcceptedSizes.Count == 0 ? "any size"
            : AcceptedSizeSummary.Describe(this) ?? string.Join(" and ", AcceptedSizes.Select(c => c.Condition.ToString()).Distinct());

        /// <summary>The summary in Keras' layout; the run-time summary of the generated module prints the same text for a fixed input.</summary>
        public string FormatSummary() =>
            ModelSummaryFormatter.Format(Name,
                Layers.Where(l => l.Config.HasModule).Select(l => new SummaryRow(l.Name, l.Config.ModuleType, l.OutputShape.Dimensions.Select(d => d.ToString()).ToArray(),
                    l.Config.Parameters.Constant ?? 0)).ToList(),
                ParameterCount, ParameterCount, StateCount);
    }
}
