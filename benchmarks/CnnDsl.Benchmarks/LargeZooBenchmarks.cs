using BenchmarkDotNet.Attributes;
using CnnDsl.Dsl;

namespace CnnDsl.Benchmarks;

/// <summary>
/// Compile-time checking (the Dsl alone: parse, bind, shapes, counts, the accepted-size rule) of the zoo's largest
/// models, each at a fixed input and with its height and width as variables.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
[MemoryDiagnoser]
public class LargeZooBenchmarks
{
    public static string[] Models { get; } =
    {
        "inception_v3 3x299x299", "inception_v3 3xHxW", "xception 3x299x299", "xception 3xHxW", "densenet121 3x224x224", "densenet121 3xHxW",
        "efficientnet_b0 3xHxW", "mobilenet_v3_large 3xHxW", "googlenet 3xHxW", "resnet152 3xHxW", "unet_small 1xHxW",
    };

    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = "";

    string text = "";

    [GlobalSetup]
    public void Setup()
    {
        var parts = Model.Split(' ');
        text = $"model Net = {parts[0]}\n  input {parts[1]}\n";
        // The zoo's .cnn files are parsed once per process, and all cases share the process (in-process toolchain):
        // check every model a few times first, so that the first case measured does not pay for JIT compilation.
        foreach (var model in Models)
        {
            var words = model.Split(' ');
            for (int i = 0; i < 3; i++)
                Checks.AssertNoDiagnostics(CnnCompilation.Compile($"model Net = {words[0]}\n  input {words[1]}\n", "zoo.cnn"));
        }
    }

    [Benchmark]
    public CnnCompilation Check() => CnnCompilation.Compile(text, "zoo.cnn");
}
