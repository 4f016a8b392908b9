using CnnDsl.Runtime.Tests.Models;
using CnnDsl.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Runtime.Tests;

/// <summary>The run-time summary, computed from the live module, equals the compiler's.</summary>
public class SummaryTests
{
    [Fact]
    public void Run_time_summaries_of_the_course_models_equal_their_compile_time_summaries()
    {
        using var mnist = new MnistCnn();
        using var fashion = new FashionCnn();
        using var cifar = new CifarCnn();
        using var tiny = new TinyCnn();
        using var resnet = new TinyResNet();
        Assert.Equal(MnistCnn.Summary, ModelSummary.Summarize(mnist, new long[] { 1, 28, 28 }, "MnistCnn").Table);
        Assert.Equal(FashionCnn.Summary, ModelSummary.Summarize(fashion, new long[] { 1, 28, 28 }, "FashionCnn").Table);
        Assert.Equal(CifarCnn.Summary, ModelSummary.Summarize(cifar, new long[] { 3, 32, 32 }, "CifarCnn").Table);
        Assert.Equal(TinyCnn.Summary, ModelSummary.Summarize(tiny, new long[] { 1, 28, 28 }, "TinyCnn").Table);
        Assert.Equal(TinyResNet.Summary, ModelSummary.Summarize(resnet, new long[] { 3, 32, 32 }, "TinyResNet").Table);
        Assert.Contains("Total params: 3,199,106 (12.20 MB)", FashionCnn.Summary);
        Assert.Contains("Non-trainable state: 17 (68 B)", TinyCnn.Summary);
    }

    [Fact]
    public void Frozen_parameters_are_non_trainable_and_extras_follow_the_table()
    {
        using var model = new FashionCnn();
        foreach (var (name, parameter) in model.named_parameters())
            if (name.StartsWith("conv2d."))
                parameter.requires_grad = false;
        var summary = ModelSummary.Summarize(model, new long[] { 1, 28, 28 }, "FashionCnn", batchSize: 64);
        Assert.Contains("Trainable params: 3,198,274 (12.20 MB)", summary.Table);
        Assert.Contains("Non-trainable params: 832 (3.25 KB)", summary.Table);
        // conv 28*28*32*25 + conv 14*14*64*32*25 + dense 3136*1000 + 1000*10 mult-adds per image
        Assert.Equal(28L * 28 * 32 * 25 + 14L * 14 * 64 * 32 * 25 + 3136L * 1000 + 1000L * 10, summary.MultAddsPerSample);
        Assert.Contains("Total mult-adds (M): ", summary.ToString());
    }

    [Fact]
    public void Mult_adds_inside_blocks_are_counted()
    {
        using var model = new BlockNet();
        var summary = ModelSummary.Summarize(model, new long[] { 1, 8, 8 }, "BlockNet");
        // Inside the block: a 3x3 convolution (4x8x8 outputs of 1*9 products) and a 1x1 one (4x8x8 of 4); then dense 256*2.
        Assert.Equal(4L * 8 * 8 * 9 + 4L * 8 * 8 * 4 + 256L * 2, summary.MultAddsPerSample);
    }
}
