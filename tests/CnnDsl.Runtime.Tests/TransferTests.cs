using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnDsl.Data;
using CnnDsl.Runtime.Tests.HandWritten;
using CnnDsl.Runtime.Tests.Models;
using CnnDsl.Training;
using CnnDsl.Weights;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Runtime.Tests;

/// <summary>Transfer learning: freezing by layer name, per-group learning rates, partial loads, class names beside weights.</summary>
public class TransferTests : IDisposable
{
    static readonly string Shipped = Path.Combine(AppContext.BaseDirectory, "data");
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-transfer-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static Dataset Train(int count) => Dataset.FromIdx(Path.Combine(Shipped, "train-images-idx3-ubyte.gz"), Path.Combine(Shipped, "train-labels-idx1-ubyte.gz"), count);

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    static Dictionary<string, Tensor> Snapshot(nn.Module model) => model.state_dict().ToDictionary(e => e.Key, e => e.Value.detach().clone());

    [Fact]
    public void A_frozen_backbone_keeps_its_weights_and_batch_norm_statistics_while_the_head_trains()
    {
        using var data = Train(200);
        using var model = CnnModel.Create<TinyCnn>(1);
        model.FreezeAllExcept("dense");
        Assert.Equal(new[] { "dense.weight", "dense.bias" }, model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name));
        using (var optimizer = OptimizerSpec.Adam().Create(model))
            Assert.Equal(2, optimizer.parameters().Count());
        var before = Snapshot(model);
        model.Fit(data, new FitOptions { Epochs = 1, BatchSize = 50, Seed = 1, Progress = ProgressMode.None, Device = CPU });
        var after = model.state_dict();
        foreach (var key in before.Keys.Where(k => !k.StartsWith("dense.")))
            Assert.True(Same(before[key], after[key]), $"{key} changed although frozen");
        Assert.Contains(before.Keys, k => k.EndsWith("running_mean"));
        Assert.False(Same(before["dense.weight"], after["dense.weight"]), "the head did not train");

