using CnnDsl.Diagram.Graph;
using CnnDsl.Diagram.Layout;
using CnnDsl.Diagram.Svg;
using CnnDsl.Dsl.Binding;

namespace CnnDsl.Diagram
{
    /// <summary>
    /// A checked model's diagram: boxes with each layer's name, what it is, its output shape (a formula of the input's
    /// size variables where it has them) and its parameter count, and arrows for every tensor a layer reads.
    /// </summary>
    public static class ModelDiagram
    {
        public static ModelGraph Graph(BoundModel model, DiagramOptions? options = null) => ModelGraphBuilder.Build(model, options);

        public static LaidOutDiagram Layout(BoundModel model, DiagramOptions? options = null) => DiagramLayout.Lay(Graph(model, options));

        /// <summary>The diagram as SVG text.</summary>
        public static string ToSvg(BoundModel model, DiagramOptions? options = null) => SvgWriter.Write(Layout(model, options));
    }
}
