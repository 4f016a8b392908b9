using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using CnnDsl.Vision;

// The serving example under load, on loopback: the time from starting the service to its first answer, then
// throughput and latency (p50, p99) of POST /predict at several numbers of concurrent clients, each a median of
// alternating rounds; every answer must equal the first (same image, same classes).
//   dotnet run -c Release --project benchmarks/CnnDsl.ServingBenchmarks -- --model examples/FashionMnist/out/fashion-cnn.onnx
//   [--service PATH (Serving.dll, or a published executable)] [--requests 2000] [--clients 1,4,16] [--rounds 3] [--starts 5]
var options = Options.Parse(args);
var images = Options.TestImages(Path.Combine(Options.RepoRoot, "examples", "data", "fashion-mnist-subset", "t10k-images-idx3-ubyte.gz"), 200);
var image = images[0];
Console.WriteLine($"service {options.Service}; model {options.Model}; {options.Requests} requests per round, {options.Rounds} rounds; image {image.Length} bytes (PNG)");

// Start to first answer: a fresh process each time, timed from its start to the first 200 answer of /predict.
var starts = new List<double>();
string? reference = null;
for (int i = 0; i < options.Starts; i++)
{
    var clock = Stopwatch.StartNew();
    using var service = Service.Start(options);
    var answer = await service.PredictUntilAnswered(image);
    starts.Add(clock.Elapsed.TotalMilliseconds);
    reference ??= answer;
    if (answer != reference)
        throw new InvalidOperationException("Two starts of the service answered the same image differently.");
}
Console.WriteLine($"start to first answer: median {Median(starts):F0} ms (runs {string.Join(", ", starts.Select(s => s.ToString("F0")))})");

using (var service = Service.Start(options))
{
    Console.WriteLine("answer: " + await service.PredictUntilAnswered(image));
    Console.WriteLine("| clients | requests/s | p50 ms | p99 ms | different answers |");
    Console.WriteLine("|---:|---:|---:|---:|---:|");
    var results = options.Clients.ToDictionary(c => c, _ => new List<(double Rate, double P50, double P99, int Wrong)>());
    await service.Load(image, 8, 100, reference!); // warm-up
    for (int round = 0; round < options.Rounds; round++)
        foreach (var clients in options.Clients)
            results[clients].Add(await service.Load(image, clients, options.Requests, reference!));
    foreach (var (clients, runs) in results)
    {
        Console.WriteLine($"| {clients} | {Median(runs.Select(r => r.Rate)):N0} | {Median(runs.Select(r => r.P50)):F2} | {Median(runs.Select(r => r.P99)):F2} | {runs.Sum(r => r.Wrong)} |");
        Console.Error.WriteLine($"  {clients} clients, rounds (requests/s): {string.Join(", ", runs.Select(r => r.Rate.ToString("N0")))}");
    }
}

// Another build of the service (a trimmed, self-contained one): the same answers, to the last digit, for 200 images.
if (options.SameAs != null)
{
    using var first = Service.Start(options);
    using var second = Service.Start(options with { Service = options.SameAs });
    int same = 0;
    foreach (var picture in images)
        same += await first.PredictUntilAnswered(picture) == await second.PredictUntilAnswered(picture) ? 1 : 0;
    Console.WriteLine($"{options.SameAs} gives the same answers as {options.Service} for {same} of {images.Count} test images");
    if (same != images.Count)
        return 1;
}
return 0;

