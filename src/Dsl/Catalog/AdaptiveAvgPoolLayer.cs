using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>adaptive_avgpool2d output_size</c> (and 1d, 3d) on (C, spatial...): averages into a fixed output size, output
    /// (C, output_size...) whatever the input size; no parameters; <c>nn.AdaptiveAvgPool2d(output_size)</c>.
    /// </summary>
    public sealed class AdaptiveAvgPoolLayer : LayerKind
    {
        readonly int rank;

        public AdaptiveAvgPoolLayer(int rank)
            : base("adaptive_avgpool" + rank + "d", "AdaptiveAvgPool" + rank + "d", "adaptive_average_pooling" + rank + "d",
                "Averages each channel into a fixed output size.",
                new ParameterSpec("output_size", ParameterType.Size, "the output size, e.g. 1 or " + SpatialWindow.ExampleTuple(rank), required: true, positional: true))
        {
            this.rank = rank;
        }

        public override Equivalents Equivalents => new Equivalents("nn.AdaptiveAvgPool" + rank + "d", "layers.AdaptiveAveragePooling" + rank + "D",
            "Keras has the layer only in recent Keras 3 releases; before, `layers.GlobalAveragePooling" + rank + "D(keepdims=True)` is the output size 1.");

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var arguments = context.Arguments;
            var size = arguments.Size("output_size", rank) ?? SpatialWindow.Ones(rank);
            if (arguments.HasErrors || !arguments.AtLeast("output_size", size, 1) || !context.CanInferShape)
                return null;
            if (context.Input.Rank != rank + 1)
            {
                context.ReportRank("a " + SpatialWindow.Describe(rank) + " input", SpatialWindow.RankHint(context.Input, "adaptive_avgpool", rank));
                return null;
            }
            return new AdaptiveAvgPoolConfig(rank, size.ToEquatableArray(), new TensorShape(new[] { context.Input[0] }.Concat(size)));
        }
    }

    public sealed record AdaptiveAvgPoolConfig(int Rank, EquatableArray<Expr> Size, TensorShape Output) : LayerConfig
    {
        public override TensorShape OutputShape => Output;
        public override Expr Parameters => Exprs.Zero;
        public override string ModuleType => "AdaptiveAvgPool" + Rank + "d";

        public override LayerPlan Lower() => LayerPlan.Call(PlanModule.Of(ModuleType,
            new PlanArgument("output_size", new SizesValue(Size), Positional: true)));
    }
}
