using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl;
using CnnDsl.Weights;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// The normalisations against torch's own modules on the same random weights: <c>layernorm</c> against torchvision's
/// ConvNeXt LayerNorm2d on images, <c>nn.LayerNorm</c> on features and the formula (mean and variance over the
/// channels at each position) on other ranks; <c>groupnorm</c> against <c>nn.GroupNorm</c>; <c>instancenorm*d</c>
/// against <c>nn.InstanceNorm*d</c>. Inputs have a mean far from zero, so a norm over the wrong axes cannot match.
/// </summary>
public class NormalizationOracleTests(ITestOutputHelper output)
{
    static readonly string[] Bodies =
    {
        "input 6x5x7\n  layernorm",
        "input 6x5x7\n  conv2d 8, 3\n  layernorm eps=1e-3\n  conv2d 2, 1",
        "input 6x9\n  layernorm",
        "input 4x3x4x5\n  layernorm affine=false",
        "input 3x6x6\n  flatten\n  layernorm eps=0.01",
        "input 8x5x5\n  groupnorm 4",
        "input 6x10\n  groupnorm 3, eps=1e-3, affine=false",
        "input 4x3x4x5\n  groupnorm 2",
        "input 3x6x6\n  instancenorm2d affine=true",
        "input 3x16\n  instancenorm1d eps=1e-3",
        "input 2x4x4x4\n  instancenorm3d affine=true",
    };

    [PyTorchFact]
    public void Normalizations_compute_what_torchs_own_modules_compute_on_the_same_weights()
    {
        var text = string.Concat(Bodies.Select((b, i) => $"model Norm{i}\n  {b}\n"));
        var compiled = CnnCompilation.Compile(text, "norms.cnn");
        Assert.Empty(compiled.Diagnostics);
        var assembly = LoadedModels.Load(GeneratorHarness.RunCnn(text));
        var folder = Directory.CreateTempSubdirectory("cnndsl-norms-").FullName;
        try
        {
            manual_seed(11);
            for (int i = 0; i < Bodies.Length; i++)
            {
                using var scope = NewDisposeScope();
                var model = compiled.Models[i];
                using var module = LoadedModels.Create(assembly, "Models.Norm" + i);
                module.eval();
                // Scales and shifts away from ones and zeros, so that a parameter applied on the wrong axis shows.
                using (no_grad())
                    foreach (var parameter in module.parameters())
                        parameter.copy_(randn(parameter.shape) * 0.5 + 1);
                var input = randn(new[] { 3L }.Concat(model.InputShape.Sizes).ToArray()) * 2 + 3;
                var result = module.call(input);
                var tensors = new List<(string, Tensor)> { ("input", input), ("output", result) };
                tensors.AddRange(StateDict.Ordered(module).Select((e, k) => ($"w{k:D4}", e.Tensor)));
                SafeTensors.Write(Path.Combine(folder, $"n{i}.safetensors"), tensors);
            }
            var differences = PyTorchOracle.RunWithWeights(compiled.Models, Enumerable.Range(0, Bodies.Length).ToList(), folder);
            for (int i = 0; i < Bodies.Length; i++)
                Assert.True(differences[i] < 1e-4, $"Norm{i} ({Bodies[i].Replace("\n ", ";")}): torch's output differs by {differences[i]}");
            output.WriteLine("largest difference " + differences.Values.Max().ToString("G3"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
