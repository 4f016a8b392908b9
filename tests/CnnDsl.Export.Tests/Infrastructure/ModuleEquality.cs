using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Binding;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Export.Tests.Infrastructure;

/// <summary>A module built at run time against the generated one: state_dict keys in order, shapes, and outputs with the same weights.</summary>
public static class ModuleEquality
{
    public static void AssertEqual(nn.Module<Tensor, Tensor> generated, BoundModel model, IEnumerable<long[]> sampleShapes, string context)
    {
        using var built = new RuntimeModule(model);
        var expected = generated.state_dict();
        var actual = built.state_dict();
        Assert.True(expected.Keys.SequenceEqual(actual.Keys),
            $"state_dict keys differ:\ngenerated {string.Join(", ", expected.Keys)}\nbuilt     {string.Join(", ", actual.Keys)}\nin {context}");
        foreach (var key in expected.Keys)
            Assert.True(expected[key].shape.SequenceEqual(actual[key].shape), $"{key}: generated {string.Join("x", expected[key].shape)}, built {string.Join("x", actual[key].shape)} in {context}");
        built.load_state_dict(expected);
        generated.eval();
        built.eval();
        int seed = 0;
        foreach (var sample in sampleShapes)
        {
            using var _ = no_grad();
            using var input = rand(new[] { 2L }.Concat(sample).ToArray(), generator: new TorchSharp.torch.Generator((ulong)++seed)) * 2 - 1;
            using var want = generated.call(input);
            using var got = built.call(input);
            Assert.True(want.shape.SequenceEqual(got.shape), $"output {string.Join("x", got.shape)} instead of {string.Join("x", want.shape)} on {string.Join("x", sample)} in {context}");
            double difference = (want - got).abs().max().item<float>();
            Assert.True(difference <= 1e-6, $"outputs differ by {difference:G3} on {string.Join("x", sample)} in {context}");
        }
    }
}
