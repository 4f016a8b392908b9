using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Symbolic;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// Keras' MobileNet and Xception: totals equal Keras' trainable and non-trainable counts, and every row of the summary
/// (name, output shape, Param #) equals the one Keras prints, computed here from Keras' own layer definitions
/// (keras/applications/mobilenet.py and xception.py) with Keras' shape and count rules, in NHWC as Keras has them.
/// </summary>
public class KerasZooTests
{
    /// <summary>One row of Keras' model.summary(): the output shape without the batch, channels last.</summary>
    public sealed record KerasRow(string Name, long[] Shape, long Parameters);

    // Keras' published figures for 1000 classes: trainable, non-trainable (batch-norm moving means and variances).
    [Theory]
    [InlineData("mobilenet", "3x224x224", 4_231_976, 21_888, 27)]
    [InlineData("xception", "3x299x299", 22_855_952, 54_528, 40)]
    public void Counts_equal_keras_trainable_and_non_trainable_figures(string zooModel, string input, long trainable, long nonTrainable, int batchNorms)
    {
        var compilation = CnnCompilation.Compile($"model Net = {zooModel}\n  input {input}\n", "keras.cnn");
        Assert.Empty(compilation.Diagnostics);
        var model = compilation.Models.Single();
        Assert.Equal(trainable, model.ParameterCount);
        // StateCount also counts PyTorch's num_batches_tracked, one per batch norm.
        Assert.Equal(nonTrainable + batchNorms, model.StateCount);
        Assert.Equal(batchNorms, model.Layers.Count(l => l.Config is CnnDsl.Dsl.Catalog.BatchNormConfig));
    }

    [Theory]
    [InlineData("mobilenet", 224, 1000)]
    [InlineData("mobilenet", 160, 10)]
    [InlineData("xception", 299, 1000)]
    [InlineData("xception", 150, 10)]
    public void Every_summary_row_equals_kerass(string zooModel, int size, int classes)
    {
        var expected = zooModel == "mobilenet" ? KerasMobileNet(size, classes) : KerasXception(size, classes);
        var compilation = CnnCompilation.Compile($"model Net = {zooModel} classes={classes}\n  input 3x{size}x{size}\n", "keras.cnn");
        Assert.Empty(compilation.Diagnostics);
        var actual = compilation.Models.Single().Layers.ToDictionary(l => l.Name, Row);
        Assert.Equal(expected.Select(r => r.Name).OrderBy(n => n, StringComparer.Ordinal), actual.Keys.OrderBy(n => n, StringComparer.Ordinal));
        foreach (var row in expected)
        {
            var mine = actual[row.Name];
            Assert.True(row.Shape.SequenceEqual(mine.Shape) && row.Parameters == mine.Parameters,
                $"{row.Name}: Keras ({string.Join(", ", row.Shape)}) {row.Parameters:N0}, here ({string.Join(", ", mine.Shape)}) {mine.Parameters:N0}");
        }
        Assert.Equal(expected.Sum(r => r.Parameters), actual.Values.Sum(r => r.Parameters));
        // Keras' "Total params" for 1000 classes pins the table to Keras' own figure.
        if (classes == 1000)
            Assert.Equal(zooModel == "mobilenet" ? 4_253_864 : 22_910_480, expected.Sum(r => r.Parameters));
    }

    [Fact]
    public void Both_accept_variable_sizes_and_the_smallest_input_keras_allows_runs()
    {
        var compilation = CnnCompilation.Compile("model M = mobilenet classes=10\n  input 3xHxW\nmodel X = xception classes=10\n  input 3xHxW\n", "keras.cnn");
        Assert.Empty(compilation.Diagnostics);
        var sizes = new Dictionary<string, long> { ["H"] = 71, ["W"] = 71 };
        // Keras' minimum sizes: 32 for MobileNet, 71 for Xception.
        foreach (var (model, minimum) in compilation.Models.Zip(new long[] { 32, 71 }))
        {
            sizes["H"] = sizes["W"] = minimum;
            Assert.All(model.AcceptedSizes, c => Assert.NotEqual(0, c.Condition.Evaluate(sizes)));
            Assert.Equal(new Expr[] { Exprs.Int(10) }, model.OutputShape.Dimensions.ToArray());
        }
    }

    // Keras reports a batch norm's four vectors as its parameters; here two are parameters and two (with a count) state.
    static KerasRow Row(BoundLayer layer)
    {
        var shape = layer.OutputShape.Sizes;
        var channelsLast = shape.Length == 3 ? new[] { shape[1], shape[2], shape[0] } : shape;
        long parameters = layer.Config.Parameters.Constant!.Value;
        long state = layer.Config.State.Constant!.Value;
        return new KerasRow(layer.Name, channelsLast, parameters + (state > 0 ? state - 1 : 0));
    }

    /// <summary>Keras' layer arithmetic over an NHWC tensor, in the order Keras' model code builds the layers.</summary>
    sealed class KerasBuilder(long size)
    {
        public readonly List<KerasRow> Rows = new();
        public long H = size, W = size, C = 3;

        static long Out(long n, long k, long s, bool same) => same ? (n + s - 1) / s : (n - k) / s + 1;

        void Add(string name, long parameters) => Rows.Add(new KerasRow(name, new[] { H, W, C }, parameters));

        public void Conv(string name, long filters, long k, long s = 1, bool same = false, bool bias = false)
        {
            (H, W) = (Out(H, k, s, same), Out(W, k, s, same));
            long parameters = k * k * C * filters + (bias ? filters : 0);
            C = filters;
            Add(name, parameters);
        }