        // Unfrozen again, the backbone trains and its batch-norm statistics move.
        model.Unfreeze();
        model.Fit(data, new FitOptions { Epochs = 1, BatchSize = 50, Seed = 1, Progress = ProgressMode.None, Device = CPU });
        var running = before.Keys.First(k => k.EndsWith("running_mean"));
        Assert.False(Same(before[running], model.state_dict()[running]));
        Assert.False(Same(before["conv2d.weight"], model.state_dict()["conv2d.weight"]));
    }

    [Fact]
    public void Freezing_by_prefix_reaches_nested_layers_and_a_prefix_that_matches_nothing_is_an_error()
    {
        using var model = CnnModel.Create<TinyResNet>(1);
        model.Freeze("layer1", "layer2.0");
        var frozen = model.FrozenParameters();
        Assert.NotEmpty(frozen);
        Assert.All(frozen, name => Assert.True(name.StartsWith("layer1.") || name.StartsWith("layer2.0."), name));
        Assert.Contains("layer2.0.conv1.weight", frozen);
        Assert.DoesNotContain("layer2.1.conv1.weight", frozen);
        var error = Assert.Throws<ArgumentException>(() => model.Freeze("layer9"));
        Assert.StartsWith("'layer9' matches no layer of TinyResNet; its layers are 'conv1', 'bn1'", error.Message);
        // "layer1" must not match "layer10"-like names: a prefix ends at a dot.
        Assert.Throws<ArgumentException>(() => model.Freeze("layer1.0.conv"));
    }

    [Fact]
    public void Parameter_groups_train_at_their_own_learning_rates()
    {
        using var data = Train(100);
        using var model = CnnModel.Create<TinyCnn>(2);
        var spec = OptimizerSpec.Sgd(0.05, momentum: 0.9).WithLearningRate("conv2d", 0).WithLearningRate("batch_normalization", 0.001);
        using (var optimizer = spec.Create(model))
            Assert.Equal(new[] { 0.05, 0, 0.001 }, optimizer.ParamGroups.Select(g => g.LearningRate));
        var before = Snapshot(model);
        var history = model.Fit(data, new FitOptions { Epochs = 1, BatchSize = 50, Seed = 2, Optimizer = spec, Progress = ProgressMode.None, Device = CPU });
        Assert.True(Same(before["conv2d.weight"], model.state_dict()["conv2d.weight"]), "a group at learning rate 0 moved");
        Assert.False(Same(before["conv2d_1.weight"], model.state_dict()["conv2d_1.weight"]));
        Assert.Equal(0.05, history.LearningRate[0]);
        Assert.Throws<ArgumentException>(() => OptimizerSpec.Adam().WithLearningRate("backbone", 1e-4).Create(model));
    }

    [Fact]
    public void A_backbone_loads_into_a_model_with_another_head_and_the_report_says_what_was_left()
    {
        var path = Path.Combine(folder, "backbone.safetensors");
        using var pretrained = CnnModel.Create(1, () => new SmallCnn(outputs: 10));
        pretrained.SaveSafeTensors(path);
        using var transfer = CnnModel.Create(2, () => new SmallCnn(outputs: 5));
        var initialHead = transfer.state_dict()["fc.weight"].clone();

        var error = Assert.Throws<ArgumentException>(() => transfer.LoadSafeTensors(path));
        Assert.Equal($"{path}: tensor 'fc.weight' has shape [10, 1568] in the file but [5, 1568] in the model.", error.Message);

        var report = transfer.LoadSafeTensors(path, skip: "fc.*");
        Assert.Equal(new[] { "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias" }, report.Loaded);
        Assert.Equal(new[] { ("fc.weight", "matches 'fc.*'"), ("fc.bias", "matches 'fc.*'") }, report.Skipped);
        Assert.Equal(new[] { "fc.weight", "fc.bias" }, report.LeftAtInitialValue);
        Assert.Empty(report.UnexpectedKeys);
        Assert.True(Same(pretrained.state_dict()["conv2.weight"], transfer.state_dict()["conv2.weight"]));
        Assert.True(Same(initialHead, transfer.state_dict()["fc.weight"]));
        Assert.StartsWith("Loaded 4 tensors; skipped 2 (fc.weight: matches 'fc.*', fc.bias: matches 'fc.*'); left at their initial values: fc.weight, fc.bias", report.ToString());

        using var bySize = CnnModel.Create(3, () => new SmallCnn(outputs: 5));
        var sized = bySize.LoadSafeTensors(path, skipMismatchedShapes: true);
        Assert.Equal(new[] { ("fc.weight", "shape [10, 1568] in the file, [5, 1568] in the model"), ("fc.bias", "shape [10] in the file, [5] in the model") }, sized.Skipped);
        Assert.Equal(4, sized.Loaded.Count);

        Assert.StartsWith("The skip pattern 'head.*' matches no key of the model or of", Assert.Throws<ArgumentException>(() => bySize.LoadSafeTensors(path, skip: "head.*")).Message);
        Assert.Equal($"{path} is a safetensors file; load it with model.LoadSafeTensors(\"{path}\") (LoadWeights reads TorchSharp's format, which SaveWeights writes). (Parameter 'path')",
            Assert.Throws<ArgumentException>(() => bySize.LoadWeights(path)).Message);
    }

    [Fact]
    public void Class_names_travel_in_the_weights_file_and_predictions_can_name_them()
    {
        using var data = Train(16);
        var names = new[] { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };
        using var model = CnnModel.Create<TinyCnn>(4);
        Assert.Contains("has no class names", Assert.Throws<InvalidOperationException>(() => model.PredictClasses(data.Inputs)).Message);
        model.SetClassNames(names);
        var path = Path.Combine(folder, "fashion.weights");
        File.WriteAllText(path + ".classes.txt", "left by an earlier version\n");
        model.SaveWeights(path);
        // In the weights file itself; a names file left beside it by an earlier version is removed.
        Assert.False(File.Exists(path + ".classes.txt"));
        using var loaded = CnnModel.Create<TinyCnn>(5);
        loaded.LoadWeights(path);
        Assert.Equal(names, loaded.ClassNames());
        using var probabilities = loaded.Predict(data.Inputs);
        Assert.Equal(probabilities.argmax(1).data<long>().ToArray().Select(i => names[i]), loaded.PredictClasses(data.Inputs));
    }
}
