using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>Output sizes of sliding windows (convolution and pooling) along one dimension, for numbers or expressions.</summary>
    public static class Geometry
    {
        /// <summary>
        /// floor((n + before + after - d(k-1) - 1) / s) + 1, with floor division so that an input smaller than the window
        /// gives a size of zero or less. With <paramref name="ceilMode"/> it rounds up, but the last window must start
        /// inside the input or its left padding, as PyTorch requires: at most (n + before - 1) // s + 1 windows.
        /// </summary>
        public static Expr OutputSize(Expr n, Expr before, Expr after, Expr kernel, Expr stride, Expr dilation, bool ceilMode)
        {
            var span = Exprs.Subtract(Exprs.Subtract(Exprs.Add(Exprs.Add(n, before), after), Exprs.Multiply(dilation, Exprs.Subtract(kernel, Exprs.One))), Exprs.One);
            if (!ceilMode)
                return Exprs.Add(Exprs.FloorDiv(span, stride), Exprs.One);
            var rounded = Exprs.Add(Exprs.FloorDiv(Exprs.Add(span, Exprs.Subtract(stride, Exprs.One)), stride), Exprs.One);
            var lastStart = Exprs.Add(Exprs.FloorDiv(Exprs.Subtract(Exprs.Add(n, before), Exprs.One), stride), Exprs.One);
            return Exprs.Min(rounded, lastStart);
        }

        /// <summary>The same for numbers.</summary>
        public static long OutputSize(long n, long before, long after, long kernel, long stride, long dilation, bool ceilMode) =>
            OutputSize(Exprs.Int(n), Exprs.Int(before), Exprs.Int(after), Exprs.Int(kernel), Exprs.Int(stride), Exprs.Int(dilation), ceilMode).Constant!.Value;

        /// <summary>
        /// Keras' <c>same</c> padding along one dimension: the output has ceil(n/s) positions, and the total padding
        /// needed for that is split with the odd pixel after (right or bottom).
        /// </summary>
        public static (Expr Before, Expr After) SamePadding(Expr n, Expr kernel, Expr stride, Expr dilation)
        {
            var window = Exprs.Add(Exprs.Multiply(dilation, Exprs.Subtract(kernel, Exprs.One)), Exprs.One);
            // With stride 1 the total is the window less one, whatever the input size.
            var total = stride is IntExpr { Value: 1 }
                ? Exprs.Max(Exprs.Subtract(window, Exprs.One), Exprs.Zero)
                : Exprs.Max(Exprs.Subtract(Exprs.Add(Exprs.Multiply(Exprs.Subtract(Exprs.CeilDivBy(n, stride), Exprs.One), stride), window), n), Exprs.Zero);
            var before = Exprs.FloorDiv(total, Exprs.Int(2));
            return (before, Exprs.Subtract(total, before));
        }

        public static (long Before, long After) SamePadding(long n, long kernel, long stride, long dilation)
        {
            var (before, after) = SamePadding(Exprs.Int(n), Exprs.Int(kernel), Exprs.Int(stride), Exprs.Int(dilation));
            return (before.Constant!.Value, after.Constant!.Value);
        }

        public static long FloorDiv(long a, long b) => Exprs.FloorDiv(a, b);

        public static long CeilDiv(long a, long b) => -FloorDiv(-a, b);
    }
}
