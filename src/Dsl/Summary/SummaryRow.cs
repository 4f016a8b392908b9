using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace CnnDsl.Dsl.Summary
{
    /// <summary>
    /// One layer of a model summary: its name, module type, output shape without the batch dimension (numbers, or sizes
    /// computed from the input's size variables such as <c>(H + 3) // 4</c>), and parameter count.
    /// </summary>
    public sealed class SummaryRow
    {
        public SummaryRow(string name, string typeName, IReadOnlyList<string> outputShape, long parameters)
        {
            Name = name;
            TypeName = typeName;
            OutputShape = outputShape;
            Parameters = parameters;
        }

        public SummaryRow(string name, string typeName, IReadOnlyList<long> outputShape, long parameters)
            : this(name, typeName, outputShape.Select(d => d.ToString(CultureInfo.InvariantCulture)).ToArray(), parameters)
        {
        }

        public string Name { get; }
        public string TypeName { get; }
        public IReadOnlyList<string> OutputShape { get; }
        public long Parameters { get; }
    }
}
