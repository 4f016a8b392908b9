using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Diagram.Graph;
using CnnDsl.Dsl;
using Microsoft.Msagl.Core.Geometry;
using Microsoft.Msagl.Core.Geometry.Curves;
using Microsoft.Msagl.Core.Layout;
using Microsoft.Msagl.Layout.Layered;
using Microsoft.Msagl.Miscellaneous;
using MsaglPoint = Microsoft.Msagl.Core.Geometry.Point;

namespace CnnDsl.Diagram.Layout
{
    /// <summary>
    /// Places the boxes and routes the arrows with MSAGL's layered (Sugiyama) layout, top to bottom as data flows, then
    /// turns its geometry (y upwards) into SVG coordinates (y downwards) with the caption above.
    /// </summary>
    public static class DiagramLayout
    {
        public static LaidOutDiagram Lay(ModelGraph graph)
        {
            var geometry = new GeometryGraph();
            var byId = new Dictionary<string, Node>();
            foreach (var node in graph.Nodes)
            {
                var (boxWidth, boxHeight) = BoxSize(node);
                var msaglNode = new Node(CurveFactory.CreateRectangleWithRoundedCorners(boxWidth, boxHeight, DiagramStyle.CornerRadius, DiagramStyle.CornerRadius, new MsaglPoint()), node);
                geometry.Nodes.Add(msaglNode);
                byId.Add(node.Id, msaglNode);
            }
            var clusters = AddClusters(graph, geometry, byId);
            foreach (var edge in graph.Edges)
            {
                var msaglEdge = new Edge(byId[edge.From], byId[edge.To]) { UserData = edge };
                msaglEdge.EdgeGeometry.TargetArrowhead = new Arrowhead { Length = DiagramStyle.ArrowLength };
                geometry.Edges.Add(msaglEdge);
            }
            var settings = new SugiyamaLayoutSettings
            {
                NodeSeparation = DiagramStyle.NodeSeparation,
                LayerSeparation = DiagramStyle.LayerSeparation,
                // MSAGL would switch a frame's contents of more than 30 nodes that come out taller than 5:1 (a deep
                // network's frames in a column) to a force-directed layout, which bends the column into an arc.
                FallbackLayoutSettings = null,
                MaxAspectRatioEccentricity = double.MaxValue,
            };
            AddOrderingEdges(geometry, byId, graph);
            LayoutHelpers.CalculateLayout(geometry, settings, null);

            var bounds = geometry.BoundingBox;
            var caption = graph.Caption;
            double captionWidth = TextMetrics.Width(caption, DiagramStyle.CaptionSize, bold: true);
            double width = Math.Max(bounds.Width, captionWidth) + 2 * DiagramStyle.Margin;
            double top = DiagramStyle.Margin + DiagramStyle.CaptionSize * 2;
            double height = top + bounds.Height + DiagramStyle.Margin;
            double shiftX = (width - bounds.Width) / 2;
            // MSAGL's y grows upwards; the SVG's downwards from the caption.
            Point ToSvg(MsaglPoint p) => new Point(p.X - bounds.Left + shiftX, bounds.Top - p.Y + top);

            var boxes = geometry.Nodes.Select(n =>
            {
                var box = n.BoundingBox;
                var corner = ToSvg(new MsaglPoint(box.Left, box.Top));
                return Place((DiagramNode)n.UserData, corner.X, corner.Y, box.Width, box.Height);
            }).ToEquatableArray();
            var edges = geometry.Edges.Where(e => e.UserData is DiagramEdge).Select(e => PlaceEdge(e, ToSvg)).ToEquatableArray();
            var frames = clusters.Select(c =>
            {
                var box = c.BoundingBox;
                var corner = ToSvg(new MsaglPoint(box.Left, box.Top));
                var label = new TextLine(((DiagramGroup)c.UserData).Label, corner.X + box.Width / 2,
                    corner.Y + DiagramStyle.FramePadding + DiagramStyle.BodySize * 0.8, DiagramStyle.BodySize, true, false);
                return new PlacedFrame((DiagramGroup)c.UserData, corner.X, corner.Y, box.Width, box.Height, label);
            }).ToEquatableArray();
            var captionLine = new TextLine(caption, width / 2, DiagramStyle.Margin + DiagramStyle.CaptionSize, DiagramStyle.CaptionSize, true, false);
            return new LaidOutDiagram(graph.ModelName, width, height, captionLine, boxes, edges, frames);
        }

