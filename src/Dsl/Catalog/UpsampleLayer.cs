using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>upsample scale=2</c> or <c>upsample size=(H, W)</c> on (C, L), (C, H, W) or (C, D, H, W): each spatial size
    /// multiplied by the scale, or set to the size; no parameters; <c>nn.Upsample(scale_factor, mode, align_corners)</c>.
    /// <c>mode</c> is nearest or the linear interpolation of the input's rank (linear, bilinear, trilinear);
    /// <c>align_corners</c> applies to the linear modes only, as in PyTorch.
    /// </summary>
    public sealed class UpsampleLayer : LayerKind
    {
        static readonly string[] Modes = { "nearest", "linear", "bilinear", "trilinear" };

        public UpsampleLayer()
            : base("upsample", "Upsample", "up_sampling", "Enlarges each spatial dimension by a whole factor or to a given size.",
                new ParameterSpec("scale", ParameterType.Size, "the whole factor each spatial size is multiplied by, e.g. 2", positional: true),
                new ParameterSpec("size", ParameterType.Size, "the output's spatial size, e.g. (64, 64)"),
                new ParameterSpec("mode", ParameterType.Choice, "nearest, linear (1-D), bilinear (2-D) or trilinear (3-D)", defaultText: "nearest"),
                new ParameterSpec("align_corners", ParameterType.Boolean, "whether linear modes align the corner pixels (PyTorch's align_corners)", defaultText: "false"))
        {
        }

        public override Equivalents Equivalents => new Equivalents("nn.Upsample", "layers.UpSampling2D",
            "Keras' UpSampling1D/2D/3D take whole factors (nearest; bilinear in 2-D, without `align_corners`); an output `size=` is Keras' `layers.Resizing`.");

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var arguments = context.Arguments;
            var mode = arguments.Choice("mode", Modes, "nearest");
            var alignCorners = arguments.Boolean("align_corners", false);
            if (arguments.HasErrors)
                return null;
            if (arguments.IsGiven("scale") && arguments.IsGiven("size"))
            {
                context.Diagnostics.ReportConflictingArguments(arguments.LocationOf("size")!, context.LayerName, "scale", "size", "give a factor (scale=2) or an output size (size=(64, 64))");
                return null;
            }
            if (!arguments.IsGiven("scale") && !arguments.IsGiven("size"))
            {
                context.Diagnostics.ReportMissingArgument(context.Syntax.Kind.Location, context.LayerName, "scale", "the whole factor to enlarge by, e.g. 2 (or size=(H, W))");
                return null;
            }
            if (mode == "nearest" && arguments.IsGiven("align_corners"))
            {
                arguments.OutOfRange("align_corners", alignCorners.ToString(), "left out with mode=nearest: it applies to the linear modes only");
                return null;
            }
            if (!context.CanInferShape)
                return null;
            int rank = context.Input.Rank - 1;
            if (rank < 1 || rank > 3)
            {
                context.ReportRank("a (channels, length), (channels, height, width) or (channels, depth, height, width) input", context.Input.Rank == 1 ? "; upsample cannot follow flatten or dense" : "");
                return null;
            }
            var linear = rank == 1 ? "linear" : rank == 2 ? "bilinear" : "trilinear";
            if (mode != "nearest" && mode != linear)
            {
                arguments.OutOfRange("mode", mode, "nearest or " + linear + " for a " + SpatialWindow.Describe(rank) + " input");
                return null;
            }
            var scale = arguments.Size("scale", rank);
            var size = arguments.Size("size", rank);
            if (arguments.HasErrors || !arguments.AtLeast("scale", scale, 1) || !arguments.AtLeast("size", size, 1))
                return null;
            var spatial = context.Input.Dimensions.Skip(1).ToArray();
            var output = size ?? spatial.Select((n, i) => Exprs.Multiply(n, scale![i])).ToArray();
            return new UpsampleConfig(rank, scale?.ToEquatableArray(), size?.ToEquatableArray(), mode, alignCorners,
                new TensorShape(new[] { context.Input[0] }.Concat(output)));
        }
    }

    public sealed record UpsampleConfig(int Rank, EquatableArray<Expr>? Scale, EquatableArray<Expr>? Size, string Mode, Expr AlignCorners, TensorShape Output) : LayerConfig
    {
        public override TensorShape OutputShape => Output;
        public override Expr Parameters => Exprs.Zero;
        public override string ModuleType => "Upsample";

        public override LayerPlan Lower()
        {
            var arguments = new List<PlanArgument>
            {
                Size is { } size ? new PlanArgument("size", new SizesValue(size, AlwaysTuple: true)) : new PlanArgument("scale_factor", new RealsValue(Scale!.Value)),
                PlanArguments.Text("mode", Mode),
            };
            // nearest takes no align_corners.
            if (Mode != "nearest")
                arguments.Add(new PlanArgument("align_corners", new BoolValue(AlignCorners)));
            return LayerPlan.Call(new PlanModule("Upsample", arguments.ToEquatableArray()));
        }
    }
}
