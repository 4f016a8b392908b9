using System;
using System.Threading;
using CnnDsl.Runtime.Tests.Models;
using CnnDsl.Training;
using static TorchSharp.torch;

namespace CnnDsl.Runtime.Tests;

/// <summary>
/// Runs as a child process for <see cref="CheckpointTests"/>: overwrites a weights file again and again, until killed,
/// so that the test can kill it in the middle of a write.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length != 2 || args[0] != "overwrite-weights")
        {
            Console.Error.WriteLine("usage: overwrite-weights PATH");
            return 2;
        }
        manual_seed(2);
        using var model = new FashionCnn();
        Console.WriteLine("writing");
        Console.Out.Flush();
        while (true)
        {
            model.SaveWeights(args[1]);
            Thread.Yield();
        }
    }
}
