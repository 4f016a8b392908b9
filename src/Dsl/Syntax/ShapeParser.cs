using System.Collections.Generic;
using System.Globalization;
using CnnDsl.Dsl.Text;

namespace CnnDsl.Dsl.Syntax
{
    /// <summary>
    /// Reads a shape written as sizes joined by 'x' (<c>1x28x28</c>, <c>3xHxW</c>) or commas (<c>3, H, W</c>), in .cnn
    /// files and in <c>[CnnModel(Input = "...")]</c>. A size is a whole number or the name of a size variable; names
    /// that contain an 'x' need the comma form.
    /// </summary>
    public static class ShapeParser
    {
        public static ShapeSyntax? TryParse(string text, SourceLocation location)
        {
            var parts = text.IndexOf(',') >= 0 ? text.Trim().Split(',') : text.Trim().Split('x', 'X', '×');
            var dimensions = new List<long>();
            var variables = new List<string?>();
            foreach (var part in parts)
            {
                var trimmed = part.Trim().Replace("_", "");
                if (long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
                {
                    dimensions.Add(size);
                    variables.Add(null);
                    continue;
                }
                var name = part.Trim();
                if (!Names.IsIdentifier(name))
                    return null;
                dimensions.Add(0);
                variables.Add(name);
            }
            return dimensions.Count == 0 ? null : new ShapeSyntax(dimensions.ToEquatableArray(), location, variables.ToEquatableArray());
        }
    }
}
