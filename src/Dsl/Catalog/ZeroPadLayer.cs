using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>zeropad2d padding</c> (and 1d, 3d) on (C, spatial...): adds zeros around each sample, n' = n + before + after;
    /// no parameters; <c>nn.ZeroPad2d((left, right, top, bottom))</c>, <c>nn.ConstantPad1d</c>/<c>3d</c> with 0.
    /// </summary>
    public sealed class ZeroPadLayer : LayerKind
    {
        readonly int rank;

        public ZeroPadLayer(int rank)
            : base("zeropad" + rank + "d", "ZeroPad" + rank + "d", "zero_padding" + rank + "d", "Pads each sample with zeros.",
                new ParameterSpec("padding", ParameterType.Padding, "a size for every side, one per dimension, or (before, after) per dimension", required: true, positional: true))
        {
            this.rank = rank;
        }

        public override Equivalents Equivalents => rank == 2
            ? new Equivalents("nn.ZeroPad2d", "layers.ZeroPadding2D", "PyTorch lists the padding last dimension first: (left, right, top, bottom).")
            : new Equivalents("nn.ConstantPad" + rank + "d", "layers.ZeroPadding" + rank + "D",
                "The export writes `nn.ConstantPad" + rank + "d(padding, 0.0)`, which PyTorch versions before `nn.ZeroPad" + rank + "d` read too; PyTorch lists the padding last dimension first.");

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var arguments = context.Arguments;
            var padding = arguments.Padding("padding", rank);
            if (!arguments.HasErrors && padding.Mode != PaddingMode.Explicit)
                arguments.OutOfRange("padding", padding.Mode == PaddingMode.Same ? "same" : "valid", "explicit sizes, as in padding=1 or padding=((1, 2), (1, 2))");
            if (arguments.HasErrors || !SpatialWindow.CheckPaddingNotNegative(arguments, padding) || !context.CanInferShape)
                return null;
            if (context.Input.Rank != rank + 1)
            {
                context.ReportRank("a " + SpatialWindow.Describe(rank) + " input", SpatialWindow.RankHint(context.Input, "zeropad", rank));
                return null;
            }
            var perSide = padding.PerSide;
            var output = context.Input.Dimensions.Select((n, i) => i == 0 ? n : Exprs.Add(Exprs.Add(n, perSide[2 * (i - 1)]), perSide[2 * (i - 1) + 1])).ToList();
            return new ZeroPadConfig(rank, perSide, context.Input.WithDimensions(output));
        }
    }

    public sealed record ZeroPadConfig(int Rank, EquatableArray<Expr> PerSide, TensorShape Output) : LayerConfig
    {
        public override TensorShape OutputShape => Output;
        public override Expr Parameters => Exprs.Zero;
        public override string ModuleType => Rank == 2 ? "ZeroPad2d" : "ConstantPad" + Rank + "d";

        // PyTorch's padding modules take the sides last dimension first (left, right, top, bottom, ...); ConstantPad a fill.
        public override LayerPlan Lower()
        {
            var arguments = new List<PlanArgument> { new PlanArgument("padding", new SizesValue(SpatialWindow.PadOrder(PerSide).ToEquatableArray(), AlwaysTuple: true), Positional: true) };
            if (Rank != 2)
                arguments.Add(new PlanArgument("value", new RealValue(new RealExpr(0)), Positional: true));
            return LayerPlan.Call(new PlanModule(ModuleType, arguments.ToEquatableArray()));
        }
    }
}
