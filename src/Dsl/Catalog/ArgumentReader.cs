using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Syntax;
using CnnDsl.Dsl.Text;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// Matches a layer's arguments to its parameters (positional first, then by name) and reads them as typed values,
    /// reporting unknown, missing, repeated and mistyped arguments. After an error the reader answers with defaults, and
    /// <see cref="HasErrors"/> tells the layer not to go on to shapes.
    /// </summary>
    public sealed class ArgumentReader
    {
        readonly LayerKind kind;
        readonly string layerName;
        readonly DiagnosticBag diagnostics;
        readonly Dictionary<string, ArgumentSyntax> byParameter = new Dictionary<string, ArgumentSyntax>();

        public ArgumentReader(LayerKind kind, LayerSyntax layer, string layerName, DiagnosticBag diagnostics)
        {
            this.kind = kind;
            this.layerName = layerName;
            this.diagnostics = diagnostics;
            Match(layer);
        }

        public bool HasErrors { get; private set; }

        void Match(LayerSyntax layer)
        {
            var positional = kind.PositionalParameters.ToList();
            int nextPositional = 0;
            bool sawNamed = false;
            foreach (var argument in layer.Arguments)
            {
                ParameterSpec? parameter;
                if (argument.Name == null)
                {
                    if (sawNamed)
                    {
                        Fail(() => diagnostics.ReportPositionalAfterNamed(argument.Location, layerName));
                        continue;
                    }
                    if (nextPositional >= positional.Count)
                    {
                        var example = kind.Parameters.FirstOrDefault(p => !byParameter.ContainsKey(p.Name) && !p.Positional) ?? kind.Parameters.FirstOrDefault();
                        Fail(() => diagnostics.ReportTooManyPositionalArguments(argument.Location, layerName, positional.Count,
                            positional.Count == 0 ? "none" : string.Join(", ", positional.Select(p => p.Name)),
                            example == null ? "name=value" : example.Name + "=" + argument.Value.Text));
                        continue;
                    }
                    parameter = positional[nextPositional++];
                }
                else
                {
                    sawNamed = true;
                    parameter = kind.Parameters.FirstOrDefault(p => Names.Fold(p.Name) == Names.Fold(argument.Name.Text));
                    if (parameter == null)
                    {
                        var suggestion = Names.ClosestMatch(argument.Name.Text, kind.Parameters.Select(p => p.Name));
                        var known = kind.Parameters.Count == 0 ? "; it takes no arguments" : Names.DidYouMean(suggestion);
                        if (suggestion == null && kind.Parameters.Count > 0)
                            known = "; it takes " + string.Join(", ", kind.Parameters.Select(p => p.Name));
                        Fail(() => diagnostics.ReportUnknownArgument(argument.Name.Location, layerName, argument.Name.Text, known));
                        continue;
                    }
                }

                if (byParameter.ContainsKey(parameter.Name))
                {
                    Fail(() => diagnostics.ReportRepeatedArgument(argument.Location, layerName, parameter.Name));
                    continue;
                }
                byParameter.Add(parameter.Name, argument);
            }

            // A misplaced positional argument was meant for a parameter: do not also call that one missing.
            if (HasErrors && layer.Arguments.Any(a => a.Name == null) && sawNamed)
                return;
            foreach (var parameter in kind.Parameters.Where(p => p.Required && !byParameter.ContainsKey(p.Name)))
                Fail(() => diagnostics.ReportMissingArgument(layer.Kind.Location, layerName, parameter.Name, parameter.Description));
        }

        void Fail(System.Action report)
        {
            HasErrors = true;
            report();
        }

        public bool IsGiven(string name) => byParameter.ContainsKey(name);

        /// <summary>The value as written, unchecked (block parameters).</summary>
        public ValueSyntax? Raw(string name) => byParameter.TryGetValue(name, out var argument) ? argument.Value : null;

        public SourceLocation? LocationOf(string name) => byParameter.TryGetValue(name, out var argument) ? argument.Value.Location : null;

        public long? Integer(string name, long? fallback = null)
        {
            if (!byParameter.TryGetValue(name, out var argument))
                return fallback;
            var value = argument.Value;
            if (value.Kind == ValueKind.Number && value.IsInteger)
                return (long)value.Number;
            WrongType(name, value, "a whole number");
            return fallback;
        }

        public double? Float(string name, double? fallback = null)
        {
            if (!byParameter.TryGetValue(name, out var argument))
                return fallback;
            var value = argument.Value;
            if (value.Kind == ValueKind.Number)
                return value.Number;
            WrongType(name, value, "a number");
            return fallback;
        }

        public bool Boolean(string name, bool fallback)
        {
            if (!byParameter.TryGetValue(name, out var argument))
                return fallback;
            var value = argument.Value;
            if (value.Kind == ValueKind.Identifier && (value.Text == "true" || value.Text == "True"))
                return true;
            if (value.Kind == ValueKind.Identifier && (value.Text == "false" || value.Text == "False"))
                return false;
            WrongType(name, value, "true or false");
            return fallback;
        }

        /// <summary>One size per spatial dimension: a number for all of them, or a tuple with one each.</summary>
        public long[]? Size(string name, int rank, long[]? fallback = null)
        {
            if (!byParameter.TryGetValue(name, out var argument))
                return fallback;
            var value = argument.Value;
            var sizes = ReadIntegers(value);
            if (sizes != null && sizes.Length == 1)
                return Enumerable.Repeat(sizes[0], rank).ToArray();
            if (sizes != null && sizes.Length == rank)
                return sizes;
            WrongType(name, value, rank == 1 ? "a whole number" : "a whole number or a tuple of " + rank + " whole numbers");
            return fallback;
        }

        public PaddingValue Padding(string name, int rank)
        {
            if (!byParameter.TryGetValue(name, out var argument))
                return PaddingValue.Valid;
            var value = argument.Value;
            if (value.Kind == ValueKind.Identifier)
            {
                var folded = Names.Fold(value.Text);
                if (folded == "same")
                    return PaddingValue.Same;
                if (folded == "valid")
                    return PaddingValue.Valid;
            }
            var perSide = ReadPerSide(value, rank);
            if (perSide != null)
                return PaddingValue.Explicit(perSide);
            WrongType(name, value, rank == 1
                ? "valid, same, a whole number or a pair (before, after)"
                : "valid, same, a whole number, one per dimension (" + string.Join(", ", Enumerable.Repeat("n", rank)) + "), or one pair per dimension ("
                  + string.Join(", ", Enumerable.Repeat("(before, after)", rank)) + ")");
            return PaddingValue.Valid;
        }

        public Activation? Activation(string name)
        {
            if (!byParameter.TryGetValue(name, out var argument))
                return null;
            var value = argument.Value;
            if (value.Kind == ValueKind.Identifier)
            {
                var folded = Names.Fold(value.Text);
                if (folded == "none" || folded == "linear")
                    return null;
                var activation = Catalog.Activation.All.FirstOrDefault(a => Names.Fold(a.Name) == folded);
                if (activation != null)
                    return activation;
            }
            var suggestion = value.Kind == ValueKind.Identifier ? Names.ClosestMatch(value.Text, Catalog.Activation.All.Select(a => a.Name)) : null;
            WrongType(name, value, "one of " + Names.JoinOr(Catalog.Activation.All.Select(a => a.Name).Concat(new[] { "none" })), suggestion);
            return null;
        }

        /// <summary>Reports a value outside its allowed range; returns false so callers can write <c>ok &amp;= ...</c>.</summary>
        public bool OutOfRange(string name, string actual, string allowed)
        {
            HasErrors = true;
            diagnostics.ReportArgumentOutOfRange(LocationOf(name)!, layerName, name, actual, allowed);
            return false;
        }

        /// <summary>Checks that every given size is at least <paramref name="minimum"/>.</summary>
        public bool AtLeast(string name, long[]? values, long minimum)
        {
            if (values == null || !IsGiven(name) || values.All(v => v >= minimum))
                return true;
            return OutOfRange(name, Format(values), minimum == 1 ? "at least 1" : "at least " + minimum);
        }

        public static string Format(long[] values) =>
            values.Length == 1 || values.Distinct().Count() == 1 ? values[0].ToString(CultureInfo.InvariantCulture) : "(" + string.Join(", ", values) + ")";

        static long[]? ReadIntegers(ValueSyntax value)
        {
            if (value.Kind == ValueKind.Number)
                return value.IsInteger ? new[] { (long)value.Number } : null;
            if (value.Kind != ValueKind.Tuple)
                return null;
            var result = new long[value.Items.Count];
            for (int i = 0; i < result.Length; i++)
            {
                var item = value.Items[i];
                if (item.Kind != ValueKind.Number || !item.IsInteger)
                    return null;
                result[i] = (long)item.Number;
            }
            return result;
        }

        // Padding as (before, after) per dimension: n, (n per dimension), ((b, a) per dimension), or 2*rank flat numbers.
        static long[]? ReadPerSide(ValueSyntax value, int rank)
        {
            var flat = ReadIntegers(value);
            if (flat != null)
            {
                if (flat.Length == 1)
                    return Enumerable.Repeat(flat[0], 2 * rank).ToArray();
                if (flat.Length == rank)
                    return flat.SelectMany(p => new[] { p, p }).ToArray();
                if (flat.Length == 2 * rank)
                    return flat;
                return null;
            }
            if (value.Kind != ValueKind.Tuple || value.Items.Count != rank)
                return null;
            var perSide = new List<long>();
            foreach (var item in value.Items)
            {
                var pair = ReadIntegers(item);
                if (pair == null || (pair.Length != 1 && pair.Length != 2))
                    return null;
                perSide.Add(pair[0]);
                perSide.Add(pair.Length == 2 ? pair[1] : pair[0]);
            }
            return perSide.ToArray();
        }

        void WrongType(string name, ValueSyntax value, string expected, string? suggestion = null)
        {
            HasErrors = true;
            diagnostics.ReportWrongArgumentType(value.Location, layerName, name, expected, value.Text, suggestion);
        }
    }
}
