using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using CnnDsl;
using CnnDsl.Dsl;
using CnnDsl.PyTorchExport;
using CnnDsl.Weights;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;
using OnnxTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;

// CPU inference: the generated TorchSharp module, its ONNX export in ONNX Runtime (the session directly, and through
// CnnDsl.Inference's InferenceModel) and the same model in PyTorch (`cnn export --pytorch`, torch.no_grad): same
// weights, same inputs, same thread count. Rounds alternate the engines so that load on a shared machine hits each.
int threads = args.Length > 0 ? int.Parse(args[0]) : 2;
int rounds = args.Length > 1 ? int.Parse(args[1]) : 3;
double secondsPerMeasure = args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3;
string python = args.Length > 3 ? args[3] : "/usr/bin/python3";
torch.set_num_threads(threads);
var scratch = Directory.CreateTempSubdirectory("cnndsl-onnx-bench-").FullName;
Console.WriteLine($"threads {threads}, rounds {rounds}, at least {secondsPerMeasure} s per measurement; TorchSharp {typeof(torch).Assembly.GetName().Version}, ONNX Runtime {typeof(InferenceSession).Assembly.GetName().Version}");
Console.WriteLine("| model | batch | TorchSharp images/s | ONNX Runtime images/s | InferenceModel images/s | PyTorch images/s | InferenceModel / TorchSharp | InferenceModel / PyTorch | ms per call: TorchSharp, InferenceModel, PyTorch | max abs difference to TorchSharp: InferenceModel, PyTorch |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");

foreach (var (name, create, file) in new (string, Func<nn.Module<Tensor, Tensor>>, string)[]
{
    ("FashionCnn", () => CnnModel.Create<CnnDsl.OnnxBenchmarks.FashionCnn>(seed: 1), "Models/FashionCnn.cnn"),
    ("ResNet18", () => CnnModel.Create<CnnDsl.OnnxBenchmarks.ResNet18>(seed: 1), "Models/ResNet18.cnn"),
})
{
    using var module = create();
    module.eval();
    var cnnFile = Path.Combine(AppContext.BaseDirectory, file);
    var onnxPath = Path.Combine(scratch, name + ".onnx");
    module.ExportOnnx(onnxPath, cnnFile);
    var sample = ((ICnnModel)module).Info.InputShape.ToArray();
    using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
    using var session = new InferenceSession(onnxPath, options);
    using var inference = CnnDsl.Inference.InferenceModel.Load(onnxPath, new CnnDsl.Inference.InferenceOptions { IntraOpThreads = threads, InterOpThreads = 1 });
    using var pytorch = PyTorchWorker.Start(python, module, CnnCompilation.Compile(File.ReadAllText(cnnFile), cnnFile).Models.Single(), scratch, threads, sample);
    foreach (var batch in new[] { 1, 64 })
    {
        var shape = new long[] { batch }.Concat(sample).ToArray();
        var random = new Random(batch);
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)random.NextDouble();
        var inputFile = Path.Combine(scratch, $"{name}-{batch}.bin");
        File.WriteAllBytes(inputFile, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        using var input = torch.tensor(values, shape);
        var onnxInput = new[] { NamedOnnxValue.CreateFromTensor("input", new OnnxTensor(values, shape.Select(d => (int)d).ToArray())) };

        float[] RunTorch()
        {
            using var _ = torch.no_grad();
            using var output = module.call(input);
            return output.data<float>().ToArray();
        }
        float[] RunOnnx()
        {
            using var outputs = session.Run(onnxInput);
            return outputs.Single().AsTensor<float>().ToArray();
        }
        float[] RunInference() => inference.PredictLogits(values, shape).SelectMany(row => row).ToArray();

        var expected = RunTorch();
        double Difference(float[] actual) => actual.Length == expected.Length ? expected.Zip(actual, (a, b) => (double)Math.Abs(a - b)).Max() : double.PositiveInfinity;
        double onnxDifference = Math.Max(Difference(RunOnnx()), Difference(RunInference()));
        double pytorchDifference = Difference(pytorch.Outputs(batch, inputFile));
        var torchRuns = new List<(double Rate, double Milliseconds)>();
        var onnxRuns = new List<(double Rate, double Milliseconds)>();
        var inferenceRuns = new List<(double Rate, double Milliseconds)>();
        var pytorchRuns = new List<(double Rate, double Milliseconds)>();
        for (int round = 0; round < rounds; round++)
        {
            torchRuns.Add(Measure(() => RunTorch(), batch, secondsPerMeasure));
            onnxRuns.Add(Measure(() => RunOnnx(), batch, secondsPerMeasure));
            inferenceRuns.Add(Measure(() => RunInference(), batch, secondsPerMeasure));
            pytorchRuns.Add(pytorch.Measure(batch, inputFile, secondsPerMeasure));
        }
        double torchRate = Median(torchRuns.Select(r => r.Rate)), onnxRate = Median(onnxRuns.Select(r => r.Rate)),
            inferenceRate = Median(inferenceRuns.Select(r => r.Rate)), pytorchRate = Median(pytorchRuns.Select(r => r.Rate));
        Console.WriteLine($"| {name} | {batch} | {torchRate:N0} | {onnxRate:N0} | {inferenceRate:N0} | {pytorchRate:N0} | {inferenceRate / torchRate:F2} | {inferenceRate / pytorchRate:F2} | "
            + $"{Median(torchRuns.Select(r => r.Milliseconds)):G3}, {Median(inferenceRuns.Select(r => r.Milliseconds)):G3}, {Median(pytorchRuns.Select(r => r.Milliseconds)):G3} | {onnxDifference:G2}, {pytorchDifference:G2} |");
        string Rounds(List<(double Rate, double Milliseconds)> runs) => string.Join(", ", runs.Select(r => r.Rate.ToString("N0")));
        Console.Error.WriteLine($"  {name} batch {batch} rounds: TorchSharp {Rounds(torchRuns)}; ONNX Runtime {Rounds(onnxRuns)}; InferenceModel {Rounds(inferenceRuns)}; PyTorch {Rounds(pytorchRuns)}");
    }
}
Directory.Delete(scratch, recursive: true);

