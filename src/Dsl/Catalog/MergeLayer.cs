using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Binding;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>add a, b</c>: the element-wise sum of tensors of equal shape (a residual connection); <c>concat a, b</c>: the
    /// tensors joined along the channels, whose other sizes must agree (an Inception-style merge). No parameters and no
    /// module: forward writes <c>a + b</c> or <c>torch.cat</c>.
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
                bool fits = isConcat
                    ? other.Shape.Rank == first.Shape.Rank && other.Shape.Dimensions.Skip(1).SequenceEqual(first.Shape.Dimensions.Skip(1))
                    : other.Shape == first.Shape;
                if (fits)
                    continue;
                if (isConcat)
                    context.Diagnostics.ReportConcatShapeMismatch(other.Location, context.LayerName, first.Name, first.Shape.ToString(), other.Name, other.Shape.ToString());
                else
                    context.Diagnostics.ReportAddShapeMismatch(other.Location, context.LayerName, first.Name, first.Shape.ToString(), other.Name, other.Shape.ToString());
                return null;
            }
            var output = isConcat
                ? first.Shape.WithDimensions(new[] { operands.Sum(o => o.Shape[0]) }.Concat(first.Shape.Dimensions.Skip(1)))
                : first.Shape;
            return new MergeConfig(isConcat, operands.Count, output);
        }
    }

    public sealed record MergeConfig(bool IsConcat, int Count, TensorShape Output) : LayerConfig
    {
        public override TensorShape OutputShape => Output;
        public override long Parameters => 0;
        public override string ModuleType => IsConcat ? "Concat" : "Add";
        public override bool HasModule => false;
        public override string EmitConstructor() => "";

        public override IReadOnlyList<string> EmitForward(string field, IReadOnlyList<string> inputs) =>
            new[] { IsConcat ? "global::TorchSharp.torch.cat(new[] { " + string.Join(", ", inputs) + " }, dim: 1)" : string.Join(" + ", inputs) };
    }
}
