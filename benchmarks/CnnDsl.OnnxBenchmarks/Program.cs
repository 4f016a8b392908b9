using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using CnnDsl;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;
using OnnxTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;

// CPU inference throughput: the generated TorchSharp module against its ONNX export in ONNX Runtime (the session
// directly, and through CnnDsl.Inference's InferenceModel), same weights, same inputs, same thread count. Rounds
// alternate the engines so that load on a shared machine hits each.
int threads = args.Length > 0 ? int.Parse(args[0]) : 2;
int rounds = args.Length > 1 ? int.Parse(args[1]) : 3;
double secondsPerMeasure = args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3;
torch.set_num_threads(threads);
Console.WriteLine($"threads {threads}, rounds {rounds}, at least {secondsPerMeasure} s per measurement; TorchSharp {typeof(torch).Assembly.GetName().Version}, ONNX Runtime {typeof(InferenceSession).Assembly.GetName().Version}");
Console.WriteLine("| model | batch | TorchSharp images/s | ONNX Runtime images/s | ONNX Runtime / TorchSharp | InferenceModel images/s | InferenceModel / ONNX Runtime | max abs difference |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");

foreach (var (name, create, file) in new (string, Func<nn.Module<Tensor, Tensor>>, string)[]
{
    ("FashionCnn", () => CnnModel.Create<CnnDsl.OnnxBenchmarks.FashionCnn>(seed: 1), "Models/FashionCnn.cnn"),
    ("ResNet18", () => CnnModel.Create<CnnDsl.OnnxBenchmarks.ResNet18>(seed: 1), "Models/ResNet18.cnn"),
})
{
    using var module = create();
    module.eval();
    var onnxPath = Path.Combine(Path.GetTempPath(), name + "-bench.onnx");
    module.ExportOnnx(onnxPath, Path.Combine(AppContext.BaseDirectory, file));
    var sample = ((ICnnModel)module).Info.InputShape.ToArray();
    using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
    using var session = new InferenceSession(onnxPath, options);
    using var inference = CnnDsl.Inference.InferenceModel.Load(onnxPath, new CnnDsl.Inference.InferenceOptions { IntraOpThreads = threads, InterOpThreads = 1 });
    foreach (var batch in new[] { 1, 64 })
    {
        var shape = new long[] { batch }.Concat(sample).ToArray();
        var random = new Random(batch);
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)random.NextDouble();
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

        double difference = RunTorch().Zip(RunOnnx(), (a, b) => Math.Abs(a - b)).Max();
        difference = Math.Max(difference, RunTorch().Zip(RunInference(), (a, b) => Math.Abs(a - b)).Max());
        var torchRates = new List<double>();
        var onnxRates = new List<double>();
        var inferenceRates = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            torchRates.Add(Measure(() => RunTorch(), batch, secondsPerMeasure));
            onnxRates.Add(Measure(() => RunOnnx(), batch, secondsPerMeasure));
            inferenceRates.Add(Measure(() => RunInference(), batch, secondsPerMeasure));
        }
        double torchRate = Median(torchRates), onnxRate = Median(onnxRates), inferenceRate = Median(inferenceRates);
        Console.WriteLine($"| {name} | {batch} | {torchRate:N0} | {onnxRate:N0} | {onnxRate / torchRate:F2} | {inferenceRate:N0} | {inferenceRate / onnxRate:F2} | {difference:G2} |");
        Console.Error.WriteLine($"  {name} batch {batch}: TorchSharp rounds {string.Join(", ", torchRates.Select(r => r.ToString("N0")))}; ONNX Runtime rounds {string.Join(", ", onnxRates.Select(r => r.ToString("N0")))}; "
            + $"InferenceModel rounds {string.Join(", ", inferenceRates.Select(r => r.ToString("N0")))}");
    }
    File.Delete(onnxPath);
}

// Images per second over repeated runs lasting at least the given time, after one warm-up run.
static double Measure(Action run, int batch, double seconds)
{
    run();
    var clock = Stopwatch.StartNew();
    int runs = 0;
    while (clock.Elapsed.TotalSeconds < seconds || runs < 3)
    {
        run();
        runs++;
    }
    return runs * batch / clock.Elapsed.TotalSeconds;
}

static double Median(List<double> values)
{
    var sorted = values.OrderBy(v => v).ToList();
    return sorted[sorted.Count / 2];
}
