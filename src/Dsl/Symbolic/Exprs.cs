using System;

namespace CnnDsl.Dsl.Symbolic
{
    /// <summary>
    /// Smart constructors: constants fold (overflow-checked), and sizes keep one normal form so that simplification is
    /// what a reader would do by hand: constants to the right, <c>(x // s) + c</c> as <c>(x + c*s) // s</c>, and
    /// <c>(x // s) // t</c> as <c>x // (s*t)</c> (exact for whole numbers and positive divisors). Two layers that compute
    /// the same size from the same input then build equal expressions.
    /// </summary>
    public static class Exprs
    {
        public static IntExpr Int(long value) => new IntExpr(value);

        public static readonly IntExpr Zero = new IntExpr(0);
        public static readonly IntExpr One = new IntExpr(1);

        public static Expr Add(Expr a, Expr b)
        {
            if (a is IntExpr x && b is IntExpr y)
                return Int(Checked(() => checked(x.Value + y.Value)));
            if (a is IntExpr && !(b is IntExpr))
                (a, b) = (b, a);
            if (b is IntExpr c)
            {
                if (c.Value == 0)
                    return a;
                if (a is BinaryExpr { Op: ExprOp.Add, Right: IntExpr inner } sum)
                    return Add(sum.Left, Int(Checked(() => checked(inner.Value + c.Value))));
                if (a is BinaryExpr { Op: ExprOp.FloorDivide, Right: IntExpr divisor } quotient && divisor.Value > 0)
                    return FloorDiv(Add(quotient.Left, Int(Checked(() => checked(c.Value * divisor.Value)))), divisor);
            }
            return new BinaryExpr(ExprOp.Add, a, b);
        }

        public static Expr Subtract(Expr a, Expr b)
        {
            if (a is IntExpr x && b is IntExpr y)
                return Int(Checked(() => checked(x.Value - y.Value)));
            if (b is IntExpr c)
                return c.Value == long.MinValue ? new BinaryExpr(ExprOp.Subtract, a, b) : Add(a, Int(-c.Value));
            if (a.Equals(b))
                return Zero;
            return new BinaryExpr(ExprOp.Subtract, a, b);
        }

        public static Expr Multiply(Expr a, Expr b)
        {
            if (a is IntExpr x && b is IntExpr y)
                return Int(Checked(() => checked(x.Value * y.Value)));
            if (a is IntExpr && !(b is IntExpr))
                (a, b) = (b, a);
            if (b is IntExpr c)
            {
                if (c.Value == 1)
                    return a;
                if (c.Value == 0)
                    return Zero;
                if (a is BinaryExpr { Op: ExprOp.Multiply, Right: IntExpr inner } product)
                    return Multiply(product.Left, Int(Checked(() => checked(inner.Value * c.Value))));
            }
            return new BinaryExpr(ExprOp.Multiply, a, b);
        }

        /// <summary>Floor division (rounds toward minus infinity, as Python's <c>//</c>); the caller rules out a zero divisor.</summary>
        public static Expr FloorDiv(Expr a, Expr b)
        {
            if (a is IntExpr x && b is IntExpr y)
                return Int(FloorDiv(x.Value, y.Value));
            if (b is IntExpr s && s.Value > 0)
            {
                if (s.Value == 1)
                    return a;
                if (a is BinaryExpr { Op: ExprOp.FloorDivide, Right: IntExpr inner } quotient && inner.Value > 0)
                    return FloorDiv(quotient.Left, Int(Checked(() => checked(inner.Value * s.Value))));
                if (a is BinaryExpr { Op: ExprOp.Multiply, Right: IntExpr factor } product && factor.Value % s.Value == 0)
                    return Multiply(product.Left, Int(factor.Value / s.Value));
            }
            return new BinaryExpr(ExprOp.FloorDivide, a, b);
        }

        /// <summary>Ceiling division for a positive divisor: <c>(a + b - 1) // b</c>.</summary>
        public static Expr CeilDivBy(Expr a, Expr b) => FloorDiv(Add(a, Subtract(b, One)), b);

