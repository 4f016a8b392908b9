using CnnDsl.Dsl;

namespace CnnDsl.Diagram.Graph
{
    /// <summary>A model as boxes and arrows, before layout: the input first, then the layers in forward order.</summary>
    public sealed record ModelGraph(string ModelName, string Caption, EquatableArray<DiagramNode> Nodes, EquatableArray<DiagramEdge> Edges);
}
