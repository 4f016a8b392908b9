using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using CnnDsl.Diagram.Layout;

namespace CnnDsl.Compiler.Tests.Infrastructure;

/// <summary>
/// A diagram as its SVG text shows it, read back as XML: the canvas, every rounded rectangle (a box) with the texts
/// whose anchors lie inside it, every dashed rectangle (an expanded block's frame), and every arrow with the boxes its
/// ends touch, found by geometry alone.
/// </summary>
public sealed class RenderedDiagram
{
    public sealed record Box(double X, double Y, double Width, double Height, List<Text> Texts)
    {
        public string Title => Texts.OrderBy(t => t.Y).First().Content;

        public double DistanceTo(double x, double y)
        {
            double dx = Math.Max(Math.Max(X - x, 0), x - (X + Width));
            double dy = Math.Max(Math.Max(Y - y, 0), y - (Y + Height));
            return Math.Sqrt(dx * dx + dy * dy);
        }
    }

    public sealed record Text(string Content, double X, double Y, double Size, bool Bold)
    {
        /// <summary>The extent of a centred line: its width by the documented font metrics, ascent 0.8 and descent 0.25 of the size.</summary>
        public (double Left, double Top, double Right, double Bottom) Extent
        {
            get
            {
                double width = TextMetrics.Width(Content, Size, Bold);
                return (X - width / 2, Y - 0.8 * Size, X + width / 2, Y + 0.25 * Size);
            }
        }
    }

    public sealed record Arrow(string From, string To);

    public double Width { get; }
    public double Height { get; }
    public IReadOnlyList<Box> Boxes { get; }
    public IReadOnlyList<Box> Frames { get; }
    public IReadOnlyList<Text> Texts { get; }
    public IReadOnlyList<Arrow> Arrows { get; }

    static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    public RenderedDiagram(string svg)
    {
        var root = XDocument.Parse(svg).Root!;
        Width = Number(root, "width");
        Height = Number(root, "height");
        Texts = root.Descendants(Svg + "text").Select(t => new Text(t.Value, Number(t, "x"), Number(t, "y"), Number(t, "font-size"),
            (string?)t.Attribute("font-weight") == "bold" || (string?)t.Parent?.Attribute("font-weight") == "bold")).ToList();
        // The boxes are the rectangles with rounded corners; the background has none.
        Boxes = root.Descendants(Svg + "rect").Where(r => r.Attribute("rx") != null)
            .Select(r => new Box(Number(r, "x"), Number(r, "y"), Number(r, "width"), Number(r, "height"), new List<Text>())).ToList();
        Frames = root.Descendants(Svg + "rect").Where(r => r.Attribute("stroke-dasharray") != null)
            .Select(r => new Box(Number(r, "x"), Number(r, "y"), Number(r, "width"), Number(r, "height"), new List<Text>())).ToList();
        foreach (var text in Texts)
        {
            var box = Boxes.FirstOrDefault(b => b.DistanceTo(text.X, text.Y) == 0);
            // A text in no box belongs to the innermost frame around it: the smallest.
            (box ?? Frames.Where(f => f.DistanceTo(text.X, text.Y) == 0).OrderBy(f => f.Width * f.Height).FirstOrDefault())?.Texts.Add(text);
        }
        var heads = root.Descendants(Svg + "polygon").Select(p => Points((string)p.Attribute("points")!)).ToList();
        Arrows = root.Descendants(Svg + "path").Select(p => Points((string)p.Attribute("d")!)).Select(path =>
        {
            var (start, end) = (path[0], path[^1]);
            // The arrowhead whose base is centred on the path's end; its tip is its corner farthest from there.
            var head = heads.OrderBy(h => Distance(Middle(h, end), end)).First();
            var tip = head.OrderByDescending(p => Distance(p, end)).First();
            return new Arrow(Nearest(start).Title, Nearest(tip).Title);
        }).ToList();
    }

    /// <summary>The box whose border a point touches (within 2 px).</summary>
    Box Nearest((double X, double Y) point)
    {
        var box = Boxes.OrderBy(b => b.DistanceTo(point.X, point.Y)).First();
        if (box.DistanceTo(point.X, point.Y) > 2)
            throw new InvalidOperationException($"an arrow ends at ({point.X}, {point.Y}), {box.DistanceTo(point.X, point.Y):0.0} px from the nearest box, {box.Title}");
        return box;
    }

    // The middle of the two corners nearest to the path's end: the arrowhead's base.
    static (double X, double Y) Middle(List<(double X, double Y)> head, (double X, double Y) end)
    {
        var basePoints = head.OrderBy(p => Distance(p, end)).Take(2).ToList();
        return ((basePoints[0].X + basePoints[1].X) / 2, (basePoints[0].Y + basePoints[1].Y) / 2);
    }

    static double Distance((double X, double Y) a, (double X, double Y) b) => Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));

    static double Number(XElement element, string attribute) =>
        double.Parse((string?)element.Attribute(attribute) ?? throw new InvalidOperationException($"<{element.Name.LocalName}> has no {attribute}"), CultureInfo.InvariantCulture);

    // Every coordinate pair of a points list or a path's data (M, L and C commands).
    static List<(double X, double Y)> Points(string data) =>
        Regex.Matches(data, @"(-?[\d.]+),(-?[\d.]+)").Select(m => (double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToList();
}