        // A cluster per expanded block use, nested as the uses are, each laid out by the same layered layout inside a frame
        // with room for its label at the top. Outer clusters come first in the result, so their frames are drawn first.
        static List<Cluster> AddClusters(ModelGraph graph, GeometryGraph geometry, Dictionary<string, Node> byId)
        {
            var clusters = new Dictionary<string, Cluster>();
            var ordered = new List<Cluster>();
            if (graph.Groups.Count == 0 || LargestLevel(graph) > MaxFramedLevel)
                return ordered;
            var root = new Cluster(graph.Nodes.Where(n => n.Group == null).Select(n => byId[n.Id]));
            // A block without layers passes its input on and has nothing to frame.
            var parents = graph.Groups.ToDictionary(g => g.Id, g => g.Parent);
            var framed = new HashSet<string>();
            foreach (var node in graph.Nodes)
                for (var group = node.Group; group != null && framed.Add(group); group = parents[group])
                {
                }
            foreach (var group in graph.Groups.Where(g => framed.Contains(g.Id)))
            {
                double labelWidth = TextMetrics.Width(group.Label, DiagramStyle.BodySize, bold: true);
                var cluster = new Cluster(graph.Nodes.Where(n => n.Group == group.Id).Select(n => byId[n.Id]))
                {
                    UserData = group,
                    RectangularBoundary = new RectangularClusterBoundary
                    {
                        LeftMargin = DiagramStyle.FramePadding,
                        RightMargin = DiagramStyle.FramePadding,
                        BottomMargin = DiagramStyle.FramePadding,
                        TopMargin = 2 * DiagramStyle.FramePadding + DiagramStyle.BodySize,
                        MinWidth = Math.Ceiling(labelWidth + 2 * DiagramStyle.FramePadding),
                    },
                    BoundaryCurve = CurveFactory.CreateRectangle(1, 1, new MsaglPoint()),
                };
                clusters.Add(group.Id, cluster);
                ordered.Add(cluster);
                (group.Parent == null ? root : clusters[group.Parent]).AddChild(cluster);
            }
            geometry.RootCluster = root;
            return ordered;
        }

        // MSAGL 1.1.12 lays out a level (the model's, or a frame's contents) of more than 50 members with a force-directed
        // layout whatever the settings say, bending a column of frames into a wide arc: such models (ResNet-152 and
        // DenseNet-121 expanded, 50 and 61 block uses in a row) are drawn without frames, their layers named by block.
        const int MaxFramedLevel = 50;

        static int LargestLevel(ModelGraph graph) =>
            graph.Nodes.Select(n => n.Group).Concat(graph.Groups.Select(g => g.Parent)).GroupBy(level => level ?? "").Max(level => level.Count());

        // MSAGL lays out each frame's contents, then the frame as one node among its neighbours, where it sees only the
        // arrows between neighbours and those into a frame, not those out of one: an arrow from a layer inside a frame to
        // one outside gets an undrawn twin between the two neighbours that contain its ends, so the frame and the layers
        // after it are ordered top to bottom rather than packed side by side as unconnected pieces.
        static void AddOrderingEdges(GeometryGraph geometry, Dictionary<string, Node> byId, ModelGraph graph)
        {
            if (graph.Groups.Count == 0)
                return;
            var added = new HashSet<(Node, Node)>();
            foreach (var edge in graph.Edges)
            {
                var source = Ancestors(byId[edge.From]);
                var target = Ancestors(byId[edge.To]);
                // The outermost containers that differ: the ends' neighbours at the level where the arrow runs.
                int shared = 0;
                while (shared < source.Count && shared < target.Count && source[shared] == target[shared])
                    shared++;
                var from = shared < source.Count ? source[shared] : byId[edge.From];
                var to = shared < target.Count ? target[shared] : byId[edge.To];
                if ((from != byId[edge.From] || to != byId[edge.To]) && added.Add((from, to)))
                    geometry.Edges.Add(new Edge(from, to));
            }
        }