        public static Expr Modulo(Expr a, Expr b)
        {
            if (a is IntExpr x && b is IntExpr y)
                return Int(x.Value - FloorDiv(x.Value, y.Value) * y.Value);
            if (b is IntExpr { Value: 1 })
                return Zero;
            return new BinaryExpr(ExprOp.Modulo, a, b);
        }

        public static Expr Min(Expr a, Expr b) =>
            a is IntExpr x && b is IntExpr y ? Int(Math.Min(x.Value, y.Value)) : a.Equals(b) ? a : new BinaryExpr(ExprOp.Min, a, b);

        public static Expr Max(Expr a, Expr b) =>
            a is IntExpr x && b is IntExpr y ? Int(Math.Max(x.Value, y.Value)) : a.Equals(b) ? a : new BinaryExpr(ExprOp.Max, a, b);

        public static Expr Compare(ExprOp op, Expr a, Expr b)
        {
            if (a.Constant is long x && b.Constant is long y)
                return new BoolExpr(Compare(op, x, y));
            if (a.Equals(b) && (op == ExprOp.Equal || op == ExprOp.LessOrEqual || op == ExprOp.GreaterOrEqual))
                return new BoolExpr(true);
            if (a.Equals(b) && (op == ExprOp.NotEqual || op == ExprOp.Less || op == ExprOp.Greater))
                return new BoolExpr(false);
            return new BinaryExpr(op, a, b);
        }

        public static Expr Equal(Expr a, Expr b) => Compare(ExprOp.Equal, a, b);

        public static Expr AtLeast(Expr a, long b) => Compare(ExprOp.GreaterOrEqual, a, Int(b));

        public static Expr And(Expr a, Expr b)
        {
            if (a is BoolExpr x)
                return x.Value ? b : a;
            if (b is BoolExpr y)
                return y.Value ? a : b;
            return new BinaryExpr(ExprOp.And, a, b);
        }

        public static Expr Or(Expr a, Expr b)
        {
            if (a is BoolExpr x)
                return x.Value ? a : b;
            if (b is BoolExpr y)
                return y.Value ? b : a;
            return new BinaryExpr(ExprOp.Or, a, b);
        }

        public static Expr Conditional(Expr condition, Expr whenTrue, Expr whenFalse) =>
            condition is BoolExpr known ? (known.Value ? whenTrue : whenFalse) : whenTrue.Equals(whenFalse) ? whenTrue : new CondExpr(condition, whenTrue, whenFalse);

        public static Expr Not(Expr a) => a is BoolExpr b ? new BoolExpr(!b.Value) : a is NotExpr n ? n.Operand : new NotExpr(a);

        public static Expr Binary(ExprOp op, Expr a, Expr b) => op switch
        {
            ExprOp.Add => Add(a, b),
            ExprOp.Subtract => Subtract(a, b),
            ExprOp.Multiply => Multiply(a, b),
            ExprOp.FloorDivide => FloorDiv(a, b),
            ExprOp.Modulo => Modulo(a, b),
            ExprOp.Min => Min(a, b),
            ExprOp.Max => Max(a, b),
            ExprOp.And => And(a, b),
            ExprOp.Or => Or(a, b),
            _ => Compare(op, a, b),
        };

        public static long FloorDiv(long a, long b)
        {
            if (b == -1 && a == long.MinValue)
                throw new SizeOverflowException("A quotient");
            return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
        }

        public static bool Compare(ExprOp op, long x, long y) => op switch
        {
            ExprOp.Equal => x == y,
            ExprOp.NotEqual => x != y,
            ExprOp.Less => x < y,
            ExprOp.LessOrEqual => x <= y,
            ExprOp.Greater => x > y,
            ExprOp.GreaterOrEqual => x >= y,
            ExprOp.And => x != 0 && y != 0,
            ExprOp.Or => x != 0 || y != 0,
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };

        internal static long Checked(Func<long> compute)
        {
            try
            {
                return compute();
            }
            catch (OverflowException)
            {
                throw new SizeOverflowException("A size or count");
            }
        }
    }
}
