using System;
using System.Linq;

namespace CnnDsl.Onnx
{
    /// <summary>One named tensor of a state_dict as 32-bit floats in row-major order, as safetensors and ONNX store it.</summary>
    public sealed class WeightTensor
    {
        public WeightTensor(long[] shape, float[] values)
        {
            long count = shape.Aggregate(1L, (a, b) => checked(a * b));
            if (count != values.Length)
                throw new ArgumentException($"A tensor of shape [{string.Join(", ", shape)}] holds {count} values, not {values.Length}");
            Shape = shape;
            Values = values;
        }

        public long[] Shape { get; }
        public float[] Values { get; }

        public string ShapeText => "[" + string.Join(", ", Shape) + "]";
    }
}
