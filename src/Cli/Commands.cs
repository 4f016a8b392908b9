using System.Collections.Generic;
using System;
using System.CommandLine;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Project;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Onnx;
using CnnDsl.PyTorchExport;

namespace CnnDsl.Cli
{
    /// <summary>The subcommands: their arguments and what they do.</summary>
    internal static class Commands
    {
        public static Command Check()
        {
            var paths = new Argument<string[]>("paths") { Description = ".cnn files or folders to check (default: the current folder)", Arity = ArgumentArity.ZeroOrMore };
            var command = new Command("check", "Reports every diagnostic of the .cnn files as the compiler does (file(line,col): error CNNxxxx: ...); exit code 1 on errors.") { paths };
            command.SetAction(result => Program.Guard(() =>
            {
                var given = result.GetValue(paths) is { Length: > 0 } p ? p : new[] { "." };
                var files = CnnFiles.Find(given);
                var project = CnnProject.Load(files);
                foreach (var diagnostic in project.Diagnostics)
                    Console.WriteLine(Format(diagnostic));
                int errors = project.Diagnostics.Count(d => d.IsError), warnings = project.Diagnostics.Count - errors;
                Console.Error.WriteLine($"{Plural(files.Count, "file")}, {Plural(project.Models.Count, "valid model")}: {Plural(errors, "error")}, {Plural(warnings, "warning")}");
                return errors > 0 ? 1 : 0;
            }));
            return command;
        }

        public static Command Summary()
        {
            var file = new Argument<string>("file") { Description = "the .cnn file" };
            var model = ModelOption();
            var input = InputOption();
            var command = new Command("summary", "Prints a model's summary (layers, output shapes, parameter counts) as the compiler computes it.") { file, model, input };
            command.SetAction(result => Program.Guard(() =>
            {
                var bound = Resolve(result.GetValue(file)!, result.GetValue(model), result.GetValue(input));
                if (bound == null)
                    return 1;
                Console.WriteLine(bound.FormatSummary());
                if (bound.SizeVariables.Count > 0)
                    Console.WriteLine("Input: " + bound.InputShape + "; sizes accepted: " + bound.AcceptedSizeRule);
                return 0;
            }));
            return command;
        }

        public static Command Export()
        {
            var file = new Argument<string>("file") { Description = "the .cnn file" };
            var onnx = new Option<string?>("--onnx") { Description = "the ONNX file to write (opset 17, IR version 8)" };
            var pytorch = new Option<string?>("--pytorch") { Description = "a folder for the model as a PyTorch module (the model's name in snake_case: FashionCnn gives fashion_cnn.py) and a torchrun training script (train_ddp.py)" };
            var weights = new Option<string?>("--weights") { Description = "a safetensors file with the model's weights (SaveSafeTensors or PyTorch's state_dict); without it the weights are untrained" };
            var seed = new Option<int>("--seed") { Description = "seed of the untrained weights (PyTorch's default initialisation scheme)", DefaultValueFactory = _ => 0 };
            var model = ModelOption();
            var input = InputOption();
            var command = new Command("export", "Writes a model and its weights as an ONNX file (the batch size and the input's size variables stay dynamic), "
                + "or as a PyTorch module with a DistributedDataParallel training script for torchrun.") { file, onnx, pytorch, weights, seed, model, input };
            command.SetAction(result => Program.Guard(() =>
            {
                var onnxFile = result.GetValue(onnx);
                var pytorchFolder = result.GetValue(pytorch);
                if ((onnxFile == null) == (pytorchFolder == null))
                    throw new UsageException("give one of --onnx FILE or --pytorch FOLDER");
                if (pytorchFolder != null && result.GetValue(weights) != null)
                    throw new UsageException("--weights applies to --onnx; the PyTorch module loads weights with load_state_dict, and train_ddp.py writes its own");
                var bound = Resolve(result.GetValue(file)!, result.GetValue(model), result.GetValue(input));
                if (bound == null)
                    return 1;
                if (pytorchFolder != null)
                {
                    var written = PyTorchExporter.Export(bound, pytorchFolder);
                    Console.WriteLine($"Wrote {string.Join(" and ", written)}: {bound.Name}, input {bound.InputShape}, {bound.ParameterCount:N0} parameters. "
                        + $"Train with: cd {pytorchFolder} && torchrun --nproc_per_node=2 {PyTorchExporter.TrainingScriptName} --data DIR");
                    return 0;
                }
                var weightsFile = result.GetValue(weights);
                IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
                var values = weightsFile == null ? ModelWeights.Initialize(bound, result.GetValue(seed)) : SafeTensorsFile.ReadFloats(weightsFile, out metadata);
                var output = onnxFile!;
                // The weights' facts (class names, normalisation) travel into the ONNX file's metadata_props.
                var facts = metadata.Where(m => m.Key == "cnndsl.facts").ToDictionary(m => m.Key, m => m.Value);
                OnnxExporter.ExportFile(bound, values, output, weightsFile == null ? "The untrained weights" : "'" + weightsFile + "'", facts);
                var origin = weightsFile == null ? $"untrained weights (seed {result.GetValue(seed)})" : "weights from " + weightsFile;
                Console.WriteLine($"Wrote {output}: {bound.Name}, input {bound.InputShape}, {bound.ParameterCount:N0} parameters, {origin}, ONNX opset {OnnxExporter.Opset}");
                return 0;
            }));
            return command;
        }

