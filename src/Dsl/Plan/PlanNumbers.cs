using System;
using System.Linq;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Plan
{
    /// <summary>
    /// A module's plan arguments read as numbers, for the back ends that build a module with every size known (the
    /// run-time builder, the ONNX writer); PyTorch's defaults where the plan leaves an argument out. A value that is not a
    /// number yet (a size the input decides, an undecided block argument) is an error the back end words, through
    /// <see cref="error"/>.
    /// </summary>
    public sealed class PlanNumbers
    {
        readonly PlanModule module;
        readonly Func<string, Exception> error;

        /// <param name="error">Makes the back end's exception from what is wrong (<c>"the size H // 2 is not known"</c>).</param>
        public PlanNumbers(PlanModule module, Func<string, Exception> error)
        {
            this.module = module;
            this.error = error;
        }

        public static long Long(Expr value, Func<string, Exception> error) =>
            value.Constant ?? throw error("the size " + value + " depends on the input size or on a block argument");

        public static double Real(Expr value, Func<string, Exception> error) => value switch
        {
            RealExpr r => r.Value,
            IntExpr i => i.Value,
            _ => throw error("the value " + value + " is not a number yet"),
        };

        PlanValue? Find(string name) => module.Arguments.FirstOrDefault(a => a.Name == name)?.Value;

        PlanValue PositionalValue(int index) => module.Arguments.Where(a => a.Positional).ElementAt(index).Value;

        public bool Has(string name) => Find(name) != null;

        public long Positional(int index) => PositionalValue(index) is IntValue i ? Long(i.Value, error)
            : throw error("argument " + index + " of " + module.Type + " is not a whole number");

        public double PositionalDouble(int index) => PositionalValue(index) is RealValue r ? Real(r.Value, error)
            : throw error("argument " + index + " of " + module.Type + " is not a number");

        /// <summary>A positional size argument, one value per dimension (a single size repeated to <paramref name="rank"/>).</summary>
        public long[] PositionalSizes(int index, int rank = 0) => Expand(PositionalValue(index), rank)
            ?? throw error("argument " + index + " of " + module.Type + " is not sizes");

        public long Long(string name, long fallback) => Find(name) is IntValue i ? Long(i.Value, error) : fallback;

        public double Double(string name, double fallback) => Find(name) is RealValue r ? Real(r.Value, error) : fallback;

        public bool Bool(string name, bool fallback) => Find(name) is BoolValue { Value: var value }
            ? value is BoolExpr b ? b.Value : throw error(name + " = " + value + " is not decided; give the block's arguments")
            : fallback;

        public string? Text(string name) => Find(name) is TextValue t ? t.Value : null;

        public double[] Reals(string name) => Find(name) is RealsValue r ? r.Values.Select(v => Real(v, error)).ToArray()
            : throw error(module.Type + " has no " + name);

        /// <summary>One size per dimension (a single size repeated); <paramref name="fallback"/> for each when absent.</summary>
        public long[] Sizes(string name, int rank, long fallback) => Sizes(name, rank) ?? Enumerable.Repeat(fallback, Math.Max(rank, 1)).ToArray();

        /// <summary>One size per dimension of an argument every such module has (a kernel size); its absence is an error.</summary>
        public long[] RequiredSizes(string name, int rank) => Sizes(name, rank) ?? throw error(module.Type + " has no " + name);

        /// <summary>One size per dimension; null when absent.</summary>
        public long[]? Sizes(string name, int rank) => Find(name) is { } value ? Expand(value, rank) ?? throw error(name + " of " + module.Type + " is not sizes") : null;

        long[]? Expand(PlanValue value, int rank) => value switch
        {
            SizesValue sizes when sizes.Values.Count == 1 && rank > 1 => Enumerable.Repeat(Long(sizes.Values[0], error), rank).ToArray(),
            SizesValue sizes => sizes.Values.Select(v => Long(v, error)).ToArray(),
            IntValue i => Enumerable.Repeat(Long(i.Value, error), Math.Max(rank, 1)).ToArray(),
            _ => null,
        };
    }
}
