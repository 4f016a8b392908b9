using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>What convolution and pooling share: resolving padding to (before, after) per dimension and sizing the output.</summary>
    public static class SpatialWindow
    {
        internal static readonly string[][] DimensionNames =
        {
            new[] { "length" },
            new[] { "height", "width" },
            new[] { "depth", "height", "width" },
        };

        /// <summary>How an input of this many spatial dimensions is described in messages.</summary>
        public static string Describe(int rank) => rank switch
        {
            1 => "(channels, length)",
            2 => "(channels, height, width)",
            _ => "(channels, depth, height, width)",
        };

        public static string ExampleTuple(int rank) => "(" + string.Join(", ", Enumerable.Range(3, rank).Select(i => i % 2 == 1 ? "3" : "5")) + ")";

        /// <summary>Points at the layer of the right dimension for an input of <paramref name="inputRank"/> (channels included).</summary>
        public static string RankHint(Binding.TensorShape input, string family, int layerRank)
        {
            int inputRank = input.Rank;
            // 28x28 under a 2-D layer is a grey image without its channel far more often than a sequence.
            if (inputRank == layerRank && input.IsFixed && input.Sizes.All(n => n >= 8))
                return "; for a grey image write the input as 1x" + string.Join("x", input.Sizes) + ", or use " + family + (inputRank - 1) + "d for a sequence";
            return inputRank >= 2 && inputRank <= 4 ? "; use " + family + (inputRank - 1) + "d for this input" : "";
        }

        public static Expr[] Ones(int rank) => Enumerable.Repeat((Expr)Exprs.One, rank).ToArray();

        public static bool CheckPaddingNotNegative(ArgumentReader arguments, PaddingValue padding)
        {
            if (padding.Mode != PaddingMode.Explicit || padding.PerSide.All(p => !(p.Constant is long c) || c >= 0))
                return true;
            return arguments.OutOfRange("padding", "(" + string.Join(", ", padding.PerSide) + ")", "at least 0 on every side");
        }

        /// <summary>Padding as (before, after) for each spatial dimension; <c>same</c> is resolved for the given input.</summary>
        public static Expr[] PerSide(PaddingValue padding, Expr[] input, Expr[] kernel, Expr[] stride, Expr[] dilation)
        {
            switch (padding.Mode)
            {
                case PaddingMode.Same:
                    return input.SelectMany((n, i) =>
                    {
                        var (before, after) = Geometry.SamePadding(n, kernel[i], stride[i], dilation[i]);
                        return new[] { before, after };
                    }).ToArray();
                case PaddingMode.Explicit:
                    return padding.PerSide.ToArray();
                default:
                    return Enumerable.Repeat((Expr)Exprs.Zero, 2 * input.Length).ToArray();
            }
        }

        /// <summary>
        /// Output sizes, each required to be at least 1: a known failure is reported at the layer; a size that depends on
        /// the input's size variables adds to the model's accepted-size rule. Null after a report.
        /// </summary>
        public static Expr[]? OutputSizes(LayerBindingContext context, Expr[] input, Expr[] perSide, Expr[] kernel, Expr[] stride, Expr[] dilation,
            bool ceilMode, string paddingText, bool same = false)
        {
            var output = new Expr[input.Length];
            for (int i = 0; i < input.Length; i++)
            {
                output[i] = same
                    ? Exprs.CeilDivBy(input[i], stride[i])
                    : Geometry.OutputSize(input[i], perSide[2 * i], perSide[2 * i + 1], kernel[i], stride[i], dilation[i], ceilMode);
                int dimension = i;
                var size = output[i];
                bool ok = context.Require(Exprs.AtLeast(size, 1), () => context.Diagnostics.ReportNonPositiveSize(context.Syntax.Location, context.LayerName,
                        DimensionNames[input.Length - 1][dimension], input[dimension], size, kernel[dimension], stride[dimension], paddingText, dilation[dimension],
                        Hint(input[dimension], kernel[dimension], stride[dimension], dilation[dimension], perSide.Length == 0 ? null : perSide[2 * dimension]),
                        context.SetArgument("padding", "same")));
                if (!ok)
                    return null;
            }
            return output;
        }

        // Says what to change: the effective window when dilated, a smaller stride only when the stride is above 1.
        static string Hint(Expr input, Expr kernel, Expr stride, Expr dilation, Expr? before)
        {
            var effective = dilation.Constant is long d && d > 1 && kernel.Constant is long k ? d * (k - 1) + 1 : (long?)null;
            var text = effective != null ? "; the dilated kernel spans " + effective + " pixels" : "";
            bool strided = !(stride.Constant is long s) || s > 1;
            text += strided ? "; use padding=same or a smaller kernel or stride" : "; use padding=same or a smaller kernel";
            return text;
        }

        public static bool IsSymmetric(IReadOnlyList<Expr> perSide)
        {
            for (int i = 0; i < perSide.Count; i += 2)
                if (!perSide[i].Equals(perSide[i + 1]))
                    return false;
            return true;
        }

        public static Expr[] PerDimension(IReadOnlyList<Expr> perSide) => Enumerable.Range(0, perSide.Count / 2).Select(i => perSide[2 * i]).ToArray();

        /// <summary>Per-side padding in <c>functional.pad</c>'s order: the last dimension first, each as (before, after).</summary>
        public static IEnumerable<Expr> PadOrder(IReadOnlyList<Expr> perSide)
        {
            for (int i = perSide.Count / 2 - 1; i >= 0; i--)
            {
                yield return perSide[2 * i];
                yield return perSide[2 * i + 1];
            }
        }

        public static string PaddingText(PaddingValue padding, Expr[] perSide) =>
            padding.Mode == PaddingMode.Same ? "same" : IsSymmetric(perSide) ? ArgumentReader.Format(PerDimension(perSide)) : "(" + string.Join(", ", perSide.Select(p => p.ToString())) + ")";
    }
}
