using System.Globalization;
using System.Linq;
using System.Text;
using CnnDsl.Diagram.Graph;
using CnnDsl.Diagram.Layout;

namespace CnnDsl.Diagram.Svg
{
    /// <summary>
    /// Writes a laid-out diagram as SVG text: arrows first so that boxes sit on top of their ends, each box a group of a
    /// rounded rectangle and its centred lines. Plain attributes rather than CSS, which some SVG renderers ignore.
    /// </summary>
    public static class SvgWriter
    {
        const string Ink = "#1f2328";
        const string Muted = "#57606a";
        const string Line = "#6e7781";

        public static string Write(LaidOutDiagram diagram)
        {
            var svg = new StringBuilder();
            svg.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(N(diagram.Width)).Append("\" height=\"").Append(N(diagram.Height))
                .Append("\" viewBox=\"0 0 ").Append(N(diagram.Width)).Append(' ').Append(N(diagram.Height))
                .Append("\" font-family=\"").Append(Escape(TextMetrics.FontFamily)).Append("\">\n");
            svg.Append("  <title>").Append(Escape(diagram.Title)).Append("</title>\n");
            svg.Append("  <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
            Text(svg, diagram.Caption, "  ");
            // Frames first: everything else lies on them. Square corners and a dashed line set them apart from layers.
            foreach (var frame in diagram.Frames)
            {
                svg.Append("  <rect x=\"").Append(N(frame.X)).Append("\" y=\"").Append(N(frame.Y)).Append("\" width=\"").Append(N(frame.Width))
                    .Append("\" height=\"").Append(N(frame.Height)).Append("\" fill=\"#f3f9ff\" stroke=\"#0969da\" stroke-width=\"1\" stroke-dasharray=\"4 3\"/>\n");
                Text(svg, frame.Label, "  ");
            }
            svg.Append("  <g fill=\"none\" stroke=\"").Append(Line).Append("\" stroke-width=\"1.2\">\n");
            foreach (var edge in diagram.Edges)
            {
                svg.Append("    <path d=\"M").Append(P(edge.Start));
                foreach (var segment in edge.Segments)
                    svg.Append(segment.IsLine ? " L" + P(segment.End) : " C" + P(segment.Control1) + " " + P(segment.Control2) + " " + P(segment.End));
                svg.Append("\"/>\n");
            }
            svg.Append("  </g>\n");
            svg.Append("  <g fill=\"").Append(Line).Append("\">\n");
            foreach (var edge in diagram.Edges)
                svg.Append("    <polygon points=\"").Append(string.Join(" ", edge.Arrowhead.Select(P))).Append("\"/>\n");
            svg.Append("  </g>\n");
            foreach (var box in diagram.Boxes)
            {
                var (fill, stroke) = Colours(box.Node.Role);
                svg.Append("  <g>\n");
                if (box.Node.Repeats > 1)
                    Stack(svg, box, fill, stroke);
                svg.Append("    <rect x=\"").Append(N(box.X)).Append("\" y=\"").Append(N(box.Y)).Append("\" width=\"").Append(N(box.Width))
                    .Append("\" height=\"").Append(N(box.Height)).Append("\" rx=\"").Append(N(DiagramStyle.CornerRadius))
                    .Append("\" fill=\"").Append(fill).Append("\" stroke=\"").Append(stroke).Append("\" stroke-width=\"1.2\"/>\n");
                foreach (var line in box.Lines)
                    Text(svg, line, "    ");
                svg.Append("  </g>\n");
            }
            svg.Append("</svg>\n");
            return svg.ToString();
        }

        // Layers white, blocks blue, merges amber, the input green: the kind of box reads before its text.
        static (string Fill, string Stroke) Colours(NodeRole role) => role switch
        {
            NodeRole.Input => ("#e6f4ea", "#2da44e"),
            NodeRole.Block => ("#ddf4ff", "#0969da"),
            NodeRole.Merge => ("#fff8c5", "#bf8700"),
            _ => ("#f6f8fa", "#8c959f"),
        };

        // A card peeking out behind a box of N equal block uses, down and to the right, into the gap between layers.
        static void Stack(StringBuilder svg, PlacedBox box, string fill, string stroke)
        {
            double o = DiagramStyle.StackOffset, right = box.X + box.Width, bottom = box.Y + box.Height;
            svg.Append("    <polyline points=\"").Append(P(new Point(box.X + o, bottom))).Append(' ').Append(P(new Point(box.X + o, bottom + o))).Append(' ')
                .Append(P(new Point(right + o, bottom + o))).Append(' ').Append(P(new Point(right + o, box.Y + o))).Append(' ').Append(P(new Point(right, box.Y + o)))
                .Append("\" fill=\"").Append(fill).Append("\" stroke=\"").Append(stroke).Append("\" stroke-width=\"1.2\"/>\n");
        }

        static void Text(StringBuilder svg, TextLine line, string indent)
        {
            svg.Append(indent).Append("<text x=\"").Append(N(line.X)).Append("\" y=\"").Append(N(line.Y)).Append("\" font-size=\"").Append(N(line.Size))
                .Append("\" text-anchor=\"middle\"");
            if (line.Bold)
                svg.Append(" font-weight=\"bold\"");
            svg.Append(" fill=\"").Append(line.Muted ? Muted : Ink).Append("\">").Append(Escape(line.Text)).Append("</text>\n");
        }

        static string P(Point p) => N(p.X) + "," + N(p.Y);

        static string N(double value) => System.Math.Round(value, 1).ToString("0.#", CultureInfo.InvariantCulture);

        static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
    }
}