        public void Depthwise(string name, long k, long s, bool same)
        {
            (H, W) = (Out(H, k, s, same), Out(W, k, s, same));
            Add(name, k * k * C);
        }

        public void Separable(string name, long filters, long k)
        {
            long parameters = k * k * C + C * filters;
            C = filters;
            Add(name, parameters);
        }

        public void BatchNorm(string name) => Add(name, 4 * C);

        public void NoParameters(string name) => Add(name, 0);

        public void Pad(string name)
        {
            H += 1;
            W += 1;
            Add(name, 0);
        }

        public void MaxPoolSame(string name, long s)
        {
            (H, W) = (Out(H, 3, s, true), Out(W, 3, s, true));
            Add(name, 0);
        }

        public void Flat(string name, long features, long parameters) => Rows.Add(new KerasRow(name, new[] { features }, parameters));

        public (long, long, long) Shape => (H, W, C);

        public void Restore((long H, long W, long C) shape) => (H, W, C) = shape;
    }

    // tf.keras.applications.MobileNet(alpha=1.0, depth_multiplier=1, include_top=True).
    static List<KerasRow> KerasMobileNet(long size, long classes)
    {
        var k = new KerasBuilder(size);
        k.Conv("conv1", 32, 3, 2, same: true);
        k.BatchNorm("conv1_bn");
        k.NoParameters("conv1_relu");
        var blocks = new (long Filters, long Stride)[] { (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1) };
        for (int i = 1; i <= blocks.Length; i++)
        {
            var (filters, stride) = blocks[i - 1];
            if (stride == 2)
                k.Pad($"conv_pad_{i}");
            k.Depthwise($"conv_dw_{i}", 3, stride, same: stride == 1);
            k.BatchNorm($"conv_dw_{i}_bn");
            k.NoParameters($"conv_dw_{i}_relu");
            k.Conv($"conv_pw_{i}", filters, 1, same: true);
            k.BatchNorm($"conv_pw_{i}_bn");
            k.NoParameters($"conv_pw_{i}_relu");
        }
        // GlobalAveragePooling2D(keepdims=True), Dropout, a 1x1 Conv2D with bias, Reshape((classes,)), softmax.
        k.H = k.W = 1;
        k.NoParameters("global_average_pooling2d");
        k.NoParameters("dropout");
        k.Conv("conv_preds", classes, 1, same: true, bias: true);
        k.Flat("reshape_2", classes, 0);
        k.Flat("predictions", classes, 0);
        return k.Rows;
    }

    // tf.keras.applications.Xception(include_top=True); its unnamed layers numbered as Keras numbers them.
    static List<KerasRow> KerasXception(long size, long classes)
    {
        var k = new KerasBuilder(size);
        k.Conv("block1_conv1", 32, 3, 2);
        k.BatchNorm("block1_conv1_bn");
        k.NoParameters("block1_conv1_act");
        k.Conv("block1_conv2", 64, 3);
        k.BatchNorm("block1_conv2_bn");
        k.NoParameters("block1_conv2_act");
        int unnamed = 0;
        string Numbered(string name, int n) => n == 0 ? name : $"{name}_{n}";
        foreach (var (block, filters) in new[] { (2, 128L), (3, 256L), (4, 728L) })
        {
            var before = k.Shape;
            k.Conv(Numbered("conv2d", unnamed), filters, 1, 2, same: true);
            k.BatchNorm(Numbered("batch_normalization", unnamed));
            k.Restore(before);
            if (block != 2)
                k.NoParameters($"block{block}_sepconv1_act");
            k.Separable($"block{block}_sepconv1", filters, 3);
            k.BatchNorm($"block{block}_sepconv1_bn");
            k.NoParameters($"block{block}_sepconv2_act");
            k.Separable($"block{block}_sepconv2", filters, 3);
            k.BatchNorm($"block{block}_sepconv2_bn");
            k.MaxPoolSame($"block{block}_pool", 2);
            k.NoParameters(Numbered("add", unnamed));
            unnamed++;
        }
        int adds = unnamed;
        for (int block = 5; block <= 12; block++)
        {
            for (int i = 1; i <= 3; i++)
            {
                k.NoParameters($"block{block}_sepconv{i}_act");
                k.Separable($"block{block}_sepconv{i}", 728, 3);
                k.BatchNorm($"block{block}_sepconv{i}_bn");
            }
            k.NoParameters(Numbered("add", adds++));
        }
        var entry = k.Shape;
        k.Conv(Numbered("conv2d", unnamed), 1024, 1, 2, same: true);
        k.BatchNorm(Numbered("batch_normalization", unnamed));
        k.Restore(entry);
        k.NoParameters("block13_sepconv1_act");
        k.Separable("block13_sepconv1", 728, 3);
        k.BatchNorm("block13_sepconv1_bn");
        k.NoParameters("block13_sepconv2_act");
        k.Separable("block13_sepconv2", 1024, 3);
        k.BatchNorm("block13_sepconv2_bn");
        k.MaxPoolSame("block13_pool", 2);
        k.NoParameters(Numbered("add", adds));
        k.Separable("block14_sepconv1", 1536, 3);
        k.BatchNorm("block14_sepconv1_bn");
        k.NoParameters("block14_sepconv1_act");
        k.Separable("block14_sepconv2", 2048, 3);
        k.BatchNorm("block14_sepconv2_bn");
        k.NoParameters("block14_sepconv2_act");
        k.Flat("avg_pool", 2048, 0);
        k.Flat("predictions", classes, 2048 * classes + classes);
        return k.Rows;
    }
}
