using System.Linq;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Summary;
using CnnDsl.Dsl.Text;

namespace CnnDsl.Dsl.Binding
{
    /// <summary>
    /// A checked layer: a node of the model's graph that reads named tensors and writes one named after itself.
    /// Its name is the module's name, and so its state_dict prefix.
    /// </summary>
    public sealed record BoundLayer(string Name, string Kind, EquatableArray<string> Inputs, TensorShape InputShape, LayerConfig Config, SourceLocation Location)
    {
        public TensorShape OutputShape => Config.OutputShape;
    }

    /// <summary>A checked model: a graph from the input tensor through its layers, with every shape and count known.</summary>
    public sealed record BoundModel(string Name, string? Namespace, TensorShape InputShape, EquatableArray<BoundLayer> Layers, string SourcePath, SourceLocation Location)
    {
        public const string InputTensorName = "input";

        public TensorShape OutputShape => Layers.Count == 0 ? InputShape : Layers[Layers.Count - 1].OutputShape;

        public long ParameterCount => Layers.Sum(l => l.Config.Parameters);

        public long StateCount => Layers.Sum(l => l.Config.State);

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

        /// <summary>The summary in Keras' layout; the run-time summary of the generated module prints the same text.</summary>
        public string FormatSummary() =>
            ModelSummaryFormatter.Format(Name,
                Layers.Where(l => l.Config.HasModule).Select(l => new SummaryRow(l.Name, l.Config.ModuleType, l.OutputShape.Dimensions.ToArray(), l.Config.Parameters)).ToList(),
                ParameterCount, ParameterCount, StateCount);
    }
}
