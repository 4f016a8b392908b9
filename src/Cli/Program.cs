using System;
using System.CommandLine;
using System.IO;
using CnnDsl.Onnx;

namespace CnnDsl.Cli
{
    /// <summary>
    /// The cnn command. Exit codes: 0 success, 1 the models have errors or cannot be exported, 2 the tool was called
    /// wrongly (a missing file, a bad option). Every error is one line; no stack traces.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            var root = new RootCommand("Check .cnn models, print their summaries, export them to ONNX or PyTorch, and predict images with ONNX Runtime.");
            root.Subcommands.Add(Commands.Check());
            root.Subcommands.Add(Commands.Summary());
            root.Subcommands.Add(Commands.Export());
            root.Subcommands.Add(PredictCommand.Create());
            root.Subcommands.Add(Commands.Plot());
            return root.Parse(args).Invoke();
        }

        /// <summary>Runs a command's work, turning every failure into one line on standard error.</summary>
        public static int Guard(Func<int> work)
        {
            try
            {
                return work();
            }
            catch (Exception e) when (e is UsageException || e is CnnDsl.Dsl.Project.ProjectException)
            {
                Console.Error.WriteLine("cnn: error: " + e.Message);
                return 2;
            }
            catch (OnnxExportException e)
            {
                Console.Error.WriteLine("cnn: error: " + e.Message);
                return 1;
            }
            catch (PyTorchExport.PyTorchExportException e)
            {
                Console.Error.WriteLine("cnn: error: cannot export to PyTorch: " + e.Message);
                return 1;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is InvalidDataException)
            {
                Console.Error.WriteLine("cnn: error: " + e.Message);
                return 1;
            }
            catch (Exception e)
            {
                // A bug in the tool: still one line, with what is needed to report it.
                Console.Error.WriteLine("cnn: internal error: " + e.GetType().Name + ": " + e.Message.Replace(Environment.NewLine, " ") + " (please report this with the .cnn file)");
                return 3;
            }
        }
    }
}
