using System.Collections.Generic;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Symbolic;
using CnnDsl.Dsl.Syntax;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>A tensor a layer reads: its name, shape, and where the layer names it.</summary>
    public sealed record Operand(string Name, TensorShape Shape, Text.SourceLocation Location);

    /// <summary>What a layer kind needs to bind one use: its syntax, its name, the incoming shape and its arguments.</summary>
    public sealed class LayerBindingContext
    {
        public LayerBindingContext(LayerSyntax syntax, string layerName, TensorShape? input, ArgumentReader arguments, DiagnosticBag diagnostics,
            IReadOnlyList<Operand>? operands = null)
        {
            Operands = operands ?? new Operand[0];
            Syntax = syntax;
            LayerName = layerName;
            InputOrNull = input;
            Arguments = arguments;
            Diagnostics = diagnostics;
        }

        public LayerSyntax Syntax { get; }
        public string LayerName { get; }
        TensorShape? InputOrNull { get; }

        /// <summary>The incoming shape; only read it once <see cref="CanInferShape"/> is true.</summary>
        public TensorShape Input => InputOrNull!;

        /// <summary>True when the arguments are fine and the input shape is known, so the shape rule can run.</summary>
        public bool CanInferShape => !Arguments.HasErrors && InputOrNull != null;
        public ArgumentReader Arguments { get; }
        public DiagnosticBag Diagnostics { get; }
        public BindingScope Scope => Arguments.Scope;
        public BindingSession Session => Arguments.Scope.Session;

        /// <summary>For add and concat: the tensors combined, all with known shapes.</summary>
        public IReadOnlyList<Operand> Operands { get; }

        /// <summary>Reports that the layer needs an input of another rank.</summary>
        public void ReportRank(string expected, string hint = "", DiagnosticFix? fix = null) =>
            Diagnostics.ReportRankMismatch(Syntax.Location, LayerName, Syntax.Kind.Text, expected, Input.ToString(), hint, fix);

        /// <summary>The fix that sets <paramref name="argument"/> of this layer to <paramref name="value"/> (padding=same).</summary>
        public DiagnosticFix SetArgument(string argument, string value) =>
            new DiagnosticFix(FixKind.SetArgument, "Set " + argument + "=" + value, Syntax.Location, value, Argument: argument);

        /// <summary>
        /// A condition the layer needs: decided now when it is known (reporting through <paramref name="report"/> if it
        /// fails); one on the input's size variables becomes part of the model's accepted-size rule; one on a block's
        /// parameters is checked at each use of the block.
        /// </summary>
        public bool Require(Expr condition, System.Action report)
        {
            if (condition is BoolExpr known)
            {
                if (!known.Value)
                    report();
                return known.Value;
            }
            if (!Session.IsFunction)
                Session.Requirements.Add(new SizeRequirement(condition, LayerName));
            return true;
        }

        /// <summary>Checks an optional declared input size (in_channels, in_features) against the inferred one.</summary>
        public bool CheckDeclaredInput(string argument, Expr inferred)
        {
            var declared = Arguments.Integer(argument);
            if (declared == null || !(declared.Constant is long d) || !(inferred.Constant is long i) || d == i)
                return true;
            var location = Arguments.LocationOf(argument) ?? Syntax.Location;
            Diagnostics.ReportInputSizeMismatch(location, LayerName, argument, d, i);
            Session.Mismatches.Add(new DeclaredSizeMismatch(Syntax, argument, d, i, location));
            return false;
        }
    }
}