        public static Command Plot()
        {
            var file = new Argument<string>("file") { Description = "the .cnn file" };
            var output = new Option<string>("--output", "-o") { Description = "the SVG file to write, or a .png file for its picture", Required = true };
            var expand = new Option<bool>("--expand") { Description = "draw every layer inside every block instead of one box per block use" };
            var model = ModelOption();
            var input = InputOption();
            var command = new Command("plot", "Draws a model's diagram (layers, output shapes, parameter counts, data flow) as SVG or PNG, as the compiler computes it, without running it.")
                { file, output, expand, model, input };
            command.SetAction(result => Program.Guard(() =>
            {
                var path = result.GetValue(output)!;
                bool png = path.EndsWith(".png", StringComparison.OrdinalIgnoreCase);
                if (!png && !path.EndsWith(".svg", StringComparison.OrdinalIgnoreCase))
                    throw new UsageException($"-o '{path}': cnn plot writes SVG or PNG; give a file ending in .svg or .png");
                var bound = Resolve(result.GetValue(file)!, result.GetValue(model), result.GetValue(input));
                if (bound == null)
                    return 1;
                var svg = Diagram.ModelDiagram.ToSvg(bound, new Diagram.DiagramOptions { ExpandBlocks = result.GetValue(expand) });
                // The PNG is the SVG's own picture, drawn by the same renderer as the run time's PlotModel.
                if (png)
                    Vision.SvgPicture.SavePng(svg, path);
                else
                    System.IO.File.WriteAllText(path, svg);
                Console.WriteLine($"Wrote {path}: {bound.Name}, input {bound.InputShape}, {bound.ParameterCount:N0} parameters");
                return 0;
            }));
            return command;
        }

        static Option<string?> ModelOption() => new Option<string?>("--model") { Description = "the model's name, when the file has several" };

        static Option<string?> InputOption() => new Option<string?>("--input") { Description = "a fixed input shape such as 3x64x64 instead of the file's (for models with size variables)" };

        static BoundModel? Resolve(string file, string? modelName, string? input) => CnnProject.Resolve(file, modelName, input, Console.Error);

        /// <summary>The compiler's format, which editors and CI annotate: <c>path(line,col): error CNN2002: message</c>.</summary>
        static string Format(Diagnostic diagnostic) => diagnostic.ToString();

        static string Plural(int count, string noun) => count + " " + noun + (count == 1 ? "" : "s");
    }
}
