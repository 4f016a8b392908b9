using CnnDsl.Diagram.Graph;
using CnnDsl.Dsl;

namespace CnnDsl.Diagram.Layout
{
    /// <summary>A point in SVG coordinates: x to the right, y downwards, in pixels.</summary>
    public readonly record struct Point(double X, double Y);

    /// <summary>A line of text centred on <see cref="X"/> with its baseline at <see cref="Y"/>.</summary>
    public sealed record TextLine(string Text, double X, double Y, double Size, bool Bold, bool Muted);

    /// <summary>A box: its node, its rectangle (top-left corner and size) and its lines.</summary>
    public sealed record PlacedBox(DiagramNode Node, double X, double Y, double Width, double Height, EquatableArray<TextLine> Lines);

    /// <summary>A piece of an edge's path from the end of the one before: a straight line, or a cubic Bézier curve.</summary>
    public sealed record PathSegment(Point Control1, Point Control2, Point End, bool IsLine);

    /// <summary>An edge: its path from <see cref="Start"/> through <see cref="Segments"/>, and its arrowhead's three corners, the tip first.</summary>
    public sealed record PlacedEdge(DiagramEdge Edge, Point Start, EquatableArray<PathSegment> Segments, EquatableArray<Point> Arrowhead);

    /// <summary>The frame around an expanded block use's layers, with its label inside its top edge.</summary>
    public sealed record PlacedFrame(DiagramGroup Group, double X, double Y, double Width, double Height, TextLine Label);

    /// <summary>Everything the SVG writer draws, already placed.</summary>
    public sealed record LaidOutDiagram(string Title, double Width, double Height, TextLine Caption, EquatableArray<PlacedBox> Boxes, EquatableArray<PlacedEdge> Edges,
        EquatableArray<PlacedFrame> Frames = default);
}
