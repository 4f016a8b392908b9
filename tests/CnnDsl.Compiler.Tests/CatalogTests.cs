using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Catalog;
using Xunit;
using DiagnosticDescriptors = CnnDsl.Dsl.Diagnostics.DiagnosticDescriptors;

namespace CnnDsl.Compiler.Tests;

/// <summary>One source of truth: the attribute types and the release tracking follow the Dsl's catalogues.</summary>
public class CatalogTests
{
    static readonly Type[] LayerAttributeTypes = typeof(LayerAttribute).Assembly.GetTypes()
        .Where(t => typeof(LayerAttribute).IsAssignableFrom(t) && !t.IsAbstract).ToArray();

    [Fact]
    public void Every_layer_kind_has_an_attribute_and_every_layer_attribute_a_kind()
    {
        // [Block("...")] stands for a use of any block, not for one kind of the catalogue.
        Assert.Equal(
            LayerCatalog.All.Select(k => k.AttributeName + "Attribute").OrderBy(n => n),
            LayerAttributeTypes.Select(t => t.Name).Where(n => n != nameof(BlockAttribute)).OrderBy(n => n));
    }

    [Fact]
    public void Attribute_arguments_are_the_layer_arguments_in_pascal_case_with_positional_ones_as_constructor_parameters()
    {
        foreach (var kind in LayerCatalog.All)
        {
            var type = LayerAttributeTypes.Single(t => t.Name == kind.AttributeName + "Attribute");
            if (kind.TakesTensorOperands)
            {
                // add and concat: the tensors they combine, as params string[].
                var parameter = Assert.Single(Assert.Single(type.GetConstructors()).GetParameters());
                Assert.Equal(typeof(string[]), parameter.ParameterType);
                Assert.Empty(kind.Parameters);
                continue;
            }
            var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.DeclaringType != typeof(LayerAttribute) && p.DeclaringType != typeof(Attribute)).Select(p => p.Name).OrderBy(n => n);
            Assert.True(kind.Parameters.Select(p => p.AttributeName).OrderBy(n => n).SequenceEqual(properties),
                $"{type.Name}: properties {string.Join(", ", properties)} vs arguments {string.Join(", ", kind.Parameters.Select(p => p.AttributeName))}");

            var positional = kind.PositionalParameters.Select(p => p.AttributeName).ToList();
            foreach (var constructor in type.GetConstructors())
            {
                var names = constructor.GetParameters().Select(p => Names.ToPascalCase(p.Name!)).ToList();
                Assert.True(positional.Take(names.Count).SequenceEqual(names), $"{type.Name}({string.Join(", ", names)}) vs positional {string.Join(", ", positional)}");
            }
            var longest = type.GetConstructors().Select(c => c.GetParameters().Length).DefaultIfEmpty(0).Max();
            Assert.True(longest >= kind.PositionalParameters.Count(p => p.Required), $"{type.Name} cannot take all required arguments positionally");
        }
    }

    [Fact]
    public void Activation_enum_names_the_catalogue_activations()
    {
        Assert.Equal(
            new[] { "none" }.Concat(CnnDsl.Dsl.Catalog.Activation.All.Select(a => Names.Fold(a.Name))).OrderBy(n => n),
            Enum.GetNames<CnnDsl.Activation>().Select(Names.Fold).OrderBy(n => n));
    }

    [Fact]
    public void Release_tracking_lists_exactly_the_diagnostic_catalogue()
    {
        var unshipped = File.ReadAllText(Path.Combine(RepoRoot(), "src", "Generator", "AnalyzerReleases.Unshipped.md"));
        var rows = Regex.Matches(unshipped, @"^(CNN\d{4}) \| (\S+) \| (\w+) \| (.+)$", RegexOptions.Multiline)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value.Trim())).ToList();
        var catalogue = DiagnosticDescriptors.All.Select(d => (d.Id, d.Category, d.Severity.ToString(), d.Title)).ToList();
        Assert.Equal(catalogue, rows);
        Assert.Equal(catalogue.Count, catalogue.Select(c => c.Id).Distinct().Count());
    }

    static string RepoRoot([CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
