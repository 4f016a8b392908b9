using System.Collections.Generic;
using System.Linq;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>What convolution and pooling share: resolving padding to (before, after) per dimension and sizing the output.</summary>
    internal static class SpatialWindow
    {
        static readonly string[][] DimensionNames =
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
        public static string RankHint(int inputRank, string family) =>
            inputRank >= 2 && inputRank <= 4 ? "; use " + family + (inputRank - 1) + "d for this input" : "";

        public static bool CheckPaddingNotNegative(ArgumentReader arguments, PaddingValue padding)
        {
            if (padding.Mode != PaddingMode.Explicit || padding.PerSide.All(p => p >= 0))
                return true;
            return arguments.OutOfRange("padding", "(" + string.Join(", ", padding.PerSide) + ")", "at least 0 on every side");
        }

        /// <summary>Padding as (before, after) for each spatial dimension; <c>same</c> is resolved for the given input.</summary>
        public static long[] PerSide(PaddingValue padding, long[] input, long[] kernel, long[] stride, long[] dilation)
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
                    return new long[2 * input.Length];
            }
        }

        /// <summary>Output sizes, or null after reporting the first dimension that would be zero or negative.</summary>
        public static long[]? OutputSizes(LayerBindingContext context, long[] input, long[] perSide, long[] kernel, long[] stride, long[] dilation, bool ceilMode, string paddingText)
        {
            var output = new long[input.Length];
            for (int i = 0; i < input.Length; i++)
            {
                output[i] = Geometry.OutputSize(input[i], perSide[2 * i], perSide[2 * i + 1], kernel[i], stride[i], dilation[i], ceilMode);
                if (output[i] < 1)
                {
                    context.Diagnostics.ReportNonPositiveSize(context.Syntax.Location, context.LayerName, DimensionNames[input.Length - 1][i],
                        input[i], output[i], kernel[i], stride[i], paddingText, dilation[i]);
                    return null;
                }
            }
            return output;
        }

        public static bool IsSymmetric(long[] perSide)
        {
            for (int i = 0; i < perSide.Length; i += 2)
                if (perSide[i] != perSide[i + 1])
                    return false;
            return true;
        }

        public static long[] PerDimension(long[] perSide) => Enumerable.Range(0, perSide.Length / 2).Select(i => perSide[2 * i]).ToArray();

        public static string PaddingText(PaddingValue padding, long[] perSide) =>
            padding.Mode == PaddingMode.Same ? "same" : IsSymmetric(perSide) ? ArgumentReader.Format(PerDimension(perSide)) : "(" + string.Join(", ", perSide) + ")";

        /// <summary>A size as TorchSharp takes it: <c>5</c> when all dimensions agree, else a tuple <c>(3, 5)</c>.</summary>
        public static string Emit(IReadOnlyList<long> values, bool asTuple) =>
            asTuple ? "(" + string.Join(", ", values) + ")" : values[0].ToString();

        public static bool IsUniform(IReadOnlyList<long> values) => values.All(v => v == values[0]);

        /// <summary><c>functional.pad</c>'s order: the last dimension first, each as (before, after).</summary>
        public static string EmitPadArray(long[] perSide)
        {
            var order = new List<long>();
            for (int i = perSide.Length / 2 - 1; i >= 0; i--)
            {
                order.Add(perSide[2 * i]);
                order.Add(perSide[2 * i + 1]);
            }
            return "new long[] { " + string.Join(", ", order) + " }";
        }
    }
}
