using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using CnnDsl.Runtime.Tests.Models;
using CnnDsl.Training;
using CnnDsl.Weights;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CnnDsl.Runtime.Tests;

/// <summary>
/// <c>kill -9</c> during saves: a child process saves two models in turn as TorchSharp weights, safetensors and a
/// training checkpoint and is killed at random moments; every file must then be the old or a new complete one, and the
/// next save must leave no temporary file behind.
/// </summary>
public class KillLoopTests : IDisposable
{
    const int Kills = 6;
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-kill-loop-").FullName;
    readonly ITestOutputHelper output;

    public KillLoopTests(ITestOutputHelper output) => this.output = output;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static string[] Paths(string folder) =>
        new[] { Path.Combine(folder, "model.weights"), Path.Combine(folder, "model.safetensors"), Path.Combine(folder, "model.ckpt") };

    static FashionCnn Seeded(int seed)
    {
        manual_seed(seed);
        return new FashionCnn();
    }

    static void SaveAll(string folder, FashionCnn model, optim.Optimizer optimizer, int round)
    {
        var paths = Paths(folder);
        model.SaveWeights(paths[0]);
        model.SaveSafeTensors(paths[1]);
        Checkpoints.SaveTrainingCheckpoint(paths[2], model, optimizer, round, 7);
    }

    /// <summary>The child process: saves model 2 and model 3 in turn until killed.</summary>
    public static int SaveLoop(string folder)
    {
        using var two = Seeded(2);
        using var three = Seeded(3);
        using var twoOptimizer = optim.Adam(two.parameters());
        using var threeOptimizer = optim.Adam(three.parameters());
        Console.WriteLine("ready");
        Console.Out.Flush();
        for (int round = 0; ; round++)
        {
            if (round % 2 == 0)
                SaveAll(folder, two, twoOptimizer, round);
            else
                SaveAll(folder, three, threeOptimizer, round);
            Console.WriteLine($"saved {round}");
            Console.Out.Flush();
        }
    }

