using System.Collections.Generic;
using System.Globalization;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Generator
{
    /// <summary>
    /// Writes an <see cref="Expr"/> as C#: numbers as literals, variables as the names of the generated constructor's
    /// parameters (or of <c>Accepts</c>' arguments), floor division through <c>CnnDsl.Layers.Sizes</c> because C#'s
    /// <c>/</c> truncates. Records which variables it wrote, so a class declares exactly the parameters it uses.
    /// </summary>
    internal sealed class CSharpExpressions
    {
        readonly System.Func<string, string>? rename;

        public CSharpExpressions(System.Func<string, string>? rename = null) => this.rename = rename;

        public HashSet<string> Used { get; } = new HashSet<string>();

        public string Write(Expr expr) => Write(expr, 0);

        public static string Name(string name) => Names.IsCSharpKeyword(name) ? "@" + name : name;

        public static string Real(double value) =>
            double.IsNaN(value) ? "double.NaN"
            : double.IsPositiveInfinity(value) ? "double.PositiveInfinity"
            : double.IsNegativeInfinity(value) ? "double.NegativeInfinity"
            : value.ToString("R", CultureInfo.InvariantCulture);

        // C#'s precedence: || 1, && 2, == != 3, < <= > >= 4, + - 5, * % 6, unary and calls 7.
        string Write(Expr expr, int context)
        {
            switch (expr)
            {
                case IntExpr i:
                    if (i.Value == long.MinValue)
                        return "long.MinValue";
                    return i.Value < 0 && context > 0 ? "(" + i.Value.ToString(CultureInfo.InvariantCulture) + ")" : i.Value.ToString(CultureInfo.InvariantCulture);
                case RealExpr r:
                    return Real(r.Value);
                case BoolExpr b:
                    return b.Value ? "true" : "false";
                case VarExpr v:
                    Used.Add(v.Name);
                    return rename == null ? Name(v.Name) : rename(v.Name);
                case NotExpr n:
                    return "!" + Write(n.Operand, 7);
                case CondExpr c:
                    return Wrap(Write(c.Condition, 1) + " ? " + Write(c.WhenTrue, 1) + " : " + Write(c.WhenFalse, 1), 0, context);
                case BinaryExpr { Op: ExprOp.FloorDivide } d:
                    return "global::CnnDsl.Layers.Sizes.FloorDiv(" + Write(d.Left, 0) + ", " + Write(d.Right, 0) + ")";
                case BinaryExpr { Op: ExprOp.Modulo } m:
                    return "global::CnnDsl.Layers.Sizes.Mod(" + Write(m.Left, 0) + ", " + Write(m.Right, 0) + ")";
                case BinaryExpr { Op: ExprOp.Min or ExprOp.Max } call:
                    return "global::System.Math." + (call.Op == ExprOp.Min ? "Min" : "Max") + "(" + Write(call.Left, 0) + ", " + Write(call.Right, 0) + ")";
                case BinaryExpr { Op: ExprOp.Add, Right: IntExpr { Value: < 0 and > long.MinValue } negative } sum:
                    return Wrap(Write(sum.Left, 5) + " - " + (-negative.Value).ToString(CultureInfo.InvariantCulture), 5, context);
                case BinaryExpr b:
                    var (symbol, precedence) = b.Op switch
                    {
                        ExprOp.Add => ("+", 5),
                        ExprOp.Subtract => ("-", 5),
                        ExprOp.Multiply => ("*", 6),
                        ExprOp.Equal => ("==", 3),
                        ExprOp.NotEqual => ("!=", 3),
                        ExprOp.Less => ("<", 4),
                        ExprOp.LessOrEqual => ("<=", 4),
                        ExprOp.Greater => (">", 4),
                        ExprOp.GreaterOrEqual => (">=", 4),
                        ExprOp.And => ("&&", 2),
                        _ => ("||", 1),
                    };
                    return Wrap(Write(b.Left, precedence) + " " + symbol + " " + Write(b.Right, precedence + 1), precedence, context);
                default:
                    return expr.ToString();
            }
        }

        static string Wrap(string text, int precedence, int context) => precedence < context ? "(" + text + ")" : text;
    }
}
