using System;
using System.IO;
using System.Linq;
using CnnDsl.Data;
using CnnDsl.Runtime.Tests.Models;
using CnnDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Runtime.Tests;

/// <summary>Training on real Fashion-MNIST images (the subset the repository ships).</summary>
public class TrainingTests : IDisposable
{
    static readonly string Shipped = Path.Combine(AppContext.BaseDirectory, "data");
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-training-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static (Dataset Train, Dataset Test) Data(int train = 3000) => Dataset.FromIdxFolder(Shipped, trainLimit: train, testLimit: 1000);

    [Fact]
    public void A_short_fit_on_real_images_reaches_seventy_percent_on_a_thousand_held_out_images()
    {
        var (train, test) = Data();
        using (train)
        using (test)
        {
            manual_seed(1);
            using var model = new MnistCnn();
            var history = model.Fit(train, new FitOptions { Epochs = 2, BatchSize = 32, Seed = 1, Progress = ProgressMode.None, Device = CPU });
            var (loss, accuracy) = model.Evaluate(test);
            Assert.True(accuracy >= 0.70, $"test accuracy {accuracy:P1}");
            Assert.True(history.Loss[1] < history.Loss[0]);
            // MnistCnn ends in softmax: its outputs are probabilities, and the loss took them as such.
            Assert.Equal(OutputActivation.Softmax, MnistCnn.OutputActivation);
            Assert.InRange(loss, 0, 2);
        }
    }

    [Fact]
    public void Save_and_load_give_identical_outputs()
    {
        var (train, test) = Data(500);
        using (train)
        using (test)
        {
            manual_seed(3);
            using var model = new TinyCnn();
            model.Fit(train, new FitOptions { Epochs = 1, Seed = 3, Progress = ProgressMode.None, Device = CPU });
            var path = Path.Combine(folder, "tiny.weights");
            model.SaveWeights(path);
            manual_seed(4);
            using var reloaded = new TinyCnn();
            reloaded.LoadWeights(path);
            using var expected = model.Predict(test.Inputs);
            using var actual = reloaded.Predict(test.Inputs);
            Assert.True(expected.eq(actual).all().item<bool>());
        }
    }

    [Fact]
    public void A_checkpoint_that_does_not_fit_names_the_key_and_both_shapes()
    {
        using var small = new TinyCnn();
        var path = Path.Combine(folder, "tiny.weights");
        small.SaveWeights(path);
        using var other = new FashionCnn();
        var error = Assert.Throws<WeightsMismatchException>(() => other.LoadWeights(path));
        // Both models named, and what differs in the tensors.
        Assert.Equal($"{path} does not fit FashionCnn: they were saved from model TinyCnn, not FashionCnn. The tensors differ too: "
            + $"{path}: 'conv2d.weight' has shape [8, 1, 3, 3] in the file but [32, 1, 5, 5] in the model. "
            + "Load them into TinyCnn, or load part of them (LoadSafeTensors with strict: false or skip:) to start from them.", error.Message);
    }

    [Fact]
    public void Training_one_epoch_saving_and_resuming_for_one_more_equals_two_epochs_straight()
    {
        var (train, test) = Data(600);
        using (train)
        using (test)
        {
            var options = new FitOptions { Epochs = 2, BatchSize = 50, Seed = 11, Progress = ProgressMode.None, Device = CPU };
            manual_seed(11);
            using var straight = new TinyCnn();
            straight.Fit(train, options);

            var checkpoint = Path.Combine(folder, "resume.ckpt");
            manual_seed(11);
            using (var first = new TinyCnn())
                first.Fit(train, options with { Epochs = 1, CheckpointPath = checkpoint });
            manual_seed(99);
            using var resumed = new TinyCnn();
            var history = resumed.Fit(train, options with { ResumeFrom = checkpoint });

            Assert.Equal(2, Assert.Single(history.Epochs).Epoch);
            var a = straight.state_dict();
            var b = resumed.state_dict();
            foreach (var (key, value) in a)
                Assert.True(value.eq(b[key]).all().item<bool>(), $"{key} differs after resuming");
        }
    }

