using System.Collections.Generic;

namespace CnnDsl.Dsl.Symbolic
{
    public enum ExprOp
    {
        Add,
        Subtract,
        Multiply,
        FloorDivide,
        Modulo,
        Min,
        Max,
        Equal,
        NotEqual,
        Less,
        LessOrEqual,
        Greater,
        GreaterOrEqual,
        And,
        Or,
    }

    /// <summary>What an expression evaluates to: a whole number, a real number (a rate or epsilon), or a condition.</summary>
    public enum ExprType
    {
        Integer,
        Real,
        Boolean,
    }

    /// <summary>
    /// A bound expression over whole numbers: a size, a count or a condition, possibly over named variables (block
    /// parameters, <c>in_channels</c>, input sizes such as <c>H</c>). Built through the smart constructors in
    /// <see cref="Exprs"/>, which fold constants with overflow checks and keep sizes in a readable normal form
    /// (<c>(H + 31) // 32</c>), so that two routes to the same size compare equal.
    /// </summary>
    public abstract record Expr
    {
        public abstract ExprType Type { get; }

        /// <summary>The value when the expression has no variables; conditions are 1 or 0.</summary>
        public long? Constant => this is IntExpr i ? i.Value : this is BoolExpr b ? (b.Value ? 1 : 0) : (long?)null;

        public bool IsConstant => this is IntExpr || this is BoolExpr || this is RealExpr;

        /// <summary>Written in the language's own notation.</summary>
        public sealed override string ToString() => ExprPrinter.Print(this);

        /// <summary>Evaluates with every variable given; throws <see cref="SizeOverflowException"/> or <see cref="System.DivideByZeroException"/>.</summary>
        public long Evaluate(IReadOnlyDictionary<string, long> variables) => ExprEvaluator.Evaluate(this, variables);

        /// <summary>The names of the variables it reads.</summary>
        public IReadOnlyCollection<string> Variables()
        {
            var names = new SortedSet<string>(System.StringComparer.Ordinal);
            Collect(this, names);
            return names;
        }

        static void Collect(Expr expr, SortedSet<string> names)
        {
            switch (expr)
            {
                case VarExpr v:
                    names.Add(v.Name);
                    break;
                case BinaryExpr b:
                    Collect(b.Left, names);
                    Collect(b.Right, names);
                    break;
                case NotExpr n:
                    Collect(n.Operand, names);
                    break;
                case CondExpr c:
                    Collect(c.Condition, names);
                    Collect(c.WhenTrue, names);
                    Collect(c.WhenFalse, names);
                    break;
            }
        }
    }

    public sealed record IntExpr(long Value) : Expr
    {
        public override ExprType Type => ExprType.Integer;
    }

    public sealed record RealExpr(double Value) : Expr
    {
        public override ExprType Type => ExprType.Real;
    }

    public sealed record BoolExpr(bool Value) : Expr
    {
        public override ExprType Type => ExprType.Boolean;
    }

    /// <summary>A named value not known here: a block parameter (known per use) or an input size variable.</summary>
    public sealed record VarExpr(string Name, ExprType VariableType = ExprType.Integer) : Expr
    {
        public override ExprType Type => VariableType;
    }

    public sealed record BinaryExpr(ExprOp Op, Expr Left, Expr Right) : Expr
    {
        public override ExprType Type => Op >= ExprOp.Equal ? ExprType.Boolean : ExprType.Integer;
    }

    /// <summary><c>a if condition else b</c>: a size after an <c>if</c> in a block, which depends on the block's parameters.</summary>
    public sealed record CondExpr(Expr Condition, Expr WhenTrue, Expr WhenFalse) : Expr
    {
        public override ExprType Type => WhenTrue.Type;
    }

    public sealed record NotExpr(Expr Operand) : Expr
    {
        public override ExprType Type => ExprType.Boolean;
    }

    /// <summary>A size, count or value that does not fit in 64 bits (libtorch's limit for sizes and element counts).</summary>
    public sealed class SizeOverflowException : System.Exception
    {
        public SizeOverflowException(string what)
            : base(what + " exceeds 9,223,372,036,854,775,807, the largest size a tensor can have")
        {
        }
    }
}
