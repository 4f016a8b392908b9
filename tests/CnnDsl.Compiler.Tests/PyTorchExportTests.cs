using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.PyTorchExport;
using CnnDsl.Weights;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// <c>cnn export --pytorch</c>: the Python module of a model has the generated TorchSharp module's state_dict keys, order
/// and shapes and computes the same outputs from the same weights; its training script trains under torchrun with
/// DistributedDataParallel, and CnnDsl loads the weights it writes.
/// </summary>
public class PyTorchExportTests
{
    // Loads each model's weights with its exported module's own load_safetensors (Debian has no safetensors package; the
    // oracle's reader reads the inputs), runs the module on the inputs CnnDsl wrote, and reports per model whether the
    // keys and shapes agree, the largest output difference, and the facts the file carried.
    static readonly string CompareScript = "import importlib.util, json, sys\nimport torch\n" + PyTorchOracle.SafetensorsReader + """
        torch.set_num_threads(1)
        results = {}
        for name, module_path, class_name, weights, io, inputs in json.loads(open(sys.argv[1]).read()):
            spec = importlib.util.spec_from_file_location(name, module_path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            model = getattr(module, class_name)()
            # The exported module reads CnnDsl's file itself, with PyTorch alone, and the model's facts with it.
            state, facts = module.load_safetensors(weights)
            ours = [[k, list(v.shape)] for k, v in model.state_dict().items()]
            theirs = [[k, list(v.shape)] for k, v in state.items()]
            model.load_state_dict(state, strict=True)
            model.eval()
            tensors = read_safetensors(io)
            worst = 0.0
            with torch.no_grad():
                for i in range(inputs):
                    expected = tensors[f"output{i}"]
                    actual = model(tensors[f"input{i}"])
                    scale = max(1.0, float(expected.abs().max()))
                    worst = max(worst, float((actual - expected).abs().max()) / scale)
            results[name] = {"keys": ours == theirs, "ours": ours[:3], "theirs": theirs[:3], "diff": worst,
                             "facts_model": facts and facts["model"], "classes": facts and facts["class_names"]}
        print(json.dumps(results))
        """;

    // The layer kinds the zoo's newer models brought, each at least once, with and without size variables.
    const string NewKinds = """
        model NewKinds
          input 3xHxW
          sep: separable_conv2d 8, 3, padding=same, depth_multiplier=2, activation=relu
          dw: depthwise_conv2d 3, stride=2, padding=same
          up: conv_transpose2d 6, 3, stride=2, padding=1, output_padding=1
          upsample scale=2, mode=bilinear, align_corners=true
          prelu
          groupnorm 2
          layernorm
          instancenorm2d affine=true
          hardswish
          s: global_avgpool2d
          dense 6, activation=hardsigmoid
          mish
          stochastic_depth 0.2
          dense 4
        model NewKinds1d
          input 2x17
          conv_transpose1d 4, 4, stride=3
          upsample size=40
          separable_conv1d 5, 3
          rescaling scale=0.5, offset=-1
          flatten
          dense 3, activation=mish
        model PerDimension
          input 3x5x6
          conv_transpose2d 4, 3, stride=(2, 3), padding=(1, 0), output_padding=(1, 2), dilation=(1, 2)
        model PerDimension3d
          input 2x3x4x5
          conv_transpose3d 2, 2, stride=(2, 3, 2), output_padding=(0, 2, 1), activation=relu
        """;

