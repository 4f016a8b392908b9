using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnDsl.Data;
using CnnDsl.Runtime.Tests.Models;
using CnnDsl.Training;
using CnnDsl.Weights;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnDsl.Runtime.Tests;

/// <summary>Runtime behaviour that surprised a new user: optimizer names, probabilities, seeding, losses, modes, bad labels.</summary>
public class RuntimeFixesTests : IDisposable
{
    static readonly string Shipped = Path.Combine(AppContext.BaseDirectory, "data");
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-fixes-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static Dataset Train(int count) => Dataset.FromIdx(Path.Combine(Shipped, "train-images-idx3-ubyte.gz"), Path.Combine(Shipped, "train-labels-idx1-ubyte.gz"), count);

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    static FitOptions Quiet(int epochs = 1, int seed = 1) => new() { Epochs = epochs, BatchSize = 50, Seed = seed, Progress = ProgressMode.None, Device = CPU };

    [Fact]
    public void An_unknown_optimizer_name_is_an_error_and_AdamW_trains()
    {
        var error = Assert.Throws<ArgumentException>(() => new OptimizerSpec("Adamw", 1e-3));
        Assert.StartsWith("Unknown optimizer 'Adamw'; use one of Adam, AdamW, RMSprop, SGD (names are case-sensitive: 'AdamW').", error.Message);
        Assert.Throws<ArgumentException>(() => new OptimizerSpec("Nadam", 1e-3));

        using var data = Train(300);
        using var model = CnnModel.Create<TinyCnn>(1);
        using var optimizer = OptimizerSpec.AdamW(1e-3).Create(model);
        Assert.IsType<TorchSharp.Modules.AdamW>(optimizer);
        var history = model.Fit(data, Quiet(2) with { Optimizer = OptimizerSpec.AdamW(3e-3) });
        Assert.True(history.Loss[1] < history.Loss[0]);
    }

    [Fact]
    public void Predict_gives_probabilities_and_PredictLogits_the_raw_outputs()
    {
        using var data = Train(64);
        using var model = CnnModel.Create<TinyCnn>(2);
        using var probabilities = model.Predict(data.Inputs);
        using var logits = model.PredictLogits(data.Inputs);
        Assert.Equal(new long[] { 64, 10 }, probabilities.shape);
        using var rowSums = probabilities.sum(1);
        Assert.True(rowSums.allclose(ones(64), rtol: 0, atol: 1e-5), "every row of probabilities sums to 1");
        Assert.True(probabilities.min().item<float>() >= 0);
        // The raw outputs are logits (TinyCnn ends in a dense layer): not a distribution, and softmax of them is Predict.
        Assert.False(logits.sum(1).allclose(ones(64), atol: 1e-3));
        using var expected = F.softmax(logits, 1);
        Assert.True(expected.allclose(probabilities, atol: 1e-6));
        // A model that already ends in softmax is passed through unchanged.
        using var softmaxModel = CnnModel.Create<MnistCnn>(2);
        using var direct = softmaxModel.Predict(data.Inputs);
        using var raw = softmaxModel.PredictLogits(data.Inputs);
        Assert.True(Same(direct, raw));
    }

    [Fact]
    public void The_same_seed_gives_identical_runs_from_construction_to_the_last_epoch()
    {
        using var data = Train(300);
        (History History, Dictionary<string, Tensor> Weights) Run(int seed)
        {
            using var model = CnnModel.Create<TinyCnn>(seed);
            var history = model.Fit(data, Quiet(2, seed) with { ValidationSplit = 0.2 });
            return (history, model.state_dict().ToDictionary(e => e.Key, e => e.Value.detach().clone()));
        }
        var a = Run(7);
        var b = Run(7);
        var c = Run(8);
        Assert.Equal(a.History.Loss, b.History.Loss);
        Assert.Equal(a.History.ValidationLoss, b.History.ValidationLoss);
        foreach (var (key, value) in a.Weights)
            Assert.True(Same(value, b.Weights[key]), $"{key} differs between two runs with seed 7");
        Assert.NotEqual(a.History.Loss, c.History.Loss);
        Assert.False(Same(a.Weights["conv2d.weight"], c.Weights["conv2d.weight"]));
    }

    sealed class SnapshotAtStart : Callback
    {
        public Dictionary<string, Tensor> Weights = new();
        public override void OnTrainBegin(TrainingContext context) =>
            Weights = context.Model.state_dict().ToDictionary(e => e.Key, e => e.Value.detach().clone());
    }

    [Fact]
    public void Weights_loaded_before_a_seeded_fit_are_unchanged_at_step_zero()
    {
        using var data = Train(100);
        var path = Path.Combine(folder, "pretrained.weights");
        using (var pretrained = CnnModel.Create<TinyCnn>(3))
            pretrained.SaveWeights(path);
        using var expected = CnnModel.Create<TinyCnn>(99);
        expected.LoadWeights(path);
        using var model = CnnModel.Create<TinyCnn>(4);
        model.LoadWeights(path);
        var snapshot = new SnapshotAtStart();
        model.Fit(data, Quiet(1, seed: 3) with { Callbacks = new Callback[] { snapshot } });
        foreach (var (key, value) in expected.state_dict())
            Assert.True(Same(value, snapshot.Weights[key]), $"{key} changed before the first step");
    }

