using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>global_avgpool2d</c>, <c>global_maxpool2d</c> (and 1d, 3d) on (C, spatial...): the mean or maximum over all
    /// spatial positions, output (C) as Keras' GlobalAveragePooling2D; no parameters; <c>CnnDsl.Layers.GlobalAvgPool2d</c>.
    /// </summary>
    public sealed class GlobalPoolLayer : LayerKind
    {
        readonly int rank;
        readonly bool isMax;

        public GlobalPoolLayer(int rank, bool isMax)
            : base((isMax ? "global_maxpool" : "global_avgpool") + rank + "d", (isMax ? "GlobalMaxPool" : "GlobalAvgPool") + rank + "d",
                (isMax ? "global_max_pooling" : "global_average_pooling") + rank + "d",
                (isMax ? "The maximum" : "The mean") + " of each channel over all positions.")
        {
            this.rank = rank;
            this.isMax = isMax;
        }

        public override Equivalents Equivalents => new Equivalents(
            (isMax ? "torch.amax" : "torch.mean") + "(x, dim=" + SpatialDimensions + ")",
            (isMax ? "layers.GlobalMaxPooling" : "layers.GlobalAveragePooling") + rank + "D",
            "The output is (C), as Keras' layer without `keepdims`. PyTorch has no module for it: the export reduces in forward; "
            + "`nn.Adaptive" + (isMax ? "Max" : "Avg") + "Pool" + rank + "d(1)` followed by `nn.Flatten()` is the same as modules.");

        string SpatialDimensions => "(" + string.Join(", ", System.Linq.Enumerable.Range(2, rank)) + (rank == 1 ? ",)" : ")");

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            if (!context.CanInferShape)
                return null;
            if (context.Input.Rank != rank + 1)
            {
                context.ReportRank("a " + SpatialWindow.Describe(rank) + " input", SpatialWindow.RankHint(context.Input, isMax ? "global_maxpool" : "global_avgpool", rank));
                return null;
            }
            return new GlobalPoolConfig(rank, isMax, new TensorShape(new[] { context.Input[0] }));
        }
    }

    public sealed record GlobalPoolConfig(int Rank, bool IsMax, TensorShape Output) : LayerConfig
    {
        public override TensorShape OutputShape => Output;
        public override Expr Parameters => Exprs.Zero;
        public override string ModuleType => (IsMax ? "GlobalMaxPool" : "GlobalAvgPool") + Rank + "d";

        // No parameters or buffers: a plain reduction in forward, as Keras' global pooling.
        public override LayerPlan Lower() => new LayerPlan(null, EquatableArray.Create<PlanStep>(new GlobalReduce(IsMax, Rank)));
    }
}
