using System.Linq;
using CnnDsl.Diagram;
using CnnDsl.Editor.Protocol;
using CnnDsl.Editor.Workspace;

namespace CnnDsl.Editor.Features;

/// <summary>The compiler's diagram of a model of the edited file, as <c>cnn plot</c> draws it, for a panel beside the text.</summary>
public static class DiagramFeature
{
    public static DiagramResult? For(ProjectState project, string path, Position? position, string? modelName, bool expand)
    {
        var document = project.Find(path);
        if (document?.Syntax == null)
            return null;
        var models = document.Models.Select(m => m.Syntax.Name.Text).ToList();
        if (models.Count == 0)
            return new DiagramResult(null, null, "This file defines no model (blocks only): open a file with a model to see its diagram.", models);
        ModelAnalysis? chosen;
        if (modelName != null)
        {
            chosen = document.Models.FirstOrDefault(m => m.Syntax.Name.Text == modelName);
            if (chosen == null)
                return new DiagramResult(null, null, $"This file has no model '{modelName}' (models: {string.Join(", ", models)}).", models);
        }
        else
        {
            var at = position == null ? null : document.ModelAt(Lsp.ToOffset(document.Text, position));
            chosen = (at == null ? null : document.Models.FirstOrDefault(m => m.Syntax.Name.Location == at.Name.Location)) ?? document.Models[0];
        }
        var name = chosen.Syntax.Name.Text;
        if (chosen.Bound == null)
            return new DiagramResult(name, null, $"{name} has errors; fix them (see the problems listed for this file) to see its diagram.", models);
        return new DiagramResult(name, ModelDiagram.ToSvg(chosen.Bound, new DiagramOptions { ExpandBlocks = expand }), null, models);
    }
}
