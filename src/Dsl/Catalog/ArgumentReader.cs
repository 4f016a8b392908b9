using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Symbolic;
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
        // Keras' and PyTorch's names for the same arguments, so that code copied from either reads as written.
        static readonly Dictionary<string, string> Aliases = new Dictionary<string, string>
        {
            ["kernelsize"] = "kernel",
            ["poolsize"] = "kernel",
            ["strides"] = "stride",
            ["outchannels"] = "filters",
            ["outfeatures"] = "units",
            ["inplanes"] = "in_channels",
            ["p"] = "rate",
            ["numfeatures"] = "in_channels",
        };

        readonly LayerKind kind;
        readonly string layerName;
        readonly DiagnosticBag diagnostics;
        readonly BindingScope scope;
        readonly Dictionary<string, ArgumentSyntax> byParameter = new Dictionary<string, ArgumentSyntax>();

        public ArgumentReader(LayerKind kind, LayerSyntax layer, string layerName, DiagnosticBag diagnostics, BindingScope scope)
        {
            this.kind = kind;
            this.layerName = layerName;
            this.diagnostics = diagnostics;
            this.scope = scope;
            Match(layer);
        }

        public bool HasErrors { get; private set; }

        /// <summary>True while a block is bound as a function: values that depend on its parameters are not known yet.</summary>
        public bool IsFunction => scope.Session.IsFunction;

        public BindingScope Scope => scope;

        ParameterSpec? FindParameter(string name)
        {
            var folded = Names.Fold(name);
            var parameter = kind.Parameters.FirstOrDefault(p => Names.Fold(p.Name) == folded);
            if (parameter == null && Aliases.TryGetValue(folded, out var target))
                parameter = kind.Parameters.FirstOrDefault(p => p.Name == target);
            return parameter;
        }

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
                    parameter = FindParameter(argument.Name.Text);
                    if (parameter == null)
                    {
                        var suggestion = Names.ClosestMatch(argument.Name.Text, kind.Parameters.Select(p => p.Name));
                        var known = kind.Parameters.Count == 0 ? "; it takes no arguments" : Names.DidYouMean(suggestion);
                        if (suggestion == null && kind.Parameters.Count > 0)
                            known = "; it takes " + string.Join(", ", kind.Parameters.Select(p => p.Name));
                        Fail(() => diagnostics.ReportUnknownArgument(argument.Name.Location, layerName, argument.Name.Text, known, kind.Parameters.Count == 0 ? null : suggestion));
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

        /// <summary>Warns that a given argument changes nothing in this combination (<c>init_std</c> with a Kaiming initialisation).</summary>
        public void WithoutEffect(string name, string context, string fix)
        {
            if (byParameter.TryGetValue(name, out var argument))
                diagnostics.ReportArgumentWithoutEffect(argument.Location, layerName, name, context, fix);
        }

        /// <summary>The value as written, unchecked (block arguments, resolved by the block).</summary>
        public ValueSyntax? Raw(string name) => byParameter.TryGetValue(name, out var argument) ? argument.Value : null;

        public SourceLocation? LocationOf(string name) => byParameter.TryGetValue(name, out var argument) ? argument.Value.Location : null;

        // A name given for a block parameter at its use (relu, same, a tuple) stands for what was written there.
        ValueSyntax Resolve(ValueSyntax value)
        {
            if (value.Kind == ValueKind.Identifier && scope.Find(value.Text) is { Syntax: { } given })
                return given with { Location = value.Location };
            return value;
        }

        // A bare name that means nothing here (kernel=three) is a wrong value, not an expression to explain.
        bool IsUnknownName(ValueSyntax value) =>
            value.Kind == ValueKind.Identifier && scope.Find(value.Text) == null && value.Text != "true" && value.Text != "false" && value.Text != "True" && value.Text != "False";

        string? Suggestion(ValueSyntax value) => value.Kind == ValueKind.Identifier ? Names.ClosestMatch(value.Text, scope.AllNames) : null;

        Expr? Expression(string name, ValueSyntax value, ExprType type)
        {
            var local = new DiagnosticBag();
            var result = ExpressionBinder.Bind(value, scope, local, type);
            if (local.Count > 0)
            {
                HasErrors |= local.HasErrors;
                diagnostics.AddRange(local);
            }
            return result;
        }

        public Expr? Integer(string name, long? fallback = null)
        {
            if (!byParameter.TryGetValue(name, out var argument))
                return fallback == null ? null : Exprs.Int(fallback.Value);
            var value = Resolve(argument.Value);
            if (value.Kind == ValueKind.Number && !value.IsInteger || value.Kind == ValueKind.Tuple || IsUnknownName(value))
            {
                WrongType(name, value, "a whole number", Suggestion(value));
                return fallback == null ? null : Exprs.Int(fallback.Value);
            }
            return Expression(name, value, ExprType.Integer) ?? (fallback == null ? null : Exprs.Int(fallback.Value));
        }

        public Expr? Float(string name, double? fallback = null)
        {
            if (!byParameter.TryGetValue(name, out var argument))
                return fallback == null ? null : new RealExpr(fallback.Value);
            var value = Resolve(argument.Value);
            if (value.Kind == ValueKind.Tuple || (value.Kind == ValueKind.Identifier && scope.Find(value.Text) == null))
            {
                WrongType(name, value, "a number");
                return fallback == null ? null : new RealExpr(fallback.Value);
            }
            return Expression(name, value, ExprType.Real) ?? (fallback == null ? null : new RealExpr(fallback.Value));
        }

        /// <summary>One real number, or a tuple of them (one per channel); null when not given or wrong.</summary>
        public Expr[]? Floats(string name)
        {
            if (!byParameter.TryGetValue(name, out var argument))
                return null;
            var value = Resolve(argument.Value);
            var items = value.Kind == ValueKind.Tuple ? value.Items.Select(Resolve).ToArray() : new[] { value };
            var result = new Expr[items.Length];
            for (int i = 0; i < items.Length; i++)
            {
                if (items[i].Kind == ValueKind.Tuple || (items[i].Kind == ValueKind.Identifier && scope.Find(items[i].Text) == null))
                {
                    WrongType(name, value, "a number or a tuple of numbers, one per channel");
                    return null;
                }
                var bound = Expression(name, items[i], ExprType.Real);
                if (bound == null)
                    return null;
                result[i] = bound;
            }
            return result;
        }

        public Expr Boolean(string name, bool fallback)
        {
            if (!byParameter.TryGetValue(name, out var argument))
                return new BoolExpr(fallback);
            var value = Resolve(argument.Value);
            if (value.Kind == ValueKind.Identifier && scope.Find(value.Text) == null
                && value.Text != "true" && value.Text != "True" && value.Text != "false" && value.Text != "False"
                || value.Kind == ValueKind.Number || value.Kind == ValueKind.Tuple)
            {
                WrongType(name, value, "true or false");
                return new BoolExpr(fallback);
            }
            return Expression(name, value, ExprType.Boolean) ?? new BoolExpr(fallback);
        }

        /// <summary>One size per spatial dimension: a number for all of them, or a tuple with one each.</summary>
        public Expr[]? Size(string name, int rank, Expr[]? fallback = null)
        {
            if (!byParameter.TryGetValue(name, out var argument))
                return fallback;
            var value = Resolve(argument.Value);
            if (IsUnknownName(value))
            {
                WrongType(name, value, rank == 1 ? "a whole number" : "a whole number or a tuple of " + rank + " whole numbers", Suggestion(value));
                return fallback;
            }
            var sizes = ReadIntegers(name, value);
            if (sizes == null)
                return fallback;
            if (sizes.Length == 1)
                return Enumerable.Repeat(sizes[0], rank).ToArray();
            if (sizes.Length == rank)
                return sizes;
            WrongType(name, value, rank == 1 ? "a whole number" : "a whole number or a tuple of " + rank + " whole numbers");
            return fallback;
        }

        public PaddingValue Padding(string name, int rank)
        {
            if (!byParameter.TryGetValue(name, out var argument))
                return PaddingValue.Valid;
            var value = Resolve(argument.Value);
            if (value.Kind == ValueKind.Identifier && scope.Find(value.Text) == null)
            {
                var folded = Names.Fold(value.Text);
                if (folded == "same")
                    return PaddingValue.Same;
                if (folded == "valid")
                    return PaddingValue.Valid;
                WrongType(name, value, PaddingExpectation(rank), Names.ClosestMatch(value.Text, new[] { "same", "valid" }));
                return PaddingValue.Valid;
            }
            var perSide = ReadPerSide(name, value, rank);
            if (perSide != null)
                return PaddingValue.Explicit(perSide);
            if (!HasErrors)
                WrongType(name, value, PaddingExpectation(rank));
            return PaddingValue.Valid;
        }

        static string PaddingExpectation(int rank) => rank == 1
            ? "valid, same, a whole number or a pair (before, after)"
            : "valid, same, a whole number, one per dimension (" + string.Join(", ", Enumerable.Repeat("n", rank)) + "), or one pair per dimension ("
              + string.Join(", ", Enumerable.Repeat("(before, after)", rank)) + ")";

        public Activation? Activation(string name)
        {
            if (!byParameter.TryGetValue(name, out var argument))
                return null;
            var value = Resolve(argument.Value);
            if (value.Kind == ValueKind.Identifier && scope.Find(value.Text) is { Value: VarExpr parameter })
            {
                HasErrors = true;
                diagnostics.ReportUnsupportedBlockParameter(value.Location, scope.Session.ActiveBlocks.LastOrDefault() ?? layerName, parameter.Name,
                    "is used as an activation; a block's parameters are numbers or true/false, so write the activation in the block or make it a layer of the model");
                return null;
            }
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

        /// <summary>One word of <paramref name="options"/> (<c>mode=bilinear</c>); <paramref name="fallback"/> when not given or wrong.</summary>
        public string Choice(string name, IReadOnlyList<string> options, string fallback)
        {
            if (!byParameter.TryGetValue(name, out var argument))
                return fallback;
            var value = Resolve(argument.Value);
            if (value.Kind == ValueKind.Identifier && scope.Find(value.Text) == null)
            {
                var folded = Names.Fold(value.Text);
                var match = options.FirstOrDefault(o => Names.Fold(o) == folded);
                if (match != null)
                    return match;
            }
            WrongType(name, value, "one of " + Names.JoinOr(options), value.Kind == ValueKind.Identifier ? Names.ClosestMatch(value.Text, options) : null);
            return fallback;
        }

        /// <summary>Reports a value outside its allowed range; returns false so callers can write <c>ok &amp;= ...</c>.</summary>
        public bool OutOfRange(string name, string actual, string allowed)
        {
            HasErrors = true;
            diagnostics.ReportArgumentOutOfRange(LocationOf(name)!, layerName, name, actual, allowed);
            return false;
        }

        /// <summary>Checks that a known value is at least <paramref name="minimum"/>; one known only per use passes here.</summary>
        public bool AtLeast(string name, Expr? value, long minimum) =>
            value == null || !IsGiven(name) || !(value.Constant is long v) || v >= minimum || OutOfRange(name, v.ToString(CultureInfo.InvariantCulture), "at least " + minimum);

        /// <summary>Checks that every known size is at least <paramref name="minimum"/>.</summary>
        public bool AtLeast(string name, Expr[]? values, long minimum)
        {
            if (values == null || !IsGiven(name) || values.All(v => !(v.Constant is long c) || c >= minimum))
                return true;
            return OutOfRange(name, Format(values), minimum == 1 ? "at least 1" : "at least " + minimum);
        }

        public static string Format(IReadOnlyList<Expr> values) =>
            values.Count == 1 || values.Distinct().Count() == 1 ? values[0].ToString() : "(" + string.Join(", ", values) + ")";

        Expr[]? ReadIntegers(string name, ValueSyntax value)
        {
            if (value.Kind != ValueKind.Tuple)
            {
                if (value.Kind == ValueKind.Number && !value.IsInteger)
                {
                    WrongType(name, value, "a whole number");
                    return null;
                }
                var single = Expression(name, value, ExprType.Integer);
                return single == null ? null : new[] { single };
            }
            var result = new Expr[value.Items.Count];
            for (int i = 0; i < result.Length; i++)
            {
                var item = Resolve(value.Items[i]);
                if (item.Kind == ValueKind.Tuple || item.Kind == ValueKind.Number && !item.IsInteger)
                {
                    WrongType(name, value, "whole numbers");
                    return null;
                }
                var bound = Expression(name, item, ExprType.Integer);
                if (bound == null)
                    return null;
                result[i] = bound;
            }
            return result;
        }

        // Padding as (before, after) per dimension: n, (n per dimension), ((b, a) per dimension), or 2*rank flat numbers.
        Expr[]? ReadPerSide(string name, ValueSyntax value, int rank)
        {
            bool flat = value.Kind != ValueKind.Tuple || value.Items.All(i => Resolve(i).Kind != ValueKind.Tuple);
            if (flat)
            {
                var sizes = ReadIntegers(name, value);
                if (sizes == null)
                    return null;
                if (sizes.Length == 1)
                    return Enumerable.Repeat(sizes[0], 2 * rank).ToArray();
                if (sizes.Length == rank)
                    return sizes.SelectMany(p => new[] { p, p }).ToArray();
                if (sizes.Length == 2 * rank)
                    return sizes;
                return null;
            }
            if (value.Items.Count != rank)
                return null;
            var perSide = new List<Expr>();
            foreach (var item in value.Items)
            {
                var pair = ReadIntegers(name, Resolve(item));
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
