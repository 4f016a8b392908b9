using System.Collections.Generic;

namespace CnnDsl.Dsl.Summary
{
    /// <summary>One layer of a model summary: its name, module type, output shape without the batch dimension, and parameter count.</summary>
    public sealed class SummaryRow
    {
        public SummaryRow(string name, string typeName, IReadOnlyList<long> outputShape, long parameters)
        {
            Name = name;
            TypeName = typeName;
            OutputShape = outputShape;
            Parameters = parameters;
        }

        public string Name { get; }
        public string TypeName { get; }
        public IReadOnlyList<long> OutputShape { get; }
        public long Parameters { get; }
    }
}
