using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using CnnDsl;
using CnnDsl.Data;
using CnnDsl.Vision;
using SkiaSharp;

namespace CnnDsl.LoaderBenchmarks;

/// <summary>
/// Images per second through decode + RandomResizedCrop(224) + horizontal flip + ToTensor + Normalize + batching of 32:
/// CnnDsl's ImageFolder and BatchLoader against torchvision's ImageFolder and DataLoader with the same number of workers,
/// in alternating rounds. <c>prepare DIR [COUNT]</c> writes the JPEG folder from the sample photographs of Debian's
/// python3-skimage; <c>run DIR [WORKERS] [ROUNDS] [LIMIT]</c> measures.
/// </summary>
public static class Program
{
    const string Photos = "/usr/lib/python3/dist-packages/skimage/data";
    const int Batch = 32;

    public static int Main(string[] args)
    {
        if (args.Length >= 2 && args[0] == "prepare")
            return Prepare(args[1], args.Length > 2 ? int.Parse(args[2]) : 10000);
        if (args.Length >= 2 && args[0] == "run")
            return Run(args[1], args.Length > 2 ? int.Parse(args[2]) : 2, args.Length > 3 ? int.Parse(args[3]) : 3, args.Length > 4 ? int.Parse(args[4]) : 0);
        if (args.Length >= 2 && args[0] == "cnndsl")
            return CnnDslOnly(args[1], args.Length > 2 ? int.Parse(args[2]) : 2, args.Length > 3 ? int.Parse(args[3]) : 3);
        if (args.Length >= 2 && args[0] == "region-check")
            return RegionCheck(args[1], args.Length > 2 ? int.Parse(args[2]) : 1000);
        if (args.Length >= 2 && args[0] == "stages")
            return Stages(args[1], args.Length > 2 ? int.Parse(args[2]) : 300);
        Console.Error.WriteLine("usage: prepare DIR [COUNT] | run DIR [WORKERS] [ROUNDS] [LIMIT] | stages DIR [IMAGES]");
        return 2;
    }

