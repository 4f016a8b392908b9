using System.Linq;
using BenchmarkDotNet.Attributes;
using CnnDsl.Diagram;
using CnnDsl.Diagram.Layout;
using CnnDsl.Diagram.Svg;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;

namespace CnnDsl.Benchmarks;

/// <summary>
/// ResNet-50's diagram from its checked model to SVG text: boxes and arrows, MSAGL's layout, the writer. The check
/// itself is <see cref="ZooBenchmarks.CheckResNet50"/>.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
[MemoryDiagnoser]
public class DiagramBenchmarks
{
    BoundModel resNet50 = null!;
    BoundModel resNet50Symbolic = null!;
    LaidOutDiagram laidOut = null!;

    static readonly DiagramOptions Expanded = new DiagramOptions { ExpandBlocks = true };

    [GlobalSetup]
    public void Setup()
    {
        resNet50 = Checked(ZooBenchmarks.ResNet50);
        resNet50Symbolic = Checked(ZooBenchmarks.ResNet50Symbolic);
        laidOut = ModelDiagram.Layout(resNet50);
        // Every case once before measuring: all cases share one process, and MSAGL's first layout pays for JIT compilation.
        _ = ResNet50();
        _ = ResNet50Expanded();
        _ = ResNet50Symbolic();
    }

    static BoundModel Checked(string text)
    {
        var compilation = CnnCompilation.Compile(text, "zoo.cnn");
        Checks.AssertNoDiagnostics(compilation);
        return compilation.Models.Single();
    }

    /// <summary>What <c>cnn plot</c> draws by default: 16 bottleneck uses as 8 boxes, chains of equal uses as one.</summary>
    [Benchmark(Baseline = true)]
    public string ResNet50() => ModelDiagram.ToSvg(resNet50);

    /// <summary><c>--expand</c>: every layer inside every bottleneck, 175 layers and the input.</summary>
    [Benchmark]
    public string ResNet50Expanded() => ModelDiagram.ToSvg(resNet50, Expanded);

    /// <summary>On <c>input 3xHxW</c>: every shape a formula, so wider boxes.</summary>
    [Benchmark]
    public string ResNet50Symbolic() => ModelDiagram.ToSvg(resNet50Symbolic);

    /// <summary>The SVG writer alone, on the default diagram already laid out.</summary>
    [Benchmark]
    public string WriteSvgOnly() => SvgWriter.Write(laidOut);
}
