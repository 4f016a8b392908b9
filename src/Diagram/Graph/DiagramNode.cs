using System.Linq;
using CnnDsl.Dsl;

namespace CnnDsl.Diagram.Graph
{
    /// <summary>What a box stands for; it decides the box's colours.</summary>
    public enum NodeRole
    {
        Input,
        Layer,
        /// <summary>add, concat or multiply: a graph construct without a module.</summary>
        Merge,
        /// <summary>A block use drawn as one box, or a chain of equal uses (<see cref="DiagramNode.Repeats"/> > 1).</summary>
        Block,
    }

    /// <summary>
    /// One box of the diagram: the layer's name (the module's state_dict prefix), what it is, its output shape and its
    /// parameter count, each already written as the box shows it; <see cref="Group"/> is the expanded block use it lies in.
    /// </summary>
    public sealed record DiagramNode(string Id, NodeRole Role, string Title, string Description, string Shape, long Parameters, int Repeats = 1, string? Group = null)
    {
        /// <summary>
        /// The lines of the box, top to bottom: the title, the description where there is one (the input has none), the
        /// shape, and the parameter count where the layer has parameters.
        /// </summary>
        public EquatableArray<string> Lines =>
            new[] { Title, Description, Shape, Parameters > 0 ? LayerText.Count(Parameters) + " params" : "" }
                .Where((line, i) => i == 0 || line.Length > 0).ToEquatableArray();
    }

    /// <summary>Data flowing from one box's output into another box.</summary>
    public sealed record DiagramEdge(string From, string To);
}