    [PyTorchFact]
    public void Exported_modules_have_the_generated_modules_keys_and_compute_their_outputs()
    {
        // The course's models, two zoo models at a small size, 200 random fixed-size models and 40 with size variables.
        var random = new Random(1127);
        var fixedModels = Enumerable.Range(0, 200).Select(i => PropertyTests.Build(new[] { 1, 2, 2, 3 }[random.Next(4)], random.Next(1, 7), random.Next(2) == 0, new Random(random.Next())))
            .Select((m, i) => $"model P{i}\n{m.Text}");
        var symbolic = SymbolicPropertyTests.Models(40).Select(m => m.Text);
        var text = PropertyTests.Blocks + SymbolicPropertyTests.Blocks + CourseModelTests.Models + "\n"
            + "model Zoo18 = resnet18 classes=10\n  input 3x32x32\nmodel ZooMobile = mobilenet_v2 classes=10\n  input 3x32x32\n"
            + "model ZooV3 = mobilenet_v3_small classes=10\n  input 3xHxW\nmodel ZooEfficient = efficientnet_b0 classes=10\n  input 3x32x32\n"
            + "model ZooKerasMobile = mobilenet classes=10\n  input 3x32x32\nmodel ZooDense = densenet121 classes=10\n  input 3x32x32\n"
            + "model ZooUnet = unet_small\n  input 1xHxW\n"
            + NewKinds + "\n"
            + string.Concat(fixedModels) + string.Concat(symbolic);
        var compiled = CnnCompilation.Compile(text, "/project/Models/export.cnn", "Models");
        Assert.DoesNotContain(compiled.Diagnostics, d => d.Severity == CnnDsl.Dsl.Diagnostics.DiagnosticSeverity.Error);
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(text, "/project/Models/export.cnn"));

