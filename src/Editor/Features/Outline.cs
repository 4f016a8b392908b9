using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Syntax;
using CnnDsl.Dsl.Text;
using CnnDsl.Editor.Protocol;
using CnnDsl.Editor.Workspace;

namespace CnnDsl.Editor.Features;

/// <summary>The outline (models, blocks, and the groups inside them) and the folding ranges of a file.</summary>
public static class Outline
{
    public static List<DocumentSymbol> Symbols(DocumentAnalysis document)
    {
        var result = new List<DocumentSymbol>();
        if (document.Syntax == null)
            return result;
        var groups = document.Syntax.Groups;
        foreach (var model in document.Syntax.Models)
        {
            var bound = document.Models.FirstOrDefault(m => m.Syntax.Name.Location == model.Name.Location)?.Bound;
            var detail = bound == null ? model.Input == null ? null : "input " + document.Text.ToString(model.Input.Location.Span)
                : bound.InputShape + " -> " + bound.OutputShape + ", " + Lsp.Format(bound.ParameterCount) + " parameters";
            result.Add(new DocumentSymbol(model.Name.Text, detail, LspKinds.SymbolClass, Lsp.ToRange(model.Location.LineSpan),
                Lsp.ToRange(model.Name.Location.LineSpan), GroupsWithin(groups, model.Location.Span)));
        }
        foreach (var block in document.Syntax.Blocks)
            result.Add(new DocumentSymbol(block.Name.Text, ShapeFeatures.BlockSignature(block), LspKinds.SymbolFunction, Lsp.ToRange(block.Location.LineSpan),
                Lsp.ToRange(block.Name.Location.LineSpan), GroupsWithin(groups, block.Location.Span)));
        return result.OrderBy(s => s.Range.Start.Line).ToList();
    }

    // Groups nest: each lists the groups directly inside it.
    static List<DocumentSymbol> GroupsWithin(IEnumerable<GroupSyntax> groups, TextSpan span)
    {
        var inside = groups.Where(g => span.Contains(g.Location.Span) && g.Location.Span != span).ToList();
        var direct = inside.Where(g => !inside.Any(o => o != g && o.Location.Span.Contains(g.Location.Span))).OrderBy(g => g.Location.Span.Start);
        return direct.Select(g => new DocumentSymbol(g.Prefix, "group", LspKinds.SymbolNamespace, Lsp.ToRange(g.Location.LineSpan), Lsp.ToRange(g.Location.LineSpan),
            GroupsWithin(inside, g.Location.Span))).ToList();
    }

    /// <summary>Models, blocks, groups, ifs and repeats that span more than one line.</summary>
    public static List<FoldingRange> Folding(DocumentAnalysis document)
    {
        var spans = new List<LinePositionSpan>();
        if (document.Syntax != null)
        {
            spans.AddRange(document.Syntax.Models.Select(m => m.Location.LineSpan));
            spans.AddRange(document.Syntax.Blocks.Select(b => b.Location.LineSpan));
            spans.AddRange(document.Syntax.Groups.Select(g => g.Location.LineSpan));
            spans.AddRange(document.Syntax.Models.SelectMany(m => Statements(m.Layers)).Concat(document.Syntax.Blocks.SelectMany(b => Statements(b.Layers)))
                .Where(s => s is IfSyntax || s is RepeatSyntax).Select(s => s.Location.LineSpan));
        }
        return spans.Where(s => s.End.Line > s.Start.Line).Select(s => new FoldingRange(s.Start.Line, s.End.Line)).Distinct().OrderBy(f => f.StartLine).ToList();
    }

    static IEnumerable<StatementSyntax> Statements(IEnumerable<StatementSyntax> statements) => statements.SelectMany(s => s switch
    {
        IfSyntax branch => new[] { s }.Concat(Statements(branch.Then)).Concat(Statements(branch.Else)),
        RepeatSyntax repeat => new[] { s }.Concat(Statements(repeat.Body)),
        _ => new[] { s },
    });
}
