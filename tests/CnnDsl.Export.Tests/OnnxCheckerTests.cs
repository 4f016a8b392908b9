using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnDsl.Compiler.Tests;
using CnnDsl.Dsl;
using CnnDsl.Export.Tests.Infrastructure;
using CnnDsl.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace CnnDsl.Export.Tests;

/// <summary>Debian's python3-onnx checker (onnx 1.12, full check with shape inference) accepts the exported files.</summary>
public class OnnxCheckerTests(ITestOutputHelper output) : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-onnx-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>
    /// VGG-16 and VGG-19 (with and without batch norm) repeat VGG-11's layer kinds at more depth; their files (over 500 MB
    /// each) would take longer to write and check than all the others together. ONNX Runtime runs all four in ZooExportTests.
    /// </summary>
    static readonly string[] DeeperVggs = { "Zoo_vgg16", "Zoo_vgg16_bn", "Zoo_vgg19", "Zoo_vgg19_bn" };

    [OnnxCheckerFact]
    public void The_onnx_checker_accepts_the_zoo_models_and_the_random_models()
    {
        var texts = new[]
        {
            ZooExportTests.ZooText(),
            CatalogBackEndTests.Text(),
            OnnxRuntimeEqualityTests.PropertyModelText(OnnxRuntimeEqualityTests.PropertyModels()),
            SymbolicPropertyTests.Blocks + string.Concat(SymbolicPropertyTests.Models(40).Select(m => m.Text)),
        };
        var paths = new List<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var (text, index) in texts.Select((t, i) => (t, i)))
        {
            var compiled = CnnCompilation.Compile(text, $"models{index}.cnn");
            Assert.True(compiled.Diagnostics.Count == 0, string.Join("\n", compiled.Diagnostics.Take(5)));
            foreach (var model in compiled.Models.Where(m => !DeeperVggs.Contains(m.Name)))
            {
                var path = Path.Combine(folder, model.Name + ".onnx");
                OnnxExporter.ExportFile(model, ModelWeights.Initialize(model, seed: 1), path);
                paths.Add(path);
            }
        }
        var written = clock.Elapsed;
        var (version, failures) = OnnxChecker.Check(paths);
        output.WriteLine($"onnx {version} checked {paths.Count} files in {clock.Elapsed - written:g}; writing them took {written:g}");
        Assert.True(failures.Count == 0, $"The onnx checker ({version}) refuses {failures.Count} of {paths.Count} files, e.g.:\n" + string.Join("\n", failures.Take(5).Select(f => Path.GetFileName(f.Key) + ": " + f.Value)));
        Assert.True(paths.Count >= 10 + 200 + 40, $"Only {paths.Count} files were checked");
    }
}
