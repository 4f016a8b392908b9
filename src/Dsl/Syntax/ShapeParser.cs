using System.Collections.Generic;
using System.Globalization;
using CnnDsl.Dsl.Text;

namespace CnnDsl.Dsl.Syntax
{
    /// <summary>Reads a shape written as sizes joined by 'x' (<c>1x28x28</c>), in .cnn files and in <c>[CnnModel(Input = "...")]</c>.</summary>
    public static class ShapeParser
    {
        public static ShapeSyntax? TryParse(string text, SourceLocation location)
        {
            var parts = text.Trim().Split('x', 'X', ',', '×');
            var dimensions = new List<long>();
            foreach (var part in parts)
            {
                var trimmed = part.Trim().Replace("_", "");
                if (!long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
                    return null;
                dimensions.Add(size);
            }
            return dimensions.Count == 0 ? null : new ShapeSyntax(dimensions.ToEquatableArray(), location);
        }
    }
}
