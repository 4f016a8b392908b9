using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using CnnDsl.Runtime.Tests.Models;
using CnnDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Runtime.Tests;

public class CheckpointTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void A_process_killed_while_writing_a_checkpoint_leaves_a_loadable_one()
    {
        var path = Path.Combine(folder, "model.weights");
        manual_seed(1);
        using var original = new FashionCnn();
        original.SaveWeights(path);

        for (int round = 0; round < 3; round++)
        {
            var assembly = typeof(Program).Assembly.Location;
            var start = new ProcessStartInfo("dotnet", $"exec \"{assembly}\" overwrite-weights \"{path}\"") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var child = Process.Start(start)!;
            Assert.Equal("writing", child.StandardOutput.ReadLine());
            Thread.Sleep(300 + 250 * round);
            child.Kill(); // SIGKILL on Linux: no chance to clean up
            child.WaitForExit();

            using var loaded = new FashionCnn();
            loaded.LoadWeights(path);
            manual_seed(2);
            using var written = new FashionCnn();
            var state = loaded.state_dict();
            bool isOriginal = original.state_dict().All(e => e.Value.eq(state[e.Key]).all().item<bool>());
            bool isChild = written.state_dict().All(e => e.Value.eq(state[e.Key]).all().item<bool>());
            Assert.True(isOriginal || isChild, "The checkpoint is neither the old nor the new one.");
        }
    }
}