        var folder = Directory.CreateTempSubdirectory("cnndsl-pytorch-export-").FullName;
        try
        {
            var jobs = new List<object[]>();
            foreach (var (model, index) in compiled.Models.Select((m, i) => (m, i)))
            {
                var paths = PyTorchExporter.Export(model, folder);
                using var scope = NewDisposeScope();
                manual_seed(index);
                using var module = LoadedModels.Create(assembly, (model.Namespace == null ? "" : model.Namespace + ".") + model.Name);
                RandomizeStatistics(module);
                module.eval();
                var io = new List<(string, Tensor)>();
                var sizes = InputSizes(model);
                for (int i = 0; i < sizes.Count; i++)
                {
                    var x = randn(new long[] { 2 }.Concat(sizes[i]).ToArray());
                    using (no_grad())
                        io.Add(("output" + i, module.call(x)));
                    io.Add(("input" + i, x));
                }
                var weights = Path.Combine(folder, model.Name + ".weights.safetensors");
                var inputs = Path.Combine(folder, model.Name + ".io.safetensors");
                // Class names no default would give, to come back through the exported module's reader.
                ((ICnnModel)module).Facts = ((ICnnModel)module).Facts with { ClassNames = new[] { "신발 " + index, "bag \"" + index + "\"" } };
                module.SaveSafeTensors(weights);
                SafeTensors.Write(inputs, io);
                jobs.Add(new object[] { model.Name, paths[0], model.Name, weights, inputs, sizes.Count });
            }
            Assert.True(jobs.Count >= 245, $"{jobs.Count} models");
            var results = RunPython(CompareScript, JsonSerializer.Serialize(jobs), folder);
            var failures = new List<string>();
            foreach (var job in jobs)
            {
                var name = (string)job[0];
                var result = results.GetProperty(name);
                if (!result.GetProperty("keys").GetBoolean())
                    failures.Add($"{name}: state_dict keys differ: Python {result.GetProperty("ours")}, CnnDsl {result.GetProperty("theirs")}");
                if (result.GetProperty("facts_model").GetString() != name)
                    failures.Add($"{name}: the facts read by the exported module name {result.GetProperty("facts_model")}");
                var index = jobs.IndexOf(job);
                if (result.GetProperty("classes")[0].GetString() != "신발 " + index || result.GetProperty("classes")[1].GetString() != "bag \"" + index + "\"")
                    failures.Add($"{name}: the class names read by the exported module are {result.GetProperty("classes")}");
                var diff = result.GetProperty("diff").GetDouble();
                if (!(diff <= 1e-4))
                    failures.Add($"{name}: outputs differ by {diff:E2} (relative)\n{SourceOf(compiled, name)}");
            }
            Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [PyTorchFact]
    public void Torchrun_trains_the_export_on_two_processes_resumes_from_its_checkpoint_and_CnnDsl_predicts_as_PyTorch()
    {
        const string model = """
            model DigitNet
              input 1x28x28
              conv2d 8, kernel=3, padding=same, bias=false
              batchnorm2d
              relu
              maxpool2d 2
              conv2d 16, kernel=3, stride=2, padding=same, activation=relu
              flatten
              dropout 0.25
              dense 10
            """;
        var compiled = Assert.Single(CnnCompilation.Compile(model, "/project/Models/digits.cnn", "Models").Models);
        var folder = Directory.CreateTempSubdirectory("cnndsl-torchrun-").FullName;
        try
        {
            var paths = PyTorchExporter.Export(compiled, folder);
            Assert.Equal(new[] { "digit_net.py", "train_ddp.py" }, paths.Select(Path.GetFileName));
            var data = Path.GetFullPath(Path.Combine(RepositoryRoot(), "examples", "data", "fashion-mnist-subset"));
            var weights = Path.Combine(folder, "weights.safetensors");
            // Debian's PyTorch 1.13 under plain torchrun fails in its log handling; --redirects 1 --tee 1 avoids it.
            var (code, output) = Run(PyTorchOracle.Python, folder, "-m", "torch.distributed.run", "--nproc_per_node=2", "--redirects", "1", "--tee", "1",
                "train_ddp.py", "--data", data, "--epochs", "2", "--max-steps", "6", "--batch-size", "32", "--out", weights);
            Assert.True(code == 0, output);
            var line = output.Split('\n').Last(l => l.Contains("\"processes\""));
            var summary = JsonDocument.Parse(line.Substring(line.IndexOf('{'))).RootElement;
            Assert.Equal(2, summary.GetProperty("processes").GetInt32());
            Assert.True(File.Exists(Path.Combine(folder, "checkpoint.pt")));
            Assert.Contains("epoch 2/2", output);

            // The C# model loads the weights strictly and predicts what PyTorch predicts with them.
            var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(model, "/project/Models/digits.cnn"));
            using var module = LoadedModels.Create(assembly, "Models.DigitNet");
            var report = module.LoadSafeTensors(weights);
            Assert.Empty(report.MissingKeys);
            module.eval();
            manual_seed(5);
            using var x = rand(8, 1, 28, 28);
            using var expected = module.call(x);
            SafeTensors.Write(Path.Combine(folder, "DigitNet.io.safetensors"), new[] { ("input0", x), ("output0", expected) });
            var job = JsonSerializer.Serialize(new[] { new object[] { "DigitNet", paths[0], "DigitNet", weights, Path.Combine(folder, "DigitNet.io.safetensors"), 1 } });
            var result = RunPython(CompareScript, job, folder).GetProperty("DigitNet");
            Assert.True(result.GetProperty("keys").GetBoolean());
            Assert.True(result.GetProperty("diff").GetDouble() <= 1e-4, result.ToString());
            // Trained, not the initial weights: two epochs of Adam moved the first convolution.
            using var initial = LoadedModels.Create(assembly, "Models.DigitNet");
            Assert.False(initial.state_dict()["conv2d.weight"].allclose(module.state_dict()["conv2d.weight"]));

            // --resume continues from the checkpoint after epoch 2: only epoch 3 runs, from the saved weights and optimizer.
            var resumedWeights = Path.Combine(folder, "resumed.safetensors");
            var (resumedCode, resumed) = Run(PyTorchOracle.Python, folder, "-m", "torch.distributed.run", "--nproc_per_node=2", "--redirects", "1", "--tee", "1",
                "train_ddp.py", "--data", data, "--epochs", "3", "--max-steps", "6", "--batch-size", "32", "--out", resumedWeights, "--resume");
            Assert.True(resumedCode == 0, resumed);
            Assert.Contains("resumed from checkpoint.pt after epoch 2", resumed);
            Assert.Contains("epoch 3/3", resumed);
            Assert.DoesNotContain("epoch 1/3", resumed);
            Assert.DoesNotContain("epoch 2/3", resumed);
            using var continued = LoadedModels.Create(assembly, "Models.DigitNet");
            Assert.Empty(continued.LoadSafeTensors(resumedWeights).MissingKeys);
            Assert.False(continued.state_dict()["conv2d.weight"].allclose(module.state_dict()["conv2d.weight"]), "the resumed epoch did not train");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [PyTorchFact]
    public void The_training_script_refuses_to_run_outside_torchrun_and_names_a_damaged_data_file()
    {
        var compiled = Assert.Single(CnnCompilation.Compile("model Tiny\n  input 1x28x28\n  flatten\n  dense 10\n", "tiny.cnn").Models);
        var folder = Directory.CreateTempSubdirectory("cnndsl-torchrun-bad-").FullName;
        try
        {
            PyTorchExporter.Export(compiled, folder);
            var (code, output) = Run(PyTorchOracle.Python, folder, "train_ddp.py", "--data", folder);
            Assert.Equal(2, code);
            Assert.Contains("error: start this script with torchrun", output);

            // A training file cut short: the error names it and says what is wrong, with no traceback.
            var data = Directory.CreateDirectory(Path.Combine(folder, "data")).FullName;
            var source = Path.Combine(RepositoryRoot(), "examples", "data", "fashion-mnist-subset");
            var images = File.ReadAllBytes(Path.Combine(source, "train-images-idx3-ubyte.gz"));
            using (var input = new System.IO.Compression.GZipStream(new MemoryStream(images), System.IO.Compression.CompressionMode.Decompress))
            using (var whole = new MemoryStream())
            {
                input.CopyTo(whole);
                using var output2 = File.Create(Path.Combine(data, "train-images-idx3-ubyte.gz"));
                using var gzip = new System.IO.Compression.GZipStream(output2, System.IO.Compression.CompressionLevel.Fastest);
                gzip.Write(whole.ToArray(), 0, (int)whole.Length - 100);
            }
            File.Copy(Path.Combine(source, "train-labels-idx1-ubyte.gz"), Path.Combine(data, "train-labels-idx1-ubyte.gz"));
            (code, output) = Run(PyTorchOracle.Python, folder, "-m", "torch.distributed.run", "--nproc_per_node=1", "--redirects", "1", "--tee", "1",
                "train_ddp.py", "--data", data, "--max-steps", "1");
            Assert.NotEqual(0, code);
            Assert.Contains("train-images-idx3-ubyte.gz: the header declares", output);
            Assert.DoesNotContain("Traceback (most recent call last)", output.Split("torch.distributed.elastic")[0]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    static void RandomizeStatistics(nn.Module module)
    {
        using var guard = no_grad();
        foreach (var (name, buffer) in module.named_buffers())
        {
            if (name.EndsWith("running_var"))
                buffer.copy_(rand(buffer.shape) * 1.5 + 0.5);
            else if (name.EndsWith("running_mean"))
                buffer.copy_(randn(buffer.shape) * 0.2);
        }
    }

    // One input size for a fixed model; for one with size variables, the two smallest accepted sizes above its minimum.
    static List<long[]> InputSizes(BoundModel model)
    {
        if (model.SizeVariables.Count == 0)
            return new List<long[]> { model.InputShape.Dimensions.Select(d => d.Constant!.Value).ToArray() };
        var channels = model.InputShape.Dimensions[0].Constant!.Value;
        var found = new List<long[]>();
        for (long h = model.MinimumSizes[0]; h < model.MinimumSizes[0] + 40 && found.Count < 2; h++)
            for (long w = model.MinimumSizes[1] + 1; w < model.MinimumSizes[1] + 40 && found.Count < 2; w++)
                if (SymbolicPropertyTests.Accepts(model, h, w) && !found.Any(f => f[1] == h || f[2] == w))
                    found.Add(new[] { channels, h, w });
        Assert.True(found.Count > 0, $"{model.Name}: no accepted size found near {string.Join("x", model.MinimumSizes)}");
        return found;
    }

    static string SourceOf(CnnCompilation compiled, string name) =>
        compiled.Syntax.Models.FirstOrDefault(m => m.Name.Text == name)?.Location is { } location ? location.ToString() : name;

    static JsonElement RunPython(string script, string jobs, string folder)
    {
        var scriptPath = Path.Combine(folder, "compare.py");
        var jobsPath = Path.Combine(folder, "jobs.json");
        File.WriteAllText(scriptPath, script);
        File.WriteAllText(jobsPath, jobs);
        var (code, output) = Run(PyTorchOracle.Python, folder, scriptPath, jobsPath);
        Assert.True(code == 0, output);
        return JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith("{"))).RootElement;
    }

    static (int Code, string Output) Run(string program, string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    static string RepositoryRoot([CallerFilePath] string testFile = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(testFile)!, "..", ".."));
}
