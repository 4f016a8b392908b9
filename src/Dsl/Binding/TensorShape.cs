using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Binding
{
    /// <summary>
    /// The shape of one sample, without the batch dimension: (C, H, W) for images, (F) after flatten. A size is a number,
    /// or an expression over the input's size variables (<c>(H + 1) // 2</c>) where the model's input has them.
    /// </summary>
    public sealed record TensorShape(EquatableArray<Expr> Dimensions)
    {
        public TensorShape(params long[] dimensions)
            : this(dimensions.Select(d => (Expr)Exprs.Int(d)).ToEquatableArray())
        {
        }

        public TensorShape(IEnumerable<Expr> dimensions)
            : this(dimensions.ToEquatableArray())
        {
        }

        public int Rank => Dimensions.Count;

        public Expr this[int index] => Dimensions[index];

        /// <summary>Whether every size is a number.</summary>
        public bool IsFixed => Dimensions.All(d => d is IntExpr);

        /// <summary>The sizes as numbers; only for a fixed shape.</summary>
        public long[] Sizes => Dimensions.Select(d => ((IntExpr)d).Value).ToArray();

        /// <summary>The number of elements, checked for overflow.</summary>
        public Expr Elements => Dimensions.Aggregate((Expr)Exprs.One, Exprs.Multiply);

        /// <summary>Written as in .cnn files: <c>32x7x7</c>, with parentheses around computed sizes.</summary>
        public override string ToString() => string.Join("x", Dimensions.Select(d => d is IntExpr || d is VarExpr ? d.ToString() : "(" + d + ")"));

        /// <summary>As Keras prints a batch: <c>(None, 64, (H + 3) // 4, (W + 3) // 4)</c>.</summary>
        public string ToBatchString() => "(None, " + string.Join(", ", Dimensions.Select(d => d.ToString())) + ")";

        public TensorShape WithDimensions(IEnumerable<Expr> dimensions) => new TensorShape(dimensions.ToEquatableArray());
    }
}
