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
    /// parameter count, each already written as the box shows it.
    /// </summary>
    public sealed record DiagramNode(string Id, NodeRole Role, string Title, string Description, string Shape, long Parameters, int Repeats = 1)
    {
        /// <summary>The lines of the box, top to bottom; the parameter count only where the layer has parameters.</summary>
        public EquatableArray<string> Lines => Parameters > 0
            ? EquatableArray.Create(Title, Description, Shape, LayerText.Count(Parameters) + " params")
            : EquatableArray.Create(Title, Description, Shape);
    }

    /// <summary>Data flowing from one box's output into another box.</summary>
    public sealed record DiagramEdge(string From, string To);
}
