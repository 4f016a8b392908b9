using System;
using System.CommandLine;
using System.IO;
using CnnDsl.Cli;

namespace CnnDsl.Train
{
    /// <summary>
    /// The cnn-train command. Exit codes: 0 success, 1 the model, data or weights are wrong, 2 the tool was called
    /// wrongly. Every error is one line; no stack traces.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            var root = new RootCommand("Train a .cnn model on IDX or image folders, with no C# project; predict with the trained weights with cnn predict.");
            root.Subcommands.Add(TrainCommand.Create());
            root.Subcommands.Add(MovedPredict());
            return root.Parse(args).Invoke();
        }

        // Prediction needs no libtorch: the cnn tool runs it with ONNX Runtime, with the same arguments.
        static Command MovedPredict()
        {
            var rest = new Argument<string[]>("arguments") { Arity = ArgumentArity.ZeroOrMore };
            var command = new Command("predict", "Moved: use cnn predict MODEL.cnn --weights W IMAGES... (the same arguments, without libtorch).") { rest };
            command.TreatUnmatchedTokensAsErrors = false;
            command.SetAction(result =>
            {
                Console.Error.WriteLine("cnn-train: error: prediction is done by the cnn tool, without libtorch: cnn predict "
                    + string.Join(" ", result.GetValue(rest) ?? Array.Empty<string>()));
                return 2;
            });
            return command;
        }

        public static int Guard(Func<int> work)
        {
            try
            {
                // Both commands need libtorch: a machine where it cannot load gets the reason in one line, not a
                // TorchSharp type-initializer failure from the first tensor.
                TorchRuntime.EnsureLoaded();
                return work();
            }
            catch (Exception e) when (e is UsageException || e is CnnDsl.Dsl.Project.ProjectException)
            {
                Console.Error.WriteLine("cnn-train: error: " + e.Message);
                return 2;
            }
            catch (Exception e) when (e is InvalidFileException || e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is InvalidOperationException || e is NotSupportedException)
            {
                Console.Error.WriteLine("cnn-train: error: " + OneLine(e.Message));
                return 1;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine("cnn-train: internal error: " + e.GetType().Name + ": " + OneLine(e.Message) + " (please report this with the .cnn file)");
                return 3;
            }
        }

        static string OneLine(string message) => message.Replace("\r", "").Replace("\n", " ");
    }
}
