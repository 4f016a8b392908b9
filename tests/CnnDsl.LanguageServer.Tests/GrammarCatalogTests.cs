using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using CnnDsl.Dsl.Catalog;
using CnnDsl.LanguageServer.Tests.Infrastructure;
using Xunit;

namespace CnnDsl.LanguageServer.Tests;

/// <summary>
/// The VS Code grammar's word lists against the catalogue: every layer kind is coloured as a layer, and every activation
/// name as a value. A kind or activation added to the catalogue and not to the grammar fails here.
/// </summary>
public class GrammarCatalogTests
{
    static readonly JsonDocument Grammar = JsonDocument.Parse(File.ReadAllText(Path.Combine(Node.ExtensionFolder, "syntaxes", "cnn.tmLanguage.json")));

    // The words of the one pattern with this scope name: "\\G(conv1d|conv2d|...)\\b" gives conv1d, conv2d, ...
    static HashSet<string> Words(string scope)
    {
        var matches = new List<string>();
        void Visit(JsonElement element)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                if (element.TryGetProperty("name", out var name) && name.GetString() == scope && element.TryGetProperty("match", out var match))
                    matches.Add(match.GetString()!);
                foreach (var property in element.EnumerateObject())
                    Visit(property.Value);
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray())
                    Visit(item);
            }
        }
        Visit(Grammar.RootElement);
        var pattern = Assert.Single(matches);
        var alternatives = Regex.Match(pattern, @"\(([\w|]+)\)").Groups[1].Value;
        return alternatives.Split('|').ToHashSet();
    }

    [Fact]
    public void Every_catalogue_kind_is_coloured_as_a_layer_and_nothing_else_is()
    {
        var kinds = LayerCatalog.All.Select(k => k.Name).ToHashSet();
        var coloured = Words("support.function.layer.cnn");
        Assert.True(kinds.SetEquals(coloured), "missing from the grammar: " + string.Join(", ", kinds.Except(coloured).OrderBy(k => k))
            + "; in the grammar but no kind: " + string.Join(", ", coloured.Except(kinds).OrderBy(k => k)));
    }

    [Fact]
    public void Every_activation_name_is_coloured_as_a_value()
    {
        var values = Words("constant.language.cnn");
        var missing = Activation.All.Select(a => a.Name).Where(name => !values.Contains(name)).ToList();
        Assert.True(missing.Count == 0, "activation names missing from the grammar's values: " + string.Join(", ", missing));
        Assert.Superset(new HashSet<string> { "same", "valid", "none", "true", "false" }, values);
    }
}
