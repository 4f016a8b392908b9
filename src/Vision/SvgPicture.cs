using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;
using SkiaSharp;

namespace CnnDsl.Vision
{
    /// <summary>
    /// Draws an SVG document of the plain kind the library writes (model diagrams: <c>rect</c>, <c>path</c> of M, L and C,
    /// <c>polygon</c>, <c>polyline</c>, <c>text</c>, <c>g</c> passing fill and stroke down; presentation attributes, no
    /// CSS) onto a SkiaSharp bitmap, so a PNG is the SVG's picture. Anything outside that subset is an error, not a
    /// silently different picture.
    /// </summary>
    public static class SvgPicture
    {
        const string DefaultFont = "DejaVu Sans";

        /// <summary>The SVG document's picture written as a PNG file (atomically), at <paramref name="scale"/> times its size.</summary>
        public static void SavePng(string svg, string path, float scale = 1)
        {
            using var bitmap = Render(svg, scale);
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            Weights.AtomicFile.Write(path, stream => data.SaveTo(stream));
        }

        public static SKBitmap Render(string svg, float scale = 1)
        {
            var root = XDocument.Parse(svg).Root ?? throw new FormatException("The SVG document is empty.");
            float width = Length(root, "width", 0), height = Length(root, "height", 0);
            var bitmap = new SKBitmap((int)Math.Ceiling(width * scale), (int)Math.Ceiling(height * scale));
            using var canvas = new SKCanvas(bitmap);
            canvas.Clear(SKColors.White);
            canvas.Scale(scale);
            var style = new Style(null, null, 1, root.Attribute("font-family")?.Value ?? DefaultFont);
            foreach (var child in root.Elements())
                Draw(canvas, child, style, width, height);
            return bitmap;
        }

        sealed record Style(string? Fill, string? Stroke, float StrokeWidth, string FontFamily)
        {
            public Style With(XElement element) => new(
                element.Attribute("fill")?.Value ?? Fill,
                element.Attribute("stroke")?.Value ?? Stroke,
                element.Attribute("stroke-width") is { } w ? Number(w.Value) : StrokeWidth,
                element.Attribute("font-family")?.Value ?? FontFamily);
        }

        static void Draw(SKCanvas canvas, XElement element, Style inherited, float width, float height)
        {
            var style = inherited.With(element);
            switch (element.Name.LocalName)
            {
                case "title":
                case "desc":
                    return;
                case "g":
                    foreach (var child in element.Elements())
                        Draw(canvas, child, style, width, height);
                    return;
                case "rect":
                {
                    var rect = SKRect.Create(Length(element, "x", width), Length(element, "y", height), Length(element, "width", width), Length(element, "height", height));
                    float radius = element.Attribute("rx") is { } rx ? Number(rx.Value) : 0;
                    using var path = new SKPath();
                    path.AddRoundRect(rect, radius, radius);
                    Paint(canvas, path, style, element);
                    return;
                }
                case "path":
                    using (var path = PathData(element.Attribute("d")?.Value ?? ""))
                        Paint(canvas, path, style, element);
                    return;
                case "polygon":
                case "polyline":
                {
                    var points = Numbers(element.Attribute("points")?.Value ?? "");
                    using var path = new SKPath();
                    for (int i = 0; i + 1 < points.Length; i += 2)
                    {
                        if (i == 0)
                            path.MoveTo(points[i], points[i + 1]);
                        else
                            path.LineTo(points[i], points[i + 1]);
                    }
                    if (element.Name.LocalName == "polygon")
                        path.Close();
                    Paint(canvas, path, style, element);
                    return;
                }
                case "text":
                {
                    bool bold = element.Attribute("font-weight")?.Value is "bold" or "600" or "700";
                    using var font = new SKFont(Typeface(style.FontFamily, bold ? SKFontStyle.Bold : SKFontStyle.Normal), Number(element.Attribute("font-size")?.Value ?? "12"));
                    using var paint = new SKPaint { IsAntialias = true, Color = Color(style.Fill ?? "#000000") };
                    var align = element.Attribute("text-anchor")?.Value switch { "middle" => SKTextAlign.Center, "end" => SKTextAlign.Right, _ => SKTextAlign.Left };
                    canvas.DrawText(element.Value, Number(element.Attribute("x")?.Value ?? "0"), Number(element.Attribute("y")?.Value ?? "0"), align, font, paint);
                    return;
                }
                default:
                    throw new FormatException($"The SVG element <{element.Name.LocalName}> is not one this renderer draws.");
            }
        }

        // The first family of a CSS font list that this machine has, as a browser picks it.
        static SKTypeface Typeface(string families, SKFontStyle style)
        {
            foreach (var family in families.Split(',').Select(f => f.Trim().Trim('\'', '"')))
                if (SKFontManager.Default.MatchFamily(family, style) is { } typeface)
                    return typeface;
            return SKTypeface.FromFamilyName(DefaultFont, style);
        }

        static void Paint(SKCanvas canvas, SKPath path, Style style, XElement element)
        {
            if (style.Fill is string fill && fill != "none")
            {
                using var paint = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill, Color = Color(fill) };
                canvas.DrawPath(path, paint);
            }
            if (style.Stroke is string stroke && stroke != "none")
            {
                using var paint = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, Color = Color(stroke), StrokeWidth = style.StrokeWidth };
                if (element.Attribute("stroke-dasharray") is { } dashes)
                    paint.PathEffect = SKPathEffect.CreateDash(Numbers(dashes.Value), 0);
                canvas.DrawPath(path, paint);
            }
        }

        static SKPath PathData(string data)
        {
            var path = new SKPath();
            var tokens = System.Text.RegularExpressions.Regex.Matches(data, @"[MLCZmlcz]|-?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?").Select(m => m.Value).ToList();
            int i = 0;
            char command = 'M';
            float Next() => Number(tokens[i++]);
            while (i < tokens.Count)
            {
                if (char.IsLetter(tokens[i][0]))
                    command = tokens[i++][0];
                switch (command)
                {
                    case 'M': path.MoveTo(Next(), Next()); command = 'L'; break;
                    case 'L': path.LineTo(Next(), Next()); break;
                    case 'C': path.CubicTo(Next(), Next(), Next(), Next(), Next(), Next()); break;
                    case 'Z': case 'z': path.Close(); break;
                    default: throw new FormatException($"The SVG path command '{command}' is not one this renderer draws.");
                }
            }
            return path;
        }

        static SKColor Color(string value) => SKColor.TryParse(value, out var color) ? color
            : value == "white" ? SKColors.White : value == "black" ? SKColors.Black
            : throw new FormatException($"The SVG colour '{value}' is not one this renderer reads (#rrggbb).");

        static float Length(XElement element, string name, float whole)
        {
            var value = element.Attribute(name)?.Value;
            if (value == null)
                return 0;
            return value.EndsWith("%", StringComparison.Ordinal) ? whole * Number(value.TrimEnd('%')) / 100 : Number(value);
        }

        static float Number(string value) => float.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);

        static float[] Numbers(string value) => value.Split(new[] { ' ', ',' }, StringSplitOptions.RemoveEmptyEntries).Select(Number).ToArray();
    }
}
