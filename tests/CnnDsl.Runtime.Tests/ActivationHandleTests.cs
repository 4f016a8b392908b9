using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Vision;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnDsl.Runtime.Tests;

/// <summary>
/// Every activation of the catalogue as <c>conv2d 4, 3, activation=A</c> (Models/Activations.cnn): the feature maps a
/// layer handle gives equal the convolution's output with the activation written out here from its formula, and the
/// run-time builder computes the same.
/// </summary>
public class ActivationHandleTests
{
    // Each activation from its definition, with PyTorch's default parameters; nothing here calls the product's table.
    static readonly Dictionary<string, Func<Tensor, Tensor>> ByFormula = new()
    {
        ["relu"] = x => x.clamp_min(0),
        ["relu6"] = x => x.clamp(0, 6),
        ["leaky_relu"] = x => where(x > 0, x, x * 0.01),
        ["elu"] = x => where(x > 0, x, x.exp() - 1),
        ["gelu"] = x => x * 0.5 * (1 + special.erf(x / Math.Sqrt(2))),
        ["silu"] = x => x / (1 + (-x).exp()),
        ["sigmoid"] = x => 1 / (1 + (-x).exp()),
        ["tanh"] = x => ((2 * x).exp() - 1) / ((2 * x).exp() + 1),
        ["softmax"] = x => x.exp() / x.exp().sum(1, keepdim: true),
        ["log_softmax"] = x => x - x.exp().sum(1, keepdim: true).log(),
        ["hardswish"] = x => x * (x + 3).clamp(0, 6) / 6,
        ["hardsigmoid"] = x => (x + 3).clamp(0, 6) / 6,
        ["mish"] = x => x * (1 + x.exp()).log().tanh(),
    };

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var activation in CnnDsl.Dsl.Catalog.Activation.All)
            data.Add(activation.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_layer_handle_applies_the_layers_activation_to_its_feature_maps(string activation)
    {
        Assert.True(ByFormula.ContainsKey(activation), $"no formula for '{activation}' in this test, and no model for it in Models/Activations.cnn");
        var type = typeof(ActivationHandleTests).Assembly.GetType("CnnDsl.Runtime.Tests.Models.Activations.Conv_" + activation)
            ?? throw new InvalidOperationException($"Models/Activations.cnn has no model Conv_{activation}");
        TorchRuntime.EnsureLoaded();
        manual_seed(7);
        using var model = (nn.Module<Tensor, Tensor>)Activator.CreateInstance(type, new object?[] { null })!;
        var layers = type.GetNestedType("Layers")!;
        var handle = (LayerHandle)layers.GetProperty("conv2d")!.GetValue(null)!;
        Assert.Equal(activation, handle.Activation);
        using var x = randn(3, 2, 6, 6) * 4;
        var maps = model.Activations(x, handle)[0];
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var convolved = F.conv2d(x, parameters["conv2d.weight"], parameters["conv2d.bias"]);
        using var expected = ByFormula[activation](convolved);
        Assert.True(maps.allclose(expected, rtol: 1e-4, atol: 1e-5), $"{activation}: largest difference {(maps - expected).abs().max().item<float>()}");
        // The model's own output is the same: the handle applies what forward applies.
        using (no_grad())
        using (var output = model.call(x))
            Assert.True(output.allclose(expected, rtol: 1e-4, atol: 1e-5));
    }
}
