using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Binding
{
    /// <summary>
    /// The accepted-size rule as a reader would state it when each size variable is constrained on its own:
    /// <c>H >= 16 and H % 16 == 0</c> for a U-Net whose four concatenations must join equal sizes, instead of the
    /// conditions on floor divisions the layers contribute. Every condition is a sum of multiples of the variable and of
    /// its floor divisions by constants, so whether it holds repeats with a period dividing the product of those
    /// constants once past the model's smallest sizes; the summary is taken only when the conditions agree with it
    /// over many such periods, and the conditions themselves are still what forward checks.
    /// </summary>
    public static class AcceptedSizeSummary
    {
        const long Range = 1024;
        const long LargestPeriod = 64;

        // The rule is read often (messages, generated documentation): work it out once per model.
        static readonly System.Runtime.CompilerServices.ConditionalWeakTable<BoundModel, StrongBox> Cache =
            new System.Runtime.CompilerServices.ConditionalWeakTable<BoundModel, StrongBox>();

        sealed class StrongBox
        {
            public StrongBox(string? value) => Value = value;
            public string? Value { get; }
        }

        public static string? Describe(BoundModel model) => Cache.GetValue(model, m => new StrongBox(Compute(m))).Value;

        static string? Compute(BoundModel model)
        {
            if (model.SizeVariables.Count == 0 || model.AcceptedSizes.Count == 0)
                return null;
            var parts = new List<string>();
            var periodic = new List<string>();
            foreach (var variable in model.SizeVariables)
            {
                var conditions = model.AcceptedSizes.Where(c => c.Condition.Variables().Contains(variable)).ToList();
                if (conditions.Any(c => c.Condition.Variables().Count != 1))
                    return null;
                if (conditions.Count == 0)
                    continue;
                bool Holds(AcceptedSizeCondition condition, long size)
                {
                    try
                    {
                        return condition.Condition.Evaluate(new Dictionary<string, long> { [variable] = size }) != 0;
                    }
                    catch (SizeOverflowException)
                    {
                        return false;
                    }
                }
                var accepted = new bool[Range + 1];
                for (long size = 1; size <= Range; size++)
                    accepted[size] = conditions.All(c => Holds(c, size));
                long smallest = Enumerable.Range(1, (int)Range).FirstOrDefault(s => accepted[s]);
                if (smallest == 0)
                    return null;
                long? modulus = null;
                for (long m = 1; m <= LargestPeriod && modulus == null; m++)
                {
                    bool fits = true;
                    for (long size = 1; size <= Range && fits; size++)
                        fits = accepted[size] == (size >= smallest && (size - smallest) % m == 0);
                    if (fits)
                        modulus = m;
                }
                if (modulus == null)
                    return null;
                parts.Add(variable + " >= " + smallest);
                if (modulus > 1)
                {
                    parts.Add(variable + " % " + modulus + " == " + smallest % modulus.Value);
                    periodic.AddRange(conditions.Where(c => Enumerable.Range((int)smallest, 2 * (int)modulus.Value).Any(s => !Holds(c, s))).Select(c => c.Layer));
                }
            }
            if (parts.Count == 0)
                return null;
            var layers = periodic.Distinct().ToList();
            return string.Join(" and ", parts) + (layers.Count == 0 ? "" : " (for " + string.Join(", ", layers) + ")");
        }
    }
}