static double Median(IEnumerable<double> values)
{
    var sorted = values.OrderBy(v => v).ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

sealed record Options(string Service, string Model, int Requests, int[] Clients, int Rounds, int Starts, string? SameAs)
{
    public static string RepoRoot { get; } = FindRoot();

    static string FindRoot()
    {
        var folder = AppContext.BaseDirectory;
        while (folder != null && !File.Exists(Path.Combine(folder, "CnnDsl.sln")))
            folder = Path.GetDirectoryName(folder);
        return folder ?? throw new InvalidOperationException("Run the benchmark from the repository's build output.");
    }

    public static Options Parse(string[] args)
    {
        string? model = null, service = null, sameAs = null;
        int requests = 2000, rounds = 3, starts = 5;
        int[] clients = { 1, 4, 16 };
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--model": model = Path.GetFullPath(Value()); break;
                case "--service": service = Path.GetFullPath(Value()); break;
                case "--requests": requests = int.Parse(Value()); break;
                case "--clients": clients = Value().Split(',').Select(int.Parse).ToArray(); break;
                case "--rounds": rounds = int.Parse(Value()); break;
                case "--starts": starts = int.Parse(Value()); break;
                case "--same-as": sameAs = Path.GetFullPath(Value()); break;
                default: throw new ArgumentException($"Unknown option {args[i]}; use --model FILE.onnx [--service PATH] [--requests N] [--clients 1,4,16] [--rounds N] [--starts N] [--same-as OTHER-SERVICE].");
            }
        }
        service ??= Path.Combine(RepoRoot, "examples", "Serving", "bin", "Release", "net10.0", "Serving.dll");
        return new Options(service, model ?? throw new ArgumentException("Give the model to serve: --model FILE.onnx (dotnet run --project examples/FashionMnist writes out/fashion-cnn.onnx)."),
            requests, clients, rounds, starts, sameAs);
    }

    /// <summary>The first images of an IDX image file (gzipped), as the PNG files a client would upload.</summary>
    public static List<byte[]> TestImages(string idx, int count)
    {
        using var stream = new GZipStream(File.OpenRead(idx), CompressionMode.Decompress);
        var header = new byte[16];
        stream.ReadExactly(header);
        int rows = header[8] << 24 | header[9] << 16 | header[10] << 8 | header[11], columns = header[12] << 24 | header[13] << 16 | header[14] << 8 | header[15];
        var path = Path.Combine(Path.GetTempPath(), "cnndsl-serving-bench.png");
        var images = new List<byte[]>();
        var pixels = new byte[rows * columns];
        for (int i = 0; i < count; i++)
        {
            stream.ReadExactly(pixels);
            new ImageData(1, rows, columns, pixels.Select(p => p / 255f).ToArray()).SavePng(path);
            images.Add(File.ReadAllBytes(path));
        }
        return images;
    }
}

sealed class Service : IDisposable
{
    readonly Process process;
    readonly HttpClient client;

    Service(Process process, string address)
    {
        this.process = process;
        client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri(address + "/") };
    }

    public static Service Start(Options options)
    {
        var dll = options.Service.EndsWith(".dll", StringComparison.Ordinal);
        var start = new ProcessStartInfo(dll ? "dotnet" : options.Service) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (dll)
            start.ArgumentList.Add(options.Service);
        foreach (var argument in new[] { "--model", options.Model, "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default", "Warning" })
            start.ArgumentList.Add(argument);
        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) Console.Error.WriteLine("  service: " + e.Data); };
        process.BeginErrorReadLine();
        while (process.StandardOutput.ReadLine() is string line)
        {
            var match = Regex.Match(line, @"^Serving .* on (http://127\.0\.0\.1:\d+)");
            if (match.Success)
            {
                // Keep reading its output so that the pipe never fills.
                _ = Task.Run(() => process.StandardOutput.ReadToEnd());
                return new Service(process, match.Groups[1].Value);
            }
        }
        throw new InvalidOperationException("The service stopped before it listened.");
    }

    static HttpContent Upload(byte[] image)
    {
        var content = new ByteArrayContent(image);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    // The classes of an answer, without the time it took.
    static string Classes(string json) => Regex.Replace(json, "\"milliseconds\":[0-9.eE+-]+", "");

    public async Task<string> PredictUntilAnswered(byte[] image)
    {
        for (int attempt = 0; ; attempt++)
        {
            using var response = await client.PostAsync("predict", Upload(image));
            if (response.IsSuccessStatusCode)
                return Classes(await response.Content.ReadAsStringAsync());
            if (attempt > 100)
                throw new InvalidOperationException($"The service answers {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public async Task<(double Rate, double P50, double P99, int Wrong)> Load(byte[] image, int clients, int requests, string reference)
    {
        var latencies = new double[requests];
        int next = -1, wrong = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                long started = Stopwatch.GetTimestamp();
                using var response = await client.PostAsync("predict", Upload(image));
                var body = await response.Content.ReadAsStringAsync();
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (!response.IsSuccessStatusCode || Classes(body) != reference)
                    Interlocked.Increment(ref wrong);
            }
        }));
        double seconds = clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return (requests / seconds, latencies[(int)(0.50 * (requests - 1))], latencies[(int)Math.Ceiling(0.99 * (requests - 1))], wrong);
    }

    public void Dispose()
    {
        client.Dispose();
        process.Kill(entireProcessTree: true);
        process.WaitForExit(10000);
        process.Dispose();
    }
}