        // A node's frames from the outermost in, then the node itself.
        static List<Node> Ancestors(Node node)
        {
            var chain = new List<Node> { node };
            for (var parent = node.ClusterParent; parent != null && parent.ClusterParent != null; parent = parent.ClusterParent)
                chain.Insert(0, parent);
            return chain;
        }

        static (double Width, double Height) BoxSize(DiagramNode node)
        {
            var lines = node.Lines;
            double width = lines.Select((text, i) => TextMetrics.Width(text, SizeOf(i), bold: i == 0)).Max() + 2 * DiagramStyle.PaddingX;
            double height = lines.Select((_, i) => SizeOf(i) * DiagramStyle.LineGap).Sum() + 2 * DiagramStyle.PaddingY;
            return (Math.Ceiling(width), Math.Ceiling(height));
        }

        static double SizeOf(int line) => line == 0 ? DiagramStyle.TitleSize : DiagramStyle.BodySize;

        static PlacedBox Place(DiagramNode node, double x, double y, double width, double height)
        {
            var lines = new List<TextLine>();
            double baseline = y + DiagramStyle.PaddingY;
            for (int i = 0; i < node.Lines.Count; i++)
            {
                double size = SizeOf(i);
                // Each line takes size * LineGap; its baseline sits so that the gap above the first capital equals the gap
                // below the last descender (Helvetica's capitals rise 0.72 of the size, its descenders fall 0.21).
                baseline += size * DiagramStyle.LineGap;
                lines.Add(new TextLine(node.Lines[i], x + width / 2, baseline - size * (DiagramStyle.LineGap - 1) - size * 0.1, size, i == 0, IsMuted(node, i)));
            }
            return new PlacedBox(node, x, y, width, height, lines.ToEquatableArray());
        }

        // The parameter count is the quietest line.
        static bool IsMuted(DiagramNode node, int line) => node.Parameters > 0 && line == node.Lines.Count - 1;

        static PlacedEdge PlaceEdge(Edge edge, Func<MsaglPoint, Point> toSvg)
        {
            var segments = new List<PathSegment>();
            var curve = edge.Curve;
            foreach (var piece in curve is Curve c ? c.Segments : new List<ICurve> { curve })
            {
                switch (piece)
                {
                    case LineSegment line:
                        segments.Add(new PathSegment(default, default, toSvg(line.End), IsLine: true));
                        break;
                    case CubicBezierSegment bezier:
                        segments.Add(new PathSegment(toSvg(bezier.B(1)), toSvg(bezier.B(2)), toSvg(bezier.B(3)), IsLine: false));
                        break;
                    default:
                        // Any other curve MSAGL may route with, followed closely enough by short lines.
                        for (int i = 1; i <= 16; i++)
                            segments.Add(new PathSegment(default, default, toSvg(piece[piece.ParStart + (piece.ParEnd - piece.ParStart) * i / 16]), IsLine: true));
                        break;
                }
            }
            var end = toSvg(curve.End);
            var tip = toSvg(edge.EdgeGeometry.TargetArrowhead?.TipPosition ?? curve.End);
            return new PlacedEdge((DiagramEdge)edge.UserData, toSvg(curve.Start), segments.ToEquatableArray(), Arrowhead(end, tip).ToEquatableArray());
        }

        // A triangle from the curve's end (its base) to the tip on the target's border.
        static Point[] Arrowhead(Point from, Point tip)
        {
            double dx = tip.X - from.X, dy = tip.Y - from.Y;
            double length = Math.Sqrt(dx * dx + dy * dy);
            if (length < 1e-9)
                return new[] { tip, tip, tip };
            double nx = -dy / length * DiagramStyle.ArrowHalfWidth, ny = dx / length * DiagramStyle.ArrowHalfWidth;
            return new[] { tip, new Point(from.X + nx, from.Y + ny), new Point(from.X - nx, from.Y - ny) };
        }
    }
}
