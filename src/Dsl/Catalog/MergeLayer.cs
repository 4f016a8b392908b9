using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    public enum MergeKind
    {
        Add,
        Concat,
        Multiply,
    }

    /// <summary>
    /// <c>add a, b</c>: the element-wise sum of tensors of equal shape (a residual connection); <c>concat a, b</c>: the
    /// tensors joined along the channels, whose other sizes must agree (an Inception-style merge); <c>multiply a, b</c>:
    /// the element-wise product, where a size of 1 broadcasts over the other tensor's size (squeeze-and-excitation's
    /// Cx1x1 scale over CxHxW). No parameters and no module: forward writes <c>a + b</c>, <c>a * b</c> or
    /// <c>torch.cat</c>. Where branch sizes are expressions in the input's size variables, their equality becomes part of
    /// the accepted-size rule (it may hold only for some sizes, e.g. even ones).
    /// </summary>
    public sealed class MergeLayer : LayerKind
    {
        readonly MergeKind kind;

        public MergeLayer(MergeKind kind)
            : base(kind.ToString().ToLowerInvariant(), kind.ToString(), kind == MergeKind.Concat ? "concatenate" : kind.ToString().ToLowerInvariant(),
                kind == MergeKind.Concat ? "Joins tensors along the channels." : kind == MergeKind.Add ? "Adds tensors of equal shape." : "Multiplies tensors element-wise, broadcasting sizes of 1.")
        {
            this.kind = kind;
        }

        public override bool TakesTensorOperands => true;

        public override Equivalents Equivalents => kind switch
        {
            MergeKind.Add => new Equivalents("torch.add", "layers.Add",
                "A graph construct, no module: the export writes `a + b` in forward, as a residual connection is written in PyTorch; Keras' functional API adds the named tensors."),
            MergeKind.Concat => new Equivalents("torch.cat(dim=1)", "layers.Concatenate",
                "A graph construct, no module: joined along the channels, dimension 1 in NCHW, which is Keras' default `axis=-1` in NHWC."),
            _ => new Equivalents("torch.mul", "layers.Multiply",
                "A graph construct, no module: the export writes `a * b` in forward; a size of 1 broadcasts, as squeeze-and-excitation's (C, 1, 1) gate over (C, H, W)."),
        };

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            if (!context.CanInferShape)
                return null;
            var operands = context.Operands;
            var first = operands[0];
            var output = first.Shape;
            foreach (var other in operands.Skip(1))
            {
                if (other.Shape.Rank != first.Shape.Rank)
                {
                    Report(context, first, other);
                    return null;
                }
                if (kind == MergeKind.Multiply)
                {
                    var broadcast = Broadcast(context, first, output, other);
                    if (broadcast == null)
                        return null;
                    output = broadcast;
                }
                else if (!MustAgree(context, first, other))
                    return null;
            }
            if (kind == MergeKind.Concat)
                output = first.Shape.WithDimensions(new[] { operands.Select(o => o.Shape[0]).Aggregate(Exprs.Add) }.Concat(first.Shape.Dimensions.Skip(1)));
            return new MergeConfig(kind, operands.Count, output);
        }

        bool MustAgree(LayerBindingContext context, Operand first, Operand other)
        {
            for (int i = kind == MergeKind.Concat ? 1 : 0; i < first.Shape.Rank; i++)
            {
                if (!context.Require(Exprs.Equal(first.Shape[i], other.Shape[i]), () => Report(context, first, other)))
                    return false;
            }
            return true;
        }

        // A size of exactly 1 stretches over the other; any other pair must be equal (a rule on size variables if need be).
        TensorShape? Broadcast(LayerBindingContext context, Operand first, TensorShape sofar, Operand other)
        {
            var dimensions = new Expr[sofar.Rank];
            for (int i = 0; i < sofar.Rank; i++)
            {
                var a = sofar[i];
                var b = other.Shape[i];
                if (b is IntExpr { Value: 1 })
                    dimensions[i] = a;
                else if (a is IntExpr { Value: 1 })
                    dimensions[i] = b;
                else if (context.Require(Exprs.Equal(a, b), () => Report(context, first, other)))
                    dimensions[i] = a;
                else
                    return null;
            }
            return sofar.WithDimensions(dimensions);
        }

        void Report(LayerBindingContext context, Operand first, Operand other)
        {
            // Reported once per merge: Require calls this for the first size that differs.
            if (context.Diagnostics.Any(d => d.Location == other.Location))
                return;
            switch (kind)
            {
                case MergeKind.Concat:
                    context.Diagnostics.ReportConcatShapeMismatch(other.Location, context.LayerName, first.Name, first.Shape.ToString(), other.Name, other.Shape.ToString());
                    break;
                case MergeKind.Multiply:
                    context.Diagnostics.ReportMultiplyShapeMismatch(other.Location, context.LayerName, first.Name, first.Shape.ToString(), other.Name, other.Shape.ToString());
                    break;
                default:
                    context.Diagnostics.ReportAddShapeMismatch(other.Location, context.LayerName, first.Name, first.Shape.ToString(), other.Name, other.Shape.ToString());
                    break;
            }
        }
    }

    public sealed record MergeConfig(MergeKind Kind, int Count, TensorShape Output) : LayerConfig
    {
        public bool IsConcat => Kind == MergeKind.Concat;
        public override TensorShape OutputShape => Output;
        public override Expr Parameters => Exprs.Zero;
        public override string ModuleType => Kind.ToString();
        public override bool HasModule => false;

        public override LayerPlan Lower() => new LayerPlan(null, EquatableArray.Create<PlanStep>(new Merge(Kind)));
    }
}