    // Random crops (50-100% of the shorter side) of the sample photographs, scaled so that the longer side is 256-500
    // px, as JPEG at quality 90, in 10 class folders.
    static int Prepare(string root, int count)
    {
        var names = new[] { "astronaut.png", "chelsea.png", "coffee.png", "hubble_deep_field.jpg", "motorcycle_left.png", "rocket.jpg", "retina.jpg", "ihc.png", "camera.png", "coins.png", "moon.png", "grass.png", "brick.png", "gravel.png" };
        var sources = names.Select(n => Path.Combine(Photos, n)).Where(File.Exists).Select(p => SKBitmap.Decode(p)).ToList();
        if (sources.Count == 0)
            throw new DirectoryNotFoundException($"No sample photographs in {Photos}; apt-get install python3-skimage.");
        var random = new Random(1);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            var source = sources[i % sources.Count];
            int side = Math.Min(source.Width, source.Height);
            int cropWidth = (int)(side * (0.5 + 0.5 * random.NextDouble())), cropHeight = (int)(side * (0.5 + 0.5 * random.NextDouble()));
            int left = random.Next(source.Width - cropWidth + 1), top = random.Next(source.Height - cropHeight + 1);
            double scale = (256 + random.Next(245)) / (double)Math.Max(cropWidth, cropHeight);
            int width = Math.Max(1, (int)(cropWidth * scale)), height = Math.Max(1, (int)(cropHeight * scale));
            using var bitmap = new SKBitmap(width, height);
            using (var canvas = new SKCanvas(bitmap))
            using (var image = SKImage.FromBitmap(source))
                canvas.DrawImage(image, new SKRect(left, top, left + cropWidth, top + cropHeight), new SKRect(0, 0, width, height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
            var path = Path.Combine(root, $"class{i % 10}", $"{i:D5}.jpg");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
            File.WriteAllBytes(path, data.ToArray());
        }
        long bytes = Directory.EnumerateFiles(root, "*.jpg", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"Wrote {count:N0} JPEG files ({bytes / 1e6:0} MB) to {root} in {clock.Elapsed.TotalSeconds:0} s");
        return 0;
    }

    static int Run(string root, int workers, int rounds, int limit)
    {
        TorchRuntime.EnsureLoaded();
        var transform = new Compose(new RandomResizedCrop(224), new RandomHorizontalFlip(), new ToTensor(), Normalize.ImageNet);
        var opened = Stopwatch.StartNew();
        IBatchSource images = new ImageFolder(root, transform);
        Console.WriteLine($"{images.Count:N0} images in {root}, opened (headers read) in {opened.Elapsed.TotalSeconds:0.0} s; {workers} workers, batch {Batch}, "
            + $"{Environment.ProcessorCount} cores, load average {LoadAverage()}");
        if (limit > 0 && limit < images.Count)
            images = images.Subset(Enumerable.Range(0, limit).Select(i => (long)i).ToArray());
        var script = Path.Combine(AppContext.BaseDirectory, "load_torchvision.py");
        var results = new List<(string Who, int Round, double ImagesPerSecond)>();
        for (int round = 1; round <= rounds; round++)
        {
            // Alternate which contender goes first, so that neither always runs on a warmer or quieter machine.
            var order = round % 2 == 1 ? new[] { "CnnDsl", "torchvision" } : new[] { "torchvision", "CnnDsl" };
            foreach (var who in order)
            {
                double rate = who == "CnnDsl" ? CnnDslEpoch(images, workers, round) : TorchVisionEpoch(script, root, workers, limit);
                results.Add((who, round, rate));
                Console.WriteLine($"round {round} {who,-11} {rate,8:0.0} images/s   (load average {LoadAverage()})");
            }
        }
        double Median(string who)
        {
            var values = results.Where(r => r.Who == who).Select(r => r.ImagesPerSecond).OrderBy(v => v).ToArray();
            return values.Length % 2 == 1 ? values[values.Length / 2] : (values[values.Length / 2 - 1] + values[values.Length / 2]) / 2;
        }
        double ours = Median("CnnDsl"), theirs = Median("torchvision");
        Console.WriteLine($"median: CnnDsl {ours:0.0} images/s, torchvision {theirs:0.0} images/s, ratio {ours / theirs:0.00} (goal >= 1.5: {(ours / theirs >= 1.5 ? "met" : "NOT met")})");
        return 0;
    }

    // CnnDsl's loader alone, for comparing changes to it quickly.
    static int CnnDslOnly(string root, int workers, int rounds)
    {
        TorchRuntime.EnsureLoaded();
        var images = new ImageFolder(root, new Compose(new RandomResizedCrop(224), new RandomHorizontalFlip(), new ToTensor(), Normalize.ImageNet));
        for (int round = 1; round <= rounds; round++)
            Console.WriteLine($"round {round} CnnDsl {CnnDslEpoch(images, workers, round),8:0.0} images/s   (load average {LoadAverage()}; gen2 collections {GC.CollectionCount(2)})");
        return 0;
    }

    static double CnnDslEpoch(IBatchSource images, int workers, int round)
    {
        var loader = new BatchLoader(images, Batch, shuffle: true, seed: round, workers: workers);
        var clock = Stopwatch.StartNew();
        long count = 0;
        foreach (var (x, y) in loader.Epoch(1))
        {
            count += x.shape[0];
            if (workers == 0)
            {
                x.Dispose();
                y.Dispose();
            }
        }
        return count / clock.Elapsed.TotalSeconds;
    }

    static double TorchVisionEpoch(string script, string root, int workers, int limit)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { script, root, workers.ToString(CultureInfo.InvariantCulture), Batch.ToString(CultureInfo.InvariantCulture), limit.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException("torchvision failed: " + error.Result);
        var result = JsonDocument.Parse(output.Result.Trim().Split('\n').Last()).RootElement;
        return result.GetProperty("images").GetDouble() / result.GetProperty("seconds").GetDouble();
    }

    // Single-threaded time per image of each stage, to see where the loader's time goes.
    static int Stages(string root, int count)
    {
        var files = Directory.EnumerateFiles(root, "*.jpg", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).Take(count).ToList();
        var crop = new RandomResizedCrop(224);
        var flip = new RandomHorizontalFlip();
        var tensor = new ToTensor();
        var normalize = Normalize.ImageNet;
        var times = new double[6];
        var random = new Random(1);
        for (int pass = 0; pass < 2; pass++)
        {
            Array.Clear(times);
            foreach (var file in files)
            {
                long t0 = Stopwatch.GetTimestamp();
                var image = ImageData.Decode(file);
                long t1 = Stopwatch.GetTimestamp();
                image = crop.Apply(image, random);
                long t2 = Stopwatch.GetTimestamp();
                image = flip.Apply(image, random);
                long t3 = Stopwatch.GetTimestamp();
                image = normalize.Apply(tensor.Apply(image, random), random);
                long t4 = Stopwatch.GetTimestamp();
                using var batch = TorchSharp.torch.tensor(image.Pixels, new long[] { 1, image.Channels, image.Height, image.Width });
                long t5 = Stopwatch.GetTimestamp();
                crop.ApplyToFile(file, 3, random);
                long t6 = Stopwatch.GetTimestamp();
                times[0] += Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
                times[1] += Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds;
                times[2] += Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds;
                times[3] += Stopwatch.GetElapsedTime(t3, t4).TotalMilliseconds;
                times[4] += Stopwatch.GetElapsedTime(t4, t5).TotalMilliseconds;
                times[5] += Stopwatch.GetElapsedTime(t5, t6).TotalMilliseconds;
            }
        }
        var names = new[] { "decode whole image", "random resized crop", "flip", "to tensor + normalize", "tensor", "box decode + crop" };
        for (int i = 0; i < names.Length; i++)
            Console.WriteLine($"{names[i],-22} {times[i] / files.Count:0.000} ms per image");
        Console.WriteLine($"the loader's path: box decode + crop, then flip + to tensor + normalize written into the batch; the others show the steps on a whole image");
        Console.WriteLine($"all rows               {times.Sum() / files.Count:0.000} ms per image; gen0/1/2 collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
        return 0;
    }

    // A crop decoded from the file's box against a full decode then the crop: every pixel must agree.
    static int RegionCheck(string root, int count)
    {
        var files = Directory.EnumerateFiles(root, "*.jpg", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).Take(count).ToList();
        var crop = new RandomResizedCrop(224);
        int differing = 0;
        long t0 = 0, t1 = 0;
        for (int i = 0; i < files.Count; i++)
        {
            long a = Stopwatch.GetTimestamp();
            var full = crop.Apply(ImageData.Decode(files[i]), new Random(i));
            long b = Stopwatch.GetTimestamp();
            var region = crop.ApplyToFile(files[i], 3, new Random(i));
            long c = Stopwatch.GetTimestamp();
            t0 += b - a;
            t1 += c - b;
            if (!full.Bytes!.AsSpan().SequenceEqual(region.Bytes!))
            {
                differing++;
                if (differing <= 5)
                    Console.WriteLine($"{files[i]}: {full.Bytes!.Zip(region.Bytes!).Count(p => p.First != p.Second)} bytes differ");
            }
        }
        Console.WriteLine($"{files.Count} images, {differing} differ; decode + crop {Stopwatch.GetElapsedTime(0, t0).TotalMilliseconds / files.Count:0.000} ms, box decode + crop {Stopwatch.GetElapsedTime(0, t1).TotalMilliseconds / files.Count:0.000} ms per image");
        return differing == 0 ? 0 : 1;
    }

    static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
