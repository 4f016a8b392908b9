using CnnDsl.Dsl;

namespace CnnDsl.Diagram.Graph
{
    /// <summary>
    /// A model as boxes and arrows, before layout: the input first, then the layers in forward order; with blocks
    /// expanded, a frame around each block use's layers (<see cref="Groups"/>, outer frames before the ones inside them).
    /// </summary>
    public sealed record ModelGraph(string ModelName, string Caption, EquatableArray<DiagramNode> Nodes, EquatableArray<DiagramEdge> Edges,
        EquatableArray<DiagramGroup> Groups = default);

    /// <summary>An expanded block use: its frame's label, and the frame it lies in (null at the model's level).</summary>
    public sealed record DiagramGroup(string Id, string Label, string? Parent);
}