    [Fact]
    public void Evaluate_uses_the_loss_fit_used()
    {
        using var data = Train(200);
        using var oneHot = F.one_hot(data.Targets, 10).to_type(ScalarType.Float32);
        using var regression = new Dataset(data.Inputs.alias(), oneHot.alias());
        using var model = CnnModel.Create<TinyCnn>(5);
        model.Fit(regression, Quiet() with { Loss = Loss.MeanSquaredError });
        var (loss, accuracy) = model.Evaluate(regression);
        Assert.Null(accuracy);
        using var outputs = model.PredictLogits(regression.Inputs);
        Assert.Equal(F.mse_loss(outputs, oneHot).item<float>(), loss, 4);
    }

    [Fact]
    public void Evaluate_and_predict_restore_the_training_mode_when_they_throw()
    {
        using var model = CnnModel.Create<TinyCnn>(6);
        model.train();
        using var wrong = rand(4, 3, 28, 28);
        Assert.Throws<InputShapeException>(() => model.Predict(wrong));
        Assert.True(model.training);
        using var wrongData = new Dataset(wrong.alias(), zeros(4, dtype: ScalarType.Int64));
        Assert.Throws<InputShapeException>(() => model.Evaluate(wrongData));
        Assert.True(model.training);
        model.eval();
        Assert.Throws<InputShapeException>(() => model.PredictLogits(wrong));
        Assert.False(model.training);
    }

    [Fact]
    public void The_named_argument_fit_checkpoints_resumes_and_turns_shuffling_off()
    {
        using var data = Train(300);
        using var straight = CnnModel.Create<TinyCnn>(11);
        straight.Fit(data, epochs: 2, batchSize: 50, seed: 11, device: CPU, progress: ProgressMode.None, shuffle: false);
        var checkpoint = Path.Combine(folder, "named.ckpt");
        using (var first = CnnModel.Create<TinyCnn>(11))
            first.Fit(data, epochs: 1, batchSize: 50, seed: 11, device: CPU, progress: ProgressMode.None, shuffle: false, checkpointPath: checkpoint);
        using var resumed = CnnModel.Create<TinyCnn>(12);
        var history = resumed.Fit(data, epochs: 2, batchSize: 50, seed: 11, device: CPU, progress: ProgressMode.None, shuffle: false, resumeFrom: checkpoint);
        Assert.Equal(2, Assert.Single(history.Epochs).Epoch);
        foreach (var (key, value) in straight.state_dict())
            Assert.True(Same(value, resumed.state_dict()[key]), $"{key} differs after resuming");
        // Unshuffled, the first epoch of two equally seeded runs sees the same batches as a shuffled run would not.
        using var shuffled = CnnModel.Create<TinyCnn>(11);
        var shuffledHistory = shuffled.Fit(data, epochs: 1, batchSize: 50, seed: 11, device: CPU, progress: ProgressMode.None);
        using var unshuffled = CnnModel.Create<TinyCnn>(11);
        var unshuffledHistory = unshuffled.Fit(data, epochs: 1, batchSize: 50, seed: 11, device: CPU, progress: ProgressMode.None, shuffle: false);
        Assert.NotEqual(shuffledHistory.Loss[0], unshuffledHistory.Loss[0]);
    }

    [Fact]
    public void Fit_on_empty_data_and_labels_outside_the_classes_are_errors_that_say_which()
    {
        using var model = CnnModel.Create<TinyCnn>(1);
        using var empty = new Dataset(zeros(0, 1, 28, 28), zeros(0, dtype: ScalarType.Int64));
        var error = Assert.Throws<ArgumentException>(() => model.Fit(empty, Quiet()));
        Assert.StartsWith("The training data is empty (0 samples)", error.Message);

        var labels = Enumerable.Range(0, 20).Select(i => (long)(i % 10)).ToArray();
        labels[13] = 12;
        using var bad = new Dataset(rand(20, 1, 28, 28), tensor(labels));
        error = Assert.Throws<ArgumentException>(() => model.Fit(bad, Quiet()));
        Assert.StartsWith("Sample 13 of the training data has label 12, but TinyCnn has 10 classes (labels 0 to 9). Fix the labels, or give the model's last layer at least 13 outputs.", error.Message);
        // A hand-written module: the class count comes from its output.
        using var handWritten = new HandWritten.SmallCnn(outputs: 5);
        error = Assert.Throws<ArgumentException>(() => handWritten.Fit(bad, Quiet()));
        Assert.StartsWith("Sample 5 of the training data has label 5, but SmallCnn has 5 classes", error.Message);
    }

    [Fact]
    public void Saving_into_a_folder_that_does_not_exist_creates_it_and_leaves_nothing_half_written()
    {
        using var model = CnnModel.Create<TinyCnn>(3);
        var weights = Path.Combine(folder, "runs", "first", "tiny.weights");
        var safetensors = Path.Combine(folder, "export", "tiny.safetensors");
        model.SaveWeights(weights);
        model.SaveSafeTensors(safetensors);
        foreach (var path in new[] { weights, safetensors })
        {
            using var loaded = CnnModel.Create<TinyCnn>(4);
            if (path.EndsWith(".safetensors", StringComparison.Ordinal))
                loaded.LoadSafeTensors(path);
            else
                loaded.LoadWeights(path);
            foreach (var ((name, expected), (_, actual)) in model.named_parameters().Zip(loaded.named_parameters()))
                Assert.True(Same(expected, actual), name + " from " + path);
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
        }
        // A folder that cannot be made (a file of that name is in the way) is named in the error, not a temporary file.
        var blocker = Path.Combine(folder, "taken");
        File.WriteAllText(blocker, "not a folder");
        var error = Assert.Throws<IOException>(() => model.SaveWeights(Path.Combine(blocker, "tiny.weights")));
        Assert.Contains("its folder " + blocker + " does not exist and cannot be created", error.Message);
        Assert.DoesNotContain(".tmp", error.Message);
    }
}
