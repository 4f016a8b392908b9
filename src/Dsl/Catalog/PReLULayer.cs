using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// <c>prelu</c>: a leaky ReLU whose negative slope is learned, one for all channels (PyTorch's default) or one per
    /// channel (<c>per_channel=true</c>); any input, same shape; 1 or C parameters; <c>nn.PReLU(num_parameters, init)</c>.
    /// </summary>
    public sealed class PReLULayer : LayerKind
    {
        public PReLULayer()
            : base("prelu", "PReLU", "p_re_lu", "A leaky ReLU with a learned slope for negative inputs.",
                new ParameterSpec("per_channel", ParameterType.Boolean, "whether each channel learns its own slope", defaultText: "false"),
                new ParameterSpec("init", ParameterType.Float, "the slope's initial value", defaultText: "0.25"))
        {
        }

        public override Equivalents Equivalents => new Equivalents("nn.PReLU", "layers.PReLU",
            "PyTorch's defaults: one slope starting at 0.25. Keras' PReLU starts at 0 with a slope per element; `shared_axes=[1, 2]` gives one per channel.");

        public override LayerConfig? Bind(LayerBindingContext context)
        {
            var arguments = context.Arguments;
            var perChannel = arguments.Boolean("per_channel", false);
            var init = arguments.Float("init", 0.25)!;
            if (!context.CanInferShape)
                return null;
            if (!(perChannel is BoolExpr known))
            {
                context.Diagnostics.ReportUnsupportedBlockParameter(arguments.LocationOf("per_channel")!, context.Session.ActiveBlocks.LastOrDefault() ?? context.LayerName,
                    perChannel.ToString(), "decides per_channel of a prelu; write true or false there");
                return null;
            }
            var slopes = known.Value ? context.Input[0] : Exprs.One;
            if (known.Value && !context.Session.IsFunction && !(slopes is IntExpr))
            {
                context.Diagnostics.ReportFeaturesDependOnInputSize(context.Syntax.Location, context.LayerName, slopes.ToString());
                return null;
            }
            return new PReLUConfig(slopes, init, context.Input);
        }
    }

    public sealed record PReLUConfig(Expr Slopes, Expr Init, TensorShape Input) : LayerConfig
    {
        public override TensorShape OutputShape => Input;
        public override Expr Parameters => Slopes;
        public override string ModuleType => "PReLU";

        public override LayerPlan Lower() => LayerPlan.Call(PlanModule.Of("PReLU",
            PlanArguments.Int("num_parameters", Slopes, 1), PlanArguments.Real("init", Init, 0.25))
            .WithTensors(new PlanTensor("weight", EquatableArray.Create(Slopes), new PlanInit(PlanInitKind.Fill, Value: Init))));
    }
}
