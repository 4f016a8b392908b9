using System.Collections.Generic;
using System.Linq;

namespace CnnDsl.Dsl.Binding
{
    /// <summary>The shape of one sample, without the batch dimension: (C, H, W) for images, (F) after flatten.</summary>
    public sealed record TensorShape(EquatableArray<long> Dimensions)
    {
        public TensorShape(params long[] dimensions)
            : this(dimensions.ToEquatableArray())
        {
        }

        public int Rank => Dimensions.Count;

        public long this[int index] => Dimensions[index];

        public long Elements => Dimensions.Aggregate(1L, (product, size) => product * size);

        /// <summary>Written as in .cnn files: <c>32x7x7</c>.</summary>
        public override string ToString() => string.Join("x", Dimensions);

        public TensorShape WithDimensions(IEnumerable<long> dimensions) => new TensorShape(dimensions.ToEquatableArray());
    }
}
