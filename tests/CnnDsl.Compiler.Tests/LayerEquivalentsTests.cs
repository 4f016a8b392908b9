using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Catalog;
using CnnDsl.PyTorchExport;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// The catalogue's PyTorch equivalent of every layer kind is what the PyTorch module writer writes for it: each kind,
/// as a layer named <c>probe</c> in a small model, is exported, and every <c>nn.</c> module of its constructor (or the
/// torch function its forward calls, where it has no module) must appear in the catalogue's PyTorch column.
/// </summary>
public class LayerEquivalentsTests
{
    static string Input(int rank) => rank switch { 1 => "3x16", 2 => "3x8x8", _ => "2x6x6x6" };

    static IEnumerable<string> Bodies()
    {
        for (int r = 1; r <= 3; r++)
        {
            var input = "input " + Input(r) + "\n  ";
            yield return input + $"probe: conv{r}d 4, 3";
            yield return input + $"probe: maxpool{r}d 2";
            yield return input + $"probe: avgpool{r}d 2";
            yield return input + $"probe: global_avgpool{r}d";
            yield return input + $"probe: global_maxpool{r}d";
            yield return input + $"probe: adaptive_avgpool{r}d 1";
            yield return input + $"probe: zeropad{r}d 1";
            yield return input + $"probe: batchnorm{r}d";
            yield return input + $"probe: instancenorm{r}d";
            yield return input + $"probe: conv_transpose{r}d 2, 2";
            if (r < 3)
                yield return input + $"probe: separable_conv{r}d 4, 3";
        }
        var image = "input 3x8x8\n  ";
        yield return image + "probe: flatten";
        yield return image + "flatten\n  probe: dense 5";
        yield return image + "probe: dropout 0.5";
        yield return image + "probe: dropout2d 0.3";
        yield return image + "a: conv2d 3, 1\n  probe: add a, input";
        yield return image + "a: conv2d 3, 1\n  probe: concat a, input";
        yield return image + "a: conv2d 3, 1\n  probe: multiply a, input";
        yield return image + "probe: depthwise_conv2d 3";
        yield return image + "probe: upsample 2";
        yield return image + "probe: prelu";
        yield return image + "probe: groupnorm 3";
        yield return image + "probe: layernorm";
        yield return image + "probe: stochastic_depth 0.2";
        yield return image + "probe: rescaling 0.5, offset=-1";
        foreach (var activation in CnnDsl.Dsl.Catalog.Activation.All)
            yield return image + "probe: " + activation.Name;
    }

    // What the export writes in forward for a kind without a module, as the catalogue names it.
    static readonly (string Written, string Named)[] ForwardForms =
    {
        ("_stochastic_depth(", "torchvision.ops.StochasticDepth"),
        ("_rescale(", "x * scale + offset"),
        (" + ", "torch.add"),
        (" * ", "torch.mul"),
    };

    [Fact]
    public void The_PyTorch_column_names_what_the_PyTorch_export_writes_for_every_kind()
    {
        var bodies = Bodies().ToList();
        var compiled = CnnCompilation.Compile(string.Concat(bodies.Select((b, i) => $"model M{i}\n  {b}\n")), "equivalents.cnn");
        Assert.Empty(compiled.Diagnostics);
        Assert.Equal(bodies.Count, compiled.Models.Count);
        var seen = new HashSet<string>();
        var wrong = new List<string>();
        foreach (var model in compiled.Models)
        {
            var probe = model.Layers.Single(l => l.Name == "probe");
            var kind = LayerCatalog.Find(probe.Kind)!;
            seen.Add(kind.Name);
            var written = Written(PyTorchModuleWriter.Write(model));
            if (written.Count == 0)
                wrong.Add($"{kind.Name}: the export writes nothing the test recognises");
            foreach (var name in written.Where(w => !kind.Equivalents.PyTorch.Contains(w)))
                wrong.Add($"{kind.Name}: the export writes {name}, the catalogue says {kind.Equivalents.PyTorch}");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        var untested = LayerCatalog.All.Select(k => k.Name).Where(k => !seen.Contains(k)).ToList();
        Assert.True(untested.Count == 0, "No model here uses the kinds " + string.Join(", ", untested));
    }

    // The modules of self.probe's constructor; else the torch functions, or the forms above, of x_probe's forward line.
    static List<string> Written(string python)
    {
        var constructor = Regex.Match(python, @"^        self\.probe = (.*)$", RegexOptions.Multiline);
        if (constructor.Success)
            return Regex.Matches(constructor.Groups[1].Value, @"\bnn\.\w+").Select(m => m.Value).Distinct().ToList();
        var forward = Regex.Match(python, @"^        x_probe = (.*)$", RegexOptions.Multiline).Groups[1].Value;
        var functions = Regex.Matches(forward, @"\btorch\.\w+").Select(m => m.Value).Distinct().ToList();
        if (functions.Count > 0)
            return functions;
        return ForwardForms.Where(f => forward.Contains(f.Written)).Take(1).Select(f => f.Named).ToList();
    }
}