// Images per second over repeated calls lasting at least the given time, after one warm-up call, and the median call.
static (double Rate, double Milliseconds) Measure(Action run, int batch, double seconds)
{
    run();
    var calls = new List<double>();
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed.TotalSeconds < seconds || calls.Count < 3)
    {
        long started = Stopwatch.GetTimestamp();
        run();
        calls.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
    return (calls.Count * batch / clock.Elapsed.TotalSeconds, Median(calls));
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.OrderBy(v => v).ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

/// <summary>The model in PyTorch, in a Python process of its own that takes commands (pytorch_worker.py).</summary>
sealed class PyTorchWorker : IDisposable
{
    readonly Process process;

    PyTorchWorker(Process process) => this.process = process;

    public static PyTorchWorker Start(string python, nn.Module<Tensor, Tensor> module, CnnDsl.Dsl.Binding.BoundModel model, string scratch, int threads, long[] sample)
    {
        var folder = Directory.CreateDirectory(Path.Combine(scratch, model.Name)).FullName;
        PyTorchExporter.Export(model, folder);
        var weights = Path.Combine(folder, "weights.safetensors");
        module.SaveSafeTensors(weights);
        var start = new ProcessStartInfo(python) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "pytorch_worker.py"), folder, PyTorchModuleWriter.ModuleName(model), model.Name, weights, threads.ToString(), string.Join("x", sample) })
            start.ArgumentList.Add(argument);
        var worker = new PyTorchWorker(Process.Start(start)!);
        Console.Error.WriteLine("  PyTorch: " + worker.Answer().ToString());
        return worker;
    }

    JsonElement Answer()
    {
        var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The PyTorch worker stopped (see its error output above).");
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    public float[] Outputs(int batch, string inputFile)
    {
        var outputFile = inputFile + ".pytorch.bin";
        process.StandardInput.WriteLine($"output {batch} {inputFile} {outputFile}");
        Answer();
        var bytes = File.ReadAllBytes(outputFile);
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    public (double Rate, double Milliseconds) Measure(int batch, string inputFile, double seconds)
    {
        process.StandardInput.WriteLine($"measure {batch} {inputFile} {seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        var answer = Answer();
        return (answer.GetProperty("rate").GetDouble(), answer.GetProperty("milliseconds").GetDouble());
    }

    public void Dispose()
    {
        process.StandardInput.Close();
        process.WaitForExit(10000);
        process.Dispose();
    }
}
