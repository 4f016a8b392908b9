using System;
using System.Collections.Generic;

namespace CnnDsl.Dsl.Symbolic
{
    /// <summary>Evaluates an expression for given variable values, with the same checked arithmetic as folding.</summary>
    internal static class ExprEvaluator
    {
        public static long Evaluate(Expr expr, IReadOnlyDictionary<string, long> variables)
        {
            switch (expr)
            {
                case IntExpr i:
                    return i.Value;
                case BoolExpr b:
                    return b.Value ? 1 : 0;
                case VarExpr v:
                    return variables.TryGetValue(v.Name, out var value) ? value : throw new KeyNotFoundException("No value for '" + v.Name + "'");
                case CondExpr c:
                    return Evaluate(c.Condition, variables) != 0 ? Evaluate(c.WhenTrue, variables) : Evaluate(c.WhenFalse, variables);
                case NotExpr n:
                    return Evaluate(n.Operand, variables) == 0 ? 1 : 0;
                case BinaryExpr b:
                    long x = Evaluate(b.Left, variables), y = Evaluate(b.Right, variables);
                    switch (b.Op)
                    {
                        case ExprOp.Add: return Exprs.Checked(() => checked(x + y));
                        case ExprOp.Subtract: return Exprs.Checked(() => checked(x - y));
                        case ExprOp.Multiply: return Exprs.Checked(() => checked(x * y));
                        case ExprOp.FloorDivide:
                            if (y == 0)
                                throw new DivideByZeroException();
                            return Exprs.FloorDiv(x, y);
                        case ExprOp.Modulo:
                            if (y == 0)
                                throw new DivideByZeroException();
                            return x - Exprs.FloorDiv(x, y) * y;
                        case ExprOp.Min: return Math.Min(x, y);
                        case ExprOp.Max: return Math.Max(x, y);
                        default: return Exprs.Compare(b.Op, x, y) ? 1 : 0;
                    }
                default:
                    throw new InvalidOperationException("A real number is not a size");
            }
        }
    }
}
