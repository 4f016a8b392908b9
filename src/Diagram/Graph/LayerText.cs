using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Diagram.Graph
{
    /// <summary>
    /// The text of a box, read from the layer's plan (PyTorch's module and its arguments) so that no layer kind is known
    /// here by name: <c>Conv2d(32, kernel_size=5, padding=same) + relu</c>, <c>64 × H//4 × W//4</c>, <c>51,264</c>.
    /// </summary>
    public static class LayerText
    {
        // The input's own size, which the box above already shows as its output shape.
        static readonly HashSet<string> InputSizeArguments = new HashSet<string> { "in_channels", "in_features", "num_features", "num_channels" };

        /// <summary>What the layer is: its module with the arguments that differ from PyTorch's defaults, then its activation.</summary>
        public static string Describe(BoundLayer layer)
        {
            if (layer.Config is BlockConfig block)
                return Describe(block);
            var plan = layer.Config.Lower();
            var text = plan.Module == null ? layer.Kind : plan.Module.Type + "(" + string.Join(", ", Arguments(plan.Module)) + ")";
            foreach (var step in plan.Steps.OfType<ApplyActivation>())
                text += " + " + step.Activation.Name;
            return text;
        }

        /// <summary>A block use as the .cnn file writes it: <c>resnet_bottleneck width=128, stride=2</c>.</summary>
        public static string Describe(BlockConfig block) =>
            block.Arguments.Count == 0 ? block.BlockName
                : block.BlockName + " " + string.Join(", ", block.Arguments.Select(a => a.Name + "=" + (a.Value?.ToString() ?? a.Text)));

        static IEnumerable<string> Arguments(PlanModule module) =>
            module.Arguments.Where(a => !a.IsDefault && !InputSizeArguments.Contains(a.Name))
                .Select(a => a.Positional ? Value(a.Value) : a.Name + "=" + Value(a.Value));

        static string Value(PlanValue value) => value switch
        {
            IntValue i => i.Value.ToString(),
            RealValue r => r.Value.ToString(),
            BoolValue b => b.Value.ToString(),
            // One number where every dimension has the same, as PyTorch takes it.
            SizesValue s => s.Values.Distinct().Count() == 1 && !s.AlwaysTuple ? s.Values[0].ToString() : "(" + string.Join(", ", s.Values) + ")",
            RealsValue r => "(" + string.Join(", ", r.Values) + ")",
            TextValue t => t.Value,
            _ => value.ToString(),
        };

        /// <summary>A shape as sizes joined by ×: <c>32 × 28 × 28</c>, or <c>64 × (H+1)//2 × (W+1)//2</c>.</summary>
        public static string Shape(TensorShape shape) => string.Join(" × ", shape.Dimensions.Select(Size));

        // A computed size in the language's notation without its inner spaces, so that the spaces around × alone part the sizes.
        static string Size(Expr size) => size.ToString().Replace(" ", "");

        /// <summary>A count with thousands separators: <c>3,199,106</c>.</summary>
        public static string Count(long count) => count.ToString("#,0", CultureInfo.InvariantCulture);
    }
}
