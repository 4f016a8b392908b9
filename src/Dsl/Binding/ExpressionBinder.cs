using System.Linq;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Symbolic;
using CnnDsl.Dsl.Syntax;

namespace CnnDsl.Dsl.Binding
{
    /// <summary>
    /// Binds an expression written in a .cnn file to an <see cref="Expr"/>: names are looked up in the scope, operators
    /// folded with overflow checks. A problem is reported once at the expression's span, and the result is null.
    /// </summary>
    public static class ExpressionBinder
    {
        public static Expr? Bind(ValueSyntax value, BindingScope scope, DiagnosticBag diagnostics, ExprType expected)
        {
            try
            {
                var result = BindCore(value, scope, diagnostics, expected);
                if (result == null)
                    return null;
                if (result.Type == expected || (expected == ExprType.Real && result.Type == ExprType.Integer))
                    return expected == ExprType.Real && result is IntExpr i ? new RealExpr(i.Value) : result;
                diagnostics.ReportWrongValueKind(value.Location, value.Text, Describe(result.Type), Describe(expected));
                return null;
            }
            catch (SizeOverflowException)
            {
                diagnostics.ReportWrongValueKind(value.Location, value.Text, "larger than 9,223,372,036,854,775,807", "a whole number that fits in 64 bits");
                return null;
            }
        }

        public static string Describe(ExprType type) => type switch
        {
            ExprType.Integer => "a whole number",
            ExprType.Real => "a number with a fraction",
            _ => "a condition",
        };

        static Expr? BindCore(ValueSyntax value, BindingScope scope, DiagnosticBag diagnostics, ExprType expected)
        {
            switch (value.Kind)
            {
                case ValueKind.Number:
                    if (!value.IsInteger)
                        return new RealExpr(value.Number);
                    return Exprs.Int(value.Whole);
                case ValueKind.Identifier:
                    return BindName(value, scope, diagnostics, expected);
                case ValueKind.Unary:
                {
                    var operand = BindCore(value.Items[0], scope, diagnostics, value.Operator == "not" ? ExprType.Boolean : ExprType.Integer);
                    if (operand == null)
                        return null;
                    if (value.Operator == "not")
                        return Require(value.Items[0], operand, ExprType.Boolean, diagnostics) ? Exprs.Not(operand) : null;
                    return Require(value.Items[0], operand, ExprType.Integer, diagnostics) ? Exprs.Subtract(Exprs.Zero, operand) : null;
                }
                case ValueKind.Binary:
                case ValueKind.Call:
                {
                    var op = Operator(value);
                    bool logical = op == ExprOp.And || op == ExprOp.Or;
                    var operandType = logical ? ExprType.Boolean : ExprType.Integer;
                    Expr? result = null;
                    foreach (var item in value.Items)
                    {
                        var operand = BindCore(item, scope, diagnostics, operandType);
                        if (operand == null || !Require(item, operand, operandType, diagnostics))
                            return null;
                        if (result == null)
                        {
                            result = operand;
                            continue;
                        }
                        if ((op == ExprOp.FloorDivide || op == ExprOp.Modulo) && operand is IntExpr { Value: 0 })
                        {
                            diagnostics.ReportDivisionByZero(value.Location, value.Text, item.Kind == ValueKind.Number ? "" : " ('" + item.Text + "' is 0 here)");
                            return null;
                        }
                        result = Exprs.Binary(op, result, operand);
                    }
                    if (value.Kind == ValueKind.Call && value.Items.Count < 2)
                    {
                        diagnostics.ReportWrongValueKind(value.Location, value.Text, "a call with " + value.Items.Count + " argument", value.Operator + " of at least two values");
                        return null;
                    }
                    return result;
                }
                default:
                    diagnostics.ReportWrongValueKind(value.Location, value.Text, "a list", Describe(expected));
                    return null;
            }
        }

        static Expr? BindName(ValueSyntax value, BindingScope scope, DiagnosticBag diagnostics, ExprType expected)
        {
            var entry = scope.Find(value.Text);
            if (entry?.Value != null)
            {
                if (entry.Value is VarExpr v && scope.Session.IsFunction && scope.Session.Parameters.Contains(v.Name))
                {
                    // A parameter takes the type its first use needs; the generated constructor declares it so.
                    if (!scope.Session.UsedAs.TryGetValue(v.Name, out var type))
                        scope.Session.UsedAs[v.Name] = type = expected;
                    return v with { VariableType = type };
                }
                return entry.Value;
            }
            if (entry?.Syntax != null)
            {
                // A value given at the use, already resolved there: only a number or true/false can be used here.
                var given = entry.Syntax;
                if (given.Kind == ValueKind.Number)
                    return given.IsInteger ? Exprs.Int(given.Whole) : new RealExpr(given.Number);
                if (given.Kind == ValueKind.Identifier && (given.Text == "true" || given.Text == "True" || given.Text == "false" || given.Text == "False"))
                    return new BoolExpr(given.Text == "true" || given.Text == "True");
                diagnostics.ReportWrongValueKind(value.Location, value.Text + " (" + given.Text + ")", given.Kind == ValueKind.Tuple ? "a list" : "a name", Describe(expected));
                return null;
            }
            if (value.Text == "true" || value.Text == "True")
                return new BoolExpr(true);
            if (value.Text == "false" || value.Text == "False")
                return new BoolExpr(false);
            var known = scope.AllNames.Where(n => n != "input").ToList();
            diagnostics.ReportUnknownName(value.Location, value.Text,
                known.Count == 0 ? "only numbers here" : string.Join(", ", known.OrderBy(n => n, System.StringComparer.Ordinal).Select(n => "'" + n + "'")),
                Names.ClosestMatch(value.Text, known));
            return null;
        }

        static bool Require(ValueSyntax syntax, Expr operand, ExprType type, DiagnosticBag diagnostics)
        {
            if (operand.Type == type)
                return true;
            diagnostics.ReportWrongValueKind(syntax.Location, syntax.Text, Describe(operand.Type), Describe(type));
            return false;
        }

        static ExprOp Operator(ValueSyntax value) => value.Operator switch
        {
            "+" => ExprOp.Add,
            "-" => ExprOp.Subtract,
            "*" => ExprOp.Multiply,
            "//" => ExprOp.FloorDivide,
            "%" => ExprOp.Modulo,
            "min" => ExprOp.Min,
            "max" => ExprOp.Max,
            "==" => ExprOp.Equal,
            "!=" => ExprOp.NotEqual,
            "<" => ExprOp.Less,
            "<=" => ExprOp.LessOrEqual,
            ">" => ExprOp.Greater,
            ">=" => ExprOp.GreaterOrEqual,
            "and" => ExprOp.And,
            _ => ExprOp.Or,
        };
    }
}
