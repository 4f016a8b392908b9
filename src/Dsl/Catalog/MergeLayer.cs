using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>add a, b</c>: the element-wise sum of tensors of equal shape (a residual connection); <c>concat a, b</c>: the
    /// tensors joined along the channels, whose other sizes must agree (an Inception-style merge). No parameters and no
    /// module: forward writes <c>a + b</c> or <c>torch.cat</c>. Where branch sizes are expressions in the input's size
    /// variables, their equality becomes part of the accepted-size rule (it may hold only for some sizes, e.g. even ones).
    /// </summary>
    public sealed class MergeLayer : LayerKind
    {
        readonly bool isConcat;

        public MergeLayer(bool isConcat)
            : base(isConcat ? "concat" : "add", isConcat ? "Concat" : "Add", isConcat ? "concatenate" : "add",
                isConcat ? "Joins tensors along the channels." : "Adds tensors of equal shape.")
        {
            this.isConcat = isConcat;
        }

        public override bool TakesTensorOperands => true;

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            if (!context.CanInferShape)
                return null;
            var operands = context.Operands;
            var first = operands[0];
            foreach (var other in operands.Skip(1))
            {
                if (other.Shape.Rank == first.Shape.Rank && MustAgree(context, first, other))
                    continue;
                Report(context, first, other);
                return null;
            }
            var output = isConcat
                ? first.Shape.WithDimensions(new[] { operands.Select(o => o.Shape[0]).Aggregate(Exprs.Add) }.Concat(first.Shape.Dimensions.Skip(1)))
                : first.Shape;
            return new MergeConfig(isConcat, operands.Count, output);
        }

        bool MustAgree(LayerBindingContext context, Operand first, Operand other)
        {
            for (int i = isConcat ? 1 : 0; i < first.Shape.Rank; i++)
            {
                if (!context.Require(Exprs.Equal(first.Shape[i], other.Shape[i]), () => Report(context, first, other)))
                    return false;
            }
            return true;
        }

        void Report(LayerBindingContext context, Operand first, Operand other)
        {
            // Reported once per merge: Require calls this for the first size that differs.
            if (context.Diagnostics.Any(d => d.Location == other.Location))
                return;
            if (isConcat)
                context.Diagnostics.ReportConcatShapeMismatch(other.Location, context.LayerName, first.Name, first.Shape.ToString(), other.Name, other.Shape.ToString());
            else
                context.Diagnostics.ReportAddShapeMismatch(other.Location, context.LayerName, first.Name, first.Shape.ToString(), other.Name, other.Shape.ToString());
        }
    }

    public sealed record MergeConfig(bool IsConcat, int Count, TensorShape Output) : LayerConfig
    {
        public override TensorShape OutputShape => Output;
        public override Expr Parameters => Exprs.Zero;
        public override string ModuleType => IsConcat ? "Concat" : "Add";
        public override bool HasModule => false;
    }
}
