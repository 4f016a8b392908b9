using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;
using SkiaSharp;

namespace CnnDsl.Runtime.Tests.Infrastructure;

/// <summary>
/// The text of a rendered SVG file as it lands on the canvas: each <c>text</c> element's content, font size and box in
/// canvas pixels, from its glyph positions, its transform and those of the documents around it, with the box's width
/// and height measured in the font it names (SkiaSharp's metrics of DejaVu Sans, the figures' font).
/// </summary>
public sealed record SvgText(string Text, float FontSize, SKRect Box)
{
    public static (float Width, float Height, List<SvgText> Texts) Read(string path)
    {
        var document = XDocument.Load(path);
        var root = document.Root!;
        float width = Number(root.Attribute("width")!.Value), height = Number(root.Attribute("height")!.Value);
        var texts = new List<SvgText>();
        foreach (var element in root.Descendants().Where(e => e.Name.LocalName == "text"))
        {
            var content = element.Value.Trim();
            if (content.Length == 0)
                continue;
            float size = Number(element.Attribute("font-size")!.Value);
            bool bold = int.TryParse(element.Attribute("font-weight")?.Value, out var weight) && weight >= 600;
            using var font = new SKFont(SKTypeface.FromFamilyName(element.Attribute("font-family")?.Value ?? "DejaVu Sans", bold ? SKFontStyle.Bold : SKFontStyle.Normal), size);
            float x = Numbers(element.Attribute("x")!.Value)[0], y = Numbers(element.Attribute("y")!.Value)[0];
            var metrics = font.Metrics;
            var local = new SKRect(x, y + metrics.Ascent, x + font.MeasureText(content), y + metrics.Descent);
            var matrix = Transform(element.Attribute("transform")?.Value);
            // Nested documents (a figure of panels) place their content at their own x and y.
            foreach (var outer in element.Ancestors().Where(a => a.Name.LocalName == "svg" && a != root))
                matrix = matrix.PostConcat(SKMatrix.CreateTranslation(Number(outer.Attribute("x")?.Value ?? "0"), Number(outer.Attribute("y")?.Value ?? "0")));
            texts.Add(new SvgText(content, size, matrix.MapRect(local)));
        }
        return (width, height, texts);
    }

    /// <summary>Every rectangle and image of the file (cells, colour bars, tiles), in canvas pixels; clip paths left out.</summary>
    public static IEnumerable<(string Kind, SKRect Box)> Shapes(string path)
    {
        var root = XDocument.Load(path).Root!;
        foreach (var element in root.Descendants().Where(e => (e.Name.LocalName == "rect" || e.Name.LocalName == "image") && !e.Ancestors().Any(a => a.Name.LocalName == "clipPath")))
        {
            string Value(string name) => element.Attribute(name)?.Value ?? "0";
            if (Value("width").EndsWith('%') || Value("height").EndsWith('%'))
                continue;
            var local = SKRect.Create(Number(Value("x")), Number(Value("y")), Number(Value("width")), Number(Value("height")));
            var matrix = Transform(element.Attribute("transform")?.Value);
            foreach (var outer in element.Ancestors().Where(a => a.Name.LocalName is "svg" or "g" && a != root))
            {
                if (outer.Name.LocalName == "svg")
                    matrix = matrix.PostConcat(SKMatrix.CreateTranslation(Number(outer.Attribute("x")?.Value ?? "0"), Number(outer.Attribute("y")?.Value ?? "0")));
                else
                    matrix = matrix.PostConcat(Transform(outer.Attribute("transform")?.Value));
            }
            yield return (element.Name.LocalName, matrix.MapRect(local));
        }
    }

    /// <summary>Pairs of texts whose boxes overlap by more than <paramref name="tolerance"/> pixels each way.</summary>
    public static IEnumerable<(SvgText A, SvgText B)> Overlapping(IReadOnlyList<SvgText> texts, float tolerance = 0.5f)
    {
        for (int i = 0; i < texts.Count; i++)
            for (int j = i + 1; j < texts.Count; j++)
            {
                var a = texts[i].Box;
                var b = texts[j].Box;
                float overlapX = Math.Min(a.Right, b.Right) - Math.Max(a.Left, b.Left), overlapY = Math.Min(a.Bottom, b.Bottom) - Math.Max(a.Top, b.Top);
                if (overlapX > tolerance && overlapY > tolerance)
                    yield return (texts[i], texts[j]);
            }
    }

    public override string ToString() => $"'{Text}' ({FontSize} px) at [{Box.Left:0.#}, {Box.Top:0.#}, {Box.Right:0.#}, {Box.Bottom:0.#}]";

    static float Number(string value) => float.Parse(value.Trim().TrimEnd(','), CultureInfo.InvariantCulture);

    static float[] Numbers(string value) => value.Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries).Select(Number).ToArray();

    // translate(x y), matrix(a b c d e f) and rotate(deg), as SkiaSharp and ScottPlot write them.
    static SKMatrix Transform(string? transform)
    {
        var matrix = SKMatrix.Identity;
        if (string.IsNullOrWhiteSpace(transform))
            return matrix;
        foreach (System.Text.RegularExpressions.Match part in System.Text.RegularExpressions.Regex.Matches(transform, @"(\w+)\(([^)]*)\)"))
        {
            var values = Numbers(part.Groups[2].Value);
            var next = part.Groups[1].Value switch
            {
                "translate" => SKMatrix.CreateTranslation(values[0], values.Length > 1 ? values[1] : 0),
                "matrix" => new SKMatrix(values[0], values[2], values[4], values[1], values[3], values[5], 0, 0, 1),
                "rotate" => SKMatrix.CreateRotationDegrees(values[0]),
                "scale" => SKMatrix.CreateScale(values[0], values.Length > 1 ? values[1] : values[0]),
                var other => throw new FormatException($"An SVG transform this reader does not know: {other}"),
            };
            matrix = matrix.PreConcat(next);
        }
        return matrix;
    }
}
