using System.IO;
using CnnDsl.Diagram;
using CnnDsl.Dsl.Binding;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Plots
{
    /// <summary>The compiler's diagram of a model (as <c>cnn plot</c> draws it), from a running program.</summary>
    public static class ModelPlots
    {
        /// <summary>
        /// Draws the diagram of the model a generated class was checked from: SVG, or PNG where the path ends in .png
        /// (the same drawing, rendered). Blocks are one box each unless <paramref name="options"/> expands them.
        /// </summary>
        public static void PlotModel<TModel>(this TModel model, string path, DiagramOptions? options = null) where TModel : nn.Module<Tensor, Tensor>, ICnnModel =>
            PlotModel(OnnxExport.CheckedModel(model.Info), path, options);

        /// <summary>Draws the diagram of a checked model (e.g. the one a <c>RuntimeModule</c> was built from).</summary>
        public static void PlotModel(BoundModel model, string path, DiagramOptions? options = null)
        {
            var svg = ModelDiagram.ToSvg(model, options);
            if (string.Equals(Path.GetExtension(path), ".png", System.StringComparison.OrdinalIgnoreCase))
                Vision.SvgPicture.SavePng(svg, path);
            else
                Weights.AtomicFile.Write(path, stream => { using var writer = new StreamWriter(stream, leaveOpen: true); writer.Write(svg); });
        }
    }
}