    /// <summary>The child process that stops in the middle of a write, to be killed there.</summary>
    public static int StopMidWrite(string path)
    {
        AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[1 << 20]);
            stream.Flush();
            Console.WriteLine("half written");
            Console.Out.Flush();
            Thread.Sleep(Timeout.Infinite);
        });
        return 0;
    }

    static Process Start(string arguments)
    {
        var start = new ProcessStartInfo("dotnet", $"exec \"{typeof(Program).Assembly.Location}\" {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true };
        return Process.Start(start)!;
    }

    [Fact]
    public void Every_file_is_old_or_new_and_complete_after_each_kill_and_the_next_save_leaves_no_temporary()
    {
        using var original = Seeded(1);
        using var two = Seeded(2);
        using var three = Seeded(3);
        using var originalOptimizer = optim.Adam(original.parameters());
        var known = new (string Name, FashionCnn Model)[] { ("the old model", original), ("model 2", two), ("model 3", three) };
        var paths = Paths(folder);
        SaveAll(folder, original, originalOptimizer, 0);

        var random = new Random(2026);
        int temporariesLeft = 0, killsLeavingTemporaries = 0;
        var found = new Dictionary<string, int>();
        for (int kill = 0; kill < Kills; kill++)
        {
            using (var child = Start($"save-loop \"{folder}\""))
            {
                Assert.Equal("ready", child.StandardOutput.ReadLine());
                // Killed in the first, second or third round of saves, at a random moment within it.
                for (int rounds = random.Next(3); rounds > 0; rounds--)
                    Assert.StartsWith("saved", child.StandardOutput.ReadLine());
                Thread.Sleep(random.Next(0, 300));
                child.Kill(); // SIGKILL on Linux: no chance to clean up
                child.WaitForExit();
            }

            int left = paths.Sum(p => AtomicFile.Temporaries(p).Length);
            temporariesLeft += left;
            killsLeavingTemporaries += left > 0 ? 1 : 0;
            foreach (var path in paths)
            {
                using var loaded = new FashionCnn();
                if (path.EndsWith(".weights"))
                    loaded.LoadWeights(path);
                else if (path.EndsWith(".safetensors"))
                    Assert.True(loaded.LoadSafeTensors(path).Verified);
                else
                {
                    using var optimizer = optim.Adam(loaded.parameters());
                    Checkpoints.LoadTrainingCheckpoint(path, loaded, optimizer);
                }
                var match = known.FirstOrDefault(k => Same(k.Model, loaded)).Name;
                Assert.True(match != null, $"After kill {kill + 1}, {path} is none of the models written to it.");
                found[match] = found.GetValueOrDefault(match) + 1;
            }

            SaveAll(folder, original, originalOptimizer, 0);
            foreach (var path in paths)
                Assert.Empty(AtomicFile.Temporaries(path));
        }
        output.WriteLine($"{Kills} kills: {killsLeavingTemporaries} left {temporariesLeft} temporary files, all removed by the next save; "
            + "files found: " + string.Join(", ", found.Select(f => $"{f.Key} {f.Value}")));
    }

    [Fact]
    public void A_process_killed_in_the_middle_of_a_write_leaves_the_old_file_and_a_temporary_that_the_next_save_removes()
    {
        var path = Path.Combine(folder, "model.weights");
        using var model = Seeded(1);
        model.SaveWeights(path);
        var before = File.ReadAllBytes(path);
        using (var child = Start($"stop-mid-write \"{path}\""))
        {
            Assert.Equal("half written", child.StandardOutput.ReadLine());
            child.Kill();
            child.WaitForExit();
        }
        var left = Assert.Single(AtomicFile.Temporaries(path));
        Assert.Equal(1 << 20, new FileInfo(left).Length);
        Assert.Equal(before, File.ReadAllBytes(path));
        model.SaveWeights(path);
        Assert.Empty(AtomicFile.Temporaries(path));
        Assert.False(File.Exists(left));
    }

    [Fact]
    public void A_save_deletes_only_stale_temporaries_of_its_own_target()
    {
        var target = Path.Combine(folder, "model.weights");
        var stale = Path.Combine(folder, ".model.weights." + Guid.NewGuid().ToString("N") + ".tmp");
        var live = Path.Combine(folder, ".model.weights." + Guid.NewGuid().ToString("N") + ".tmp");
        var otherTarget = Path.Combine(folder, ".other.weights." + Guid.NewGuid().ToString("N") + ".tmp");
        var notOurs = Path.Combine(folder, ".model.weights.backup.tmp");
        foreach (var file in new[] { stale, live, otherTarget, notOurs })
            File.WriteAllText(file, "partial");
        using var model = Seeded(1);
        // A writer in another process holds its temporary file open, as AtomicFile does until the rename.
        using (new FileStream(live, FileMode.Open, FileAccess.Write, FileShare.Delete))
        {
            Assert.Equal(2, AtomicFile.Temporaries(target).Length);
            model.SaveWeights(target);
            Assert.False(File.Exists(stale));
            Assert.True(File.Exists(live));
        }
        Assert.True(File.Exists(otherTarget));
        Assert.True(File.Exists(notOurs));
        model.SaveWeights(target);
        Assert.False(File.Exists(live));
        Assert.Empty(AtomicFile.Temporaries(target));
    }

    /// <summary>Whether two modules hold the same keys with the same shapes, types and bits.</summary>
    internal static bool Same(nn.Module expected, nn.Module actual)
    {
        var a = expected.state_dict();
        var b = actual.state_dict();
        return a.Count == b.Count && a.All(e => b.TryGetValue(e.Key, out var other) && e.Value.dtype == other.dtype
            && e.Value.shape.SequenceEqual(other.shape) && e.Value.cpu().view(-1).bytes.SequenceEqual(other.cpu().view(-1).bytes));
    }
}
