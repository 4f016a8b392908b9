using System;
using System.IO;
using System.Linq;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl;
using CnnDsl.Export.Tests.Infrastructure;
using CnnDsl.Weights;
using Microsoft.ML.OnnxRuntime;
using Xunit;

namespace CnnDsl.Export.Tests;

/// <summary>The cnn tool, run as a real process on real files: check, summary and export, and its errors.</summary>
public class CliTests : IDisposable
{
    const string FashionCnn = """
        # The course's CNN for 28x28 grey images
        model FashionCnn
          input 1x28x28
          conv2d 32, kernel=5, padding=same, activation=relu
          maxpool2d 2
          conv2d 64, kernel=5, padding=same, activation=relu
          maxpool2d 2
          flatten
          dense 1000, activation=relu
          dropout 0.25
          dense 10

        """;

    const string VariableNet = """
        model VariableNet
          input 3xHxW
          stem: conv2d 8, 3, stride=2, padding=same, activation=relu
          res: Residual 8
          pool: adaptive_avgpool2d 2
          flatten
          fc: dense 5

        """;

    const string Blocks = """
        block Residual(c)
          a: conv2d c, 3, padding=1, bias=false
          bn: batchnorm2d
          add bn, input
          relu

        """;

    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-cli-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    string Write(string name, string text)
    {
        var path = Path.Combine(folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    static void AssertOneLineError(CnnTool.Result result, string expected)
    {
        Assert.True(result.ExitCode != 0, result.ToString());
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "expected one line on stderr:\n" + result);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", result.Output + result.Error);
    }

    [Fact]
    public void Check_reports_each_mistake_in_the_compilers_format_and_exits_1_only_on_errors()
    {
        Write("models/fashion.cnn", FashionCnn);
        Write("models/blocks.cnn", Blocks);
        Write("models/nested/variable.cnn", VariableNet);
        Write("models/obj/ignored.cnn", "model Broken\n  nonsense\n");
        var clean = CnnTool.Run(folder, "check", "models");
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Equal("", clean.Output);
        Assert.Contains("3 files, 2 valid models: 0 errors, 0 warnings", clean.Error);

        Write("models/bad.cnn", "model Bad\n  input 1x28x28\n  conv2d 32, kernal=5\n  dense 10\n");
        var bad = CnnTool.Run(folder, "check", "models");
        Assert.True(bad.ExitCode == 1, bad.ToString());
        var expected = Path.Combine("models", "bad.cnn") + "(3,14): error CNN2002: Layer 'conv2d' has no argument 'kernal'; did you mean 'kernel'?";
        Assert.Equal(expected, bad.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single());

        // A single file, given by name, that uses a block from another file given beside it.
        var withBlocks = CnnTool.Run(folder, "check", "models/nested/variable.cnn", "models/blocks.cnn");
        Assert.True(withBlocks.ExitCode == 0, withBlocks.ToString());
        var withoutBlocks = CnnTool.Run(folder, "check", "models/nested/variable.cnn");
        Assert.True(withoutBlocks.ExitCode == 1, withoutBlocks.ToString());
        Assert.Contains("error CNN", withoutBlocks.Output);
        Assert.Contains("Residual", withoutBlocks.Output);
    }

    [Fact]
    public void Check_reports_a_model_name_taken_in_an_earlier_file_or_by_a_block_class_as_the_build_does()
    {
        var files = new[]
        {
            ("models/a.cnn", "model Net\n  input 1x8x8\n  flatten\n  dense 2\n"),
            ("models/b.cnn", "# The same name again, in a file later by path\nmodel Net\n  input 1x8x8\n  flatten\n  dense 3\n"),
            ("models/blocks.cnn", Blocks),
            ("models/clash.cnn", "model Residual\n  input 3x8x8\n  conv2d 3, 1\n"),
        };
        foreach (var (path, text) in files)
            Write(path, text);
        var result = CnnTool.Run(folder, "check", "models");
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("4 files, 1 valid model: 2 errors, 0 warnings", result.Error);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("models/b.cnn(2,7): error CNN2010: A model named 'Net' is already defined in namespace '(global)', in models/a.cnn; rename one of them", lines);

        // The generator's diagnostics on the same files, in the same words at the same places.
        var build = GeneratorHarness.Run(files, rootNamespace: null).CnnDiagnostics.Select(d =>
        {
            var start = d.Location.GetLineSpan().StartLinePosition;
            return $"{d.Location.GetLineSpan().Path}({start.Line + 1},{start.Character + 1}): error {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
        });
        Assert.Equal(build.OrderBy(l => l, StringComparer.Ordinal), lines.OrderBy(l => l, StringComparer.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("models/clash.cnn(1,7): error CNN2054: Model 'Residual'", StringComparison.Ordinal));
    }

    [Fact]
    public void Summary_prints_the_compilers_table_for_the_files_input_or_a_fixed_one()
    {
        var file = Write("fashion.cnn", FashionCnn);
        var summary = CnnTool.Run(folder, "summary", file);
        Assert.True(summary.ExitCode == 0, summary.ToString());
        Assert.Contains("max_pooling2d_1 (MaxPool2d)            (None, 64, 7, 7)", summary.Output);
        Assert.Contains("Total params: 3,199,106 (12.20 MB)", summary.Output);

        Write("blocks.cnn", Blocks);
        var variable = Write("variable.cnn", VariableNet);
        var symbolic = CnnTool.Run(folder, "summary", variable);
        Assert.True(symbolic.ExitCode == 0, symbolic.ToString());
        Assert.Contains("(None, 8, (H + 1) // 2, (W + 1) // 2)", symbolic.Output);
        var fixedSize = CnnTool.Run(folder, "summary", variable, "--input", "3x64x48");
        Assert.True(fixedSize.ExitCode == 0, fixedSize.ToString());
        Assert.Contains("(None, 8, 32, 24)", fixedSize.Output);

        // A fixed input the model cannot take is the compiler's diagnostic for that size.
        var tooSmall = CnnTool.Run(folder, "summary", file, "--input", "1x2x2");
        Assert.True(tooSmall.ExitCode == 1, tooSmall.ToString());
        Assert.Contains("error CNN2011", tooSmall.Error);
    }

    [Fact]
    public void Export_writes_an_onnx_file_that_onnx_runtime_runs_at_any_batch_size_and_accepted_size()
    {
        Write("blocks.cnn", Blocks);
        var variable = Write("variable.cnn", VariableNet.Replace("pool: adaptive_avgpool2d 2", "pool: global_avgpool2d").Replace("flatten\n", ""));
        var result = CnnTool.Run(folder, "export", variable, "--onnx", "variable.onnx");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Wrote variable.onnx: VariableNet", result.Output);
        using var session = new InferenceSession(Path.Combine(folder, "variable.onnx"));
        var input = session.InputMetadata["input"];
        Assert.Equal(new[] { -1, 3, -1, -1 }, input.Dimensions);
        Assert.Equal(new[] { "batch", "", "H", "W" }, input.SymbolicDimensions);
        foreach (var (batch, h, w) in new[] { (1, 16, 16), (3, 23, 31) })
        {
            var tensor = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(new[] { batch, 3, h, w });
            using var outputs = session.Run(new[] { NamedOnnxValue.CreateFromTensor("input", tensor) });
            Assert.Equal(new[] { batch, 5 }, outputs.Single().AsTensor<float>().Dimensions.ToArray());
        }
    }

    [Fact]
    public void Export_of_adaptive_pooling_on_a_variable_size_names_the_layer_and_works_at_a_fixed_size()
    {
        Write("blocks.cnn", Blocks);
        var variable = Write("variable.cnn", VariableNet);
        var refused = CnnTool.Run(folder, "export", variable, "--onnx", "v.onnx");
        AssertOneLineError(refused, "Layer 'pool' (adaptive_avgpool2d 2x2) has a variable input size");
        Assert.Contains("--input", refused.Error);
        Assert.False(File.Exists(Path.Combine(folder, "v.onnx")));

        var fixedSize = CnnTool.Run(folder, "export", variable, "--onnx", "v.onnx", "--input", "3x40x30");
        Assert.True(fixedSize.ExitCode == 0, fixedSize.ToString());
        using var session = new InferenceSession(Path.Combine(folder, "v.onnx"));
        Assert.Equal(new[] { -1, 3, 40, 30 }, session.InputMetadata["input"].Dimensions);
    }

    [Fact]
    public void Export_with_trained_weights_from_safetensors_gives_the_modules_outputs()
    {
        var file = Write("fashion.cnn", FashionCnn.Replace("dense 1000", "dense 50"));
        var model = CnnCompilation.Compile(File.ReadAllText(file), file).Models.Single();
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(File.ReadAllText(file)));
        using var module = LoadedModels.Create(assembly, "Models.FashionCnn");
        TorchSharp.torch.manual_seed(21);
        // Weights unlike any initialisation: a trained model's.
        using (TorchSharp.torch.no_grad())
            foreach (var parameter in module.parameters())
                parameter.normal_(0, 0.2);
        module.SaveSafeTensors(Path.Combine(folder, "trained.safetensors"));

        var result = CnnTool.Run(folder, "export", file, "--onnx", "trained.onnx", "--weights", "trained.safetensors");
        Assert.True(result.ExitCode == 0, result.ToString());
        var onnx = File.ReadAllBytes(Path.Combine(folder, "trained.onnx"));
        var shapes = new[] { new long[] { 1, 28, 28 } };
        var comparisons = TorchVsOnnx.Compare(module, model, shapes, seed: 4, "FashionCnn", onnx);
        TorchVsOnnx.AssertEqual(comparisons, shapes, "FashionCnn exported by the tool");
        Assert.True(comparisons[0].MaxMagnitude > 0.1, "the outputs should be far from zero, so that equal outputs mean equal weights");

        // Weights of another model are refused by name and shape.
        var other = Write("other.cnn", FashionCnn.Replace("conv2d 64", "conv2d 48").Replace("dense 1000", "dense 50"));
        var mismatch = CnnTool.Run(folder, "export", other, "--onnx", "other.onnx", "--weights", "trained.safetensors");
        AssertOneLineError(mismatch, "'trained.safetensors' gives 'conv2d_1.weight' the shape [64, 32, 5, 5], but layer 'conv2d_1' of FashionCnn needs [48, 32, 5, 5]");
    }

    [Theory]
    [InlineData("summary|missing.cnn", "'missing.cnn' does not exist")]
    [InlineData("export|fashion.cnn|--onnx|x.onnx|--input|3xfoo", "--input '3xfoo' is not a shape")]
    [InlineData("export|fashion.cnn|--onnx|x.onnx|--weights|missing.safetensors", "Cannot read the weights file 'missing.safetensors'")]
    [InlineData("export|fashion.cnn|--onnx|x.onnx|--weights|fashion.cnn", "'fashion.cnn' is not a valid safetensors file")]
    [InlineData("export|fashion.cnn|--onnx|x.onnx|--model|Other", "fashion.cnn has no model 'Other' (models: FashionCnn)")]
    [InlineData("check|nowhere", "'nowhere' is neither a file nor a folder")]
    [InlineData("predict|fashion.cnn|x.png", "give the trained weights of fashion.cnn with --weights FILE")]
    [InlineData("predict|fashion.cnn|--weights|missing.safetensors|fashion.cnn", "--weights 'missing.safetensors' does not exist")]
    [InlineData("predict|fashion.cnn|--weights|fashion.cnn|nowhere", "'fashion.cnn' is not a valid safetensors file")]
    [InlineData("predict|fashion.cnn|--weights|fashion.cnn|--top|0|.", "--top 0: give at least 1")]
    [InlineData("export|fashion.cnn|--onnx|no/such/folder/x.onnx", "Cannot write 'no/such/folder/x.onnx'")]
    public void Mistakes_in_the_call_are_one_line_and_a_non_zero_exit_code(string arguments, string expected)
    {
        Write("fashion.cnn", FashionCnn);
        AssertOneLineError(CnnTool.Run(folder, arguments.Split('|')), expected);
    }

    [Fact]
    public void Predict_names_the_top_classes_of_files_and_folders_from_the_weights_facts_as_text_or_json()
    {
        var file = Write("fashion.cnn", FashionCnn.Replace("dense 1000", "dense 50"));
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(File.ReadAllText(file)));
        using var module = LoadedModels.Create(assembly, "Models.FashionCnn");
        var classes = new[] { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };
        var model = (ICnnModel)module;
        model.Facts = model.Facts with { ClassNames = classes, Normalization = new InputNormalization(new[] { 0.286f }, new[] { 0.353f }) };
        TorchSharp.torch.manual_seed(5);
        using (TorchSharp.torch.no_grad())
            foreach (var parameter in module.parameters())
                parameter.normal_(0, 0.1);
        module.SaveSafeTensors(Path.Combine(folder, "trained.safetensors"));
        // Two pictures of other sizes, in colour: the tool reads them grey, resized to 28x28 and normalised as the facts say.
        var pictures = Directory.CreateDirectory(Path.Combine(folder, "pictures")).FullName;
        var values = new float[3 * 40 * 30];
        for (int i = 0; i < values.Length; i++)
            values[i] = (i * 37 % 101) / 100f;
        new CnnDsl.Vision.ImageData(3, 40, 30, values).SavePng(Path.Combine(pictures, "a.png"));
        new CnnDsl.Vision.ImageData(3, 30, 40, values).SavePng(Path.Combine(pictures, "b.png"));
        File.WriteAllText(Path.Combine(pictures, "broken.png"), "not a picture");

        // What the module says of the same pixels, preprocessed here by hand: PIL's grey, then its resize, ToTensor, Normalize.
        string Expected(string name)
        {
            var image = CnnDsl.Vision.ImageData.Decode(Path.Combine(pictures, name), channels: 1);
            var resized = CnnDsl.Vision.ImageFunctions.Resize(image, 28, 28);
            var input = resized.Pixels.Select(p => (p - 0.286f) / 0.353f).ToArray();
            module.eval();
            using var _ = TorchSharp.torch.no_grad();
            using var output = module.call(TorchSharp.torch.tensor(input, new long[] { 1, 1, 28, 28 })).softmax(1);
            var probabilities = output.data<float>().ToArray();
            return classes[Array.IndexOf(probabilities, probabilities.Max())];
        }

        var text = CnnTool.Run(folder, "predict", file, "--weights", "trained.safetensors", "pictures");
        Assert.Equal(1, text.ExitCode);
        Assert.Contains("broken.png cannot be decoded as an image", text.Error);
        var lines = text.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith(Path.Combine("pictures", "a.png") + ": " + Expected("a.png") + " (0.", lines[0]);
        Assert.StartsWith(Path.Combine("pictures", "b.png") + ": " + Expected("b.png") + " (0.", lines[1]);

        // The ONNX file the tool exports with the weights carries the same facts; JSON with the top three.
        Assert.Equal(0, CnnTool.Run(folder, "export", file, "--onnx", "trained.onnx", "--weights", "trained.safetensors").ExitCode);
        var json = CnnTool.Run(folder, "predict", "trained.onnx", Path.Combine("pictures", "a.png"), Path.Combine("pictures", "b.png"), "--top", "3", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        using var document = System.Text.Json.JsonDocument.Parse(json.Output);
        var results = document.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, results.Count);
        Assert.Equal(Path.Combine("pictures", "b.png"), results[1].GetProperty("file").GetString());
        var top = results[0].GetProperty("classes").EnumerateArray().ToList();
        Assert.Equal(3, top.Count);
        Assert.Equal(Expected("a.png"), top[0].GetProperty("name").GetString());
        Assert.Equal(classes[top[1].GetProperty("index").GetInt32()], top[1].GetProperty("name").GetString());
        Assert.True(top[0].GetProperty("probability").GetDouble() >= top[1].GetProperty("probability").GetDouble());
    }

