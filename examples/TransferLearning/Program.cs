using System;
using System.IO;
using System.Linq;
using TransferLearning;

// The course's transfer learning (chapter 5.3) and its pictures (5.4) on data this example writes itself; see CourseFlow.
try
{
    var options = Parse(args);
    Console.WriteLine(options.Full ? $"Full run: task B frozen, fine-tuned and from scratch, seeds {string.Join(", ", options.Seeds)}" : "Quick run (--full compares frozen, fine-tuned and from scratch over 3 seeds)");
    CourseFlow.Run(options, Console.Out);
    return 0;
}
catch (Exception e) when (e is ArgumentException or IOException)
{
    // Bad options and missing or bad data files: the message says what and how to fix it; a stack trace would bury it.
    Console.Error.WriteLine("error: " + e.Message);
    return 2;
}

static CourseOptions Parse(string[] args)
{
    var options = new CourseOptions { Data = Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-subset") };
    int? seeds = null, epochs = null;
    for (int i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        int Number() => int.TryParse(Value(), out var n) && n > 0 ? n : throw new ArgumentException($"{args[i - 1]} needs a positive whole number, not '{args[i]}'.");
        switch (args[i])
        {
            case "--data": options = options with { Data = Value() }; break;
            case "--output": options = options with { Output = Value() }; break;
            case "--pictures": options = options with { Pictures = Value() }; break;
            case "--full": options = options with { Full = true }; break;
            case "--seeds": seeds = Number(); break;
            case "--epochs": epochs = Number(); break;
            case "--images-per-class": options = options with { TransferImagesPerClass = Number() }; break;
            default:
                throw new ArgumentException($"Unknown option {args[i]}; use --data DIR (Fashion-MNIST IDX files), --output DIR, --pictures DIR, --full, --seeds N, "
                    + "--epochs N (at most N epochs for each training), --images-per-class N (task B's training images per class).");
        }
    }
    options = options with { Seeds = Enumerable.Range(1, seeds ?? (options.Full ? 3 : 1)).ToArray() };
    return epochs is int cap ? options with { PretrainEpochs = Math.Min(cap, options.PretrainEpochs), TransferEpochs = Math.Min(cap, options.TransferEpochs) } : options;
}
