using System.Globalization;

namespace CnnDsl.Dsl.Symbolic
{
    /// <summary>Writes an expression in the .cnn language's notation, with only the parentheses precedence needs.</summary>
    public static class ExprPrinter
    {
        public static string Print(Expr expr) => Print(expr, 0);

        /// <summary>Binding strength: or 1, and 2, not 3, comparisons 4, + and - 5, * // % 6, atoms 7.</summary>
        public static int Precedence(ExprOp op) => op switch
        {
            ExprOp.Or => 1,
            ExprOp.And => 2,
            ExprOp.Add or ExprOp.Subtract => 5,
            ExprOp.Multiply or ExprOp.FloorDivide or ExprOp.Modulo => 6,
            ExprOp.Min or ExprOp.Max => 7,
            _ => 4,
        };

        public static string Symbol(ExprOp op) => op switch
        {
            ExprOp.Add => "+",
            ExprOp.Subtract => "-",
            ExprOp.Multiply => "*",
            ExprOp.FloorDivide => "//",
            ExprOp.Modulo => "%",
            ExprOp.Equal => "==",
            ExprOp.NotEqual => "!=",
            ExprOp.Less => "<",
            ExprOp.LessOrEqual => "<=",
            ExprOp.Greater => ">",
            ExprOp.GreaterOrEqual => ">=",
            ExprOp.And => "and",
            ExprOp.Or => "or",
            ExprOp.Min => "min",
            _ => "max",
        };

        static string Print(Expr expr, int context)
        {
            switch (expr)
            {
                case IntExpr i:
                    return i.Value < 0 && context > 4 ? "(" + i.Value.ToString(CultureInfo.InvariantCulture) + ")" : i.Value.ToString(CultureInfo.InvariantCulture);
                case RealExpr r:
                    return r.Value.ToString("R", CultureInfo.InvariantCulture);
                case BoolExpr b:
                    return b.Value ? "true" : "false";
                case VarExpr v:
                    return v.Name;
                case CondExpr c:
                    return Wrap(Print(c.WhenTrue, 1) + " if " + Print(c.Condition, 1) + " else " + Print(c.WhenFalse, 1), 0, context);
                case NotExpr n:
                    return Wrap("not " + Print(n.Operand, 3), 3, context);
                case BinaryExpr { Op: ExprOp.Min or ExprOp.Max } call:
                    return Symbol(call.Op) + "(" + Print(call.Left, 0) + ", " + Print(call.Right, 0) + ")";
                case BinaryExpr { Op: ExprOp.Add, Right: IntExpr { Value: < 0 and > long.MinValue } c } sum:
                    return Wrap(Print(sum.Left, 5) + " - " + (-c.Value).ToString(CultureInfo.InvariantCulture), 5, context);
                case BinaryExpr { Op: ExprOp.Multiply, Right: IntExpr factor } scaled:
                    // The normal form keeps constants on the right; a reader writes 8 * (H - 2).
                    return Wrap(Print(factor, 6) + " * " + Print(scaled.Left, 7), 6, context);
                case BinaryExpr b:
                    int precedence = Precedence(b.Op);
                    // Left-associative: the right operand of - // % needs parentheses at equal strength.
                    return Wrap(Print(b.Left, precedence) + " " + Symbol(b.Op) + " " + Print(b.Right, precedence + 1), precedence, context);
                default:
                    return expr.GetType().Name;
            }
        }

        static string Wrap(string text, int precedence, int context) => precedence < context ? "(" + text + ")" : text;
    }
}