    [Fact]
    public void Early_stopping_stops_and_restores_the_best_weights()
    {
        var (train, test) = Data(400);
        using (train)
        using (test)
        {
            manual_seed(5);
            using var model = new TinyCnn();
            // A learning rate far too high makes the validation loss climb after the first epochs.
            var stopping = new EarlyStopping("val_loss", patience: 1, restoreBestWeights: true);
            var bestWeights = Path.Combine(folder, "best.weights");
            var checkpoint = new ModelCheckpoint(bestWeights, "val_loss", saveBestOnly: true);
            var history = model.Fit(train, new FitOptions
            {
                Epochs = 30, BatchSize = 20, Seed = 5, Progress = ProgressMode.None, Device = CPU, ValidationData = test,
                Optimizer = OptimizerSpec.Sgd(0.5, momentum: 0.9), Callbacks = new Callback[] { stopping, checkpoint },
            });
            Assert.NotNull(stopping.StoppedEpoch);
            Assert.True(history.Epochs.Count < 30);
            Assert.Equal(stopping.StoppedEpoch, history.Epochs.Count);
            int best = history.Epochs.OrderBy(e => e.ValidationLoss).First().Epoch;
            Assert.Equal(best, stopping.BestEpoch);
            Assert.Equal(best, checkpoint.SavedEpochs.Last());
            Assert.Equal(best, stopping.RestoredEpoch);
            Assert.Contains(history.Notes, note => note.StartsWith($"Restoring model weights from the end of the best epoch: {best} (val_loss "));
            // Restored: the model now scores the best epoch's validation loss, which the best checkpoint also holds.
            var (restoredLoss, _) = model.Evaluate(test);
            Assert.Equal(history.Epochs.Min(e => e.ValidationLoss!.Value), restoredLoss, 4);
            using var fromCheckpoint = new TinyCnn();
            fromCheckpoint.LoadWeights(bestWeights);
            Assert.Equal(restoredLoss, fromCheckpoint.Evaluate(test).Loss, 5);
        }
    }

    [Fact]
    public void Reduce_on_plateau_and_step_decay_lower_the_learning_rate()
    {
        var (train, test) = Data(200);
        using (train)
        using (test)
        {
            using var model = new TinyCnn();
            var history = model.Fit(train, new FitOptions
            {
                Epochs = 4, Seed = 2, Progress = ProgressMode.None, Device = CPU, ValidationData = test,
                Optimizer = OptimizerSpec.RMSprop(1e-3),
                // min_delta of 10 means no epoch after the first counts as an improvement, so the rate halves after each one (Keras: wait >= patience).
                Callbacks = new Callback[] { new ReduceLROnPlateau("val_loss", factor: 0.5, patience: 1, minDelta: 10), new StepDecay(3, 0.1) },
            });
            Assert.Equal(new[] { 1e-3, 1e-3, 5e-4, 2.5e-5 }, history.Epochs.Select(e => Math.Round(e.LearningRate, 8)));
        }
    }

    [Fact]
    public void Losses_cover_one_hot_targets_and_binary_cross_entropy()
    {
        var (train, test) = Data(300);
        using (train)
        using (test)
        {
            using var oneHot = nn.functional.one_hot(train.Targets, 10).to_type(ScalarType.Float32);
            using var data = new Dataset(train.Inputs, oneHot);
            using var model = new TinyCnn();
            var history = model.Fit(data, new FitOptions { Epochs = 2, Seed = 1, Progress = ProgressMode.None, Device = CPU });
            Assert.True(history.Loss[1] < history.Loss[0]);
            Assert.NotNull(history.Accuracy[1]);
            using var mse = new TinyCnn();
            var regression = mse.Fit(data, new FitOptions { Epochs = 1, Seed = 1, Loss = Loss.MeanSquaredError, Progress = ProgressMode.None, Device = CPU });
            Assert.Null(regression.Accuracy[0]);
        }
    }
}