    [Fact]
    public void The_tool_does_not_depend_on_torchsharp_or_libtorch()
    {
        var dependencies = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "cnn.deps.json"));
        Assert.Contains("CnnDsl.Onnx", dependencies);
        Assert.DoesNotContain("TorchSharp", dependencies, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("libtorch", dependencies, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Export_to_pytorch_writes_the_module_and_the_training_script_and_wants_one_target()
    {
        var model = Write("models/fashion.cnn", FashionCnn);
        var written = CnnTool.Run(folder, "export", model, "--pytorch", "ddp");
        Assert.True(written.ExitCode == 0, written.ToString());
        var module = File.ReadAllText(Path.Combine(folder, "ddp", "fashion_cnn.py"));
        Assert.Contains("class FashionCnn(nn.Module):", module);
        Assert.Contains("self.conv2d = nn.Conv2d(1, 32, kernel_size=5, padding=\"same\")", module);
        Assert.Contains("from fashion_cnn import FashionCnn", File.ReadAllText(Path.Combine(folder, "ddp", "train_ddp.py")));
        Assert.Contains("torchrun --nproc_per_node=2 train_ddp.py", written.Output);
        // The help names the module file as it is written.
        var help = CnnTool.Run(folder, "export", "--help");
        Assert.Contains("FashionCnn gives fashion_cnn.py", System.Text.RegularExpressions.Regex.Replace(help.Output, @"\s+", " "));

        var neither = CnnTool.Run(folder, "export", model);
        Assert.Equal(2, neither.ExitCode);
        Assert.Equal("cnn: error: give one of --onnx FILE or --pytorch FOLDER", neither.Error.Trim());
        var both = CnnTool.Run(folder, "export", model, "--onnx", "x.onnx", "--pytorch", "ddp");
        Assert.Equal(2, both.ExitCode);
        var weights = CnnTool.Run(folder, "export", model, "--pytorch", "ddp", "--weights", "w.safetensors");
        Assert.Equal(2, weights.ExitCode);
        Assert.Contains("--weights applies to --onnx", weights.Error);
    }
}
