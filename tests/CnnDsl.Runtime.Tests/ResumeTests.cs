using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnDsl.Data;
using CnnDsl.Runtime.Tests.Models;
using CnnDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Runtime.Tests;

/// <summary>
/// Resuming from the checkpoint of any epoch gives, bit for bit, the run that was never interrupted, also with the
/// callbacks that learn during training (ReduceLROnPlateau, EarlyStopping, ModelCheckpoint).
/// </summary>
public class ResumeTests : IDisposable
{
    static readonly string Shipped = Path.Combine(AppContext.BaseDirectory, "data");
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-resume-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>Keeps a copy of the checkpoint of every finished epoch (Fit overwrites it after each one).</summary>
    sealed class KeepCheckpoints(string checkpoint, string folder) : Callback
    {
        public override void OnEpochBegin(TrainingContext context, int epoch)
        {
            if (File.Exists(checkpoint))
                File.Copy(checkpoint, Path.Combine(folder, $"epoch-{epoch - 1}.ckpt"), overwrite: true);
        }
    }

    (History History, TinyCnn Model) Run(Dataset train, FitOptions options, Func<Callback[]> callbacks, string runFolder, string? resumeFrom = null)
    {
        Directory.CreateDirectory(runFolder);
        var checkpoint = Path.Combine(runFolder, "run.ckpt");
        manual_seed(resumeFrom == null ? 11 : 99);
        var model = new TinyCnn();
        var history = model.Fit(train, options with
        {
            CheckpointPath = checkpoint, ResumeFrom = resumeFrom,
            Callbacks = callbacks().Append(new KeepCheckpoints(checkpoint, runFolder)).ToArray(),
        });
        return (history, model);
    }

    static void AssertSameRun(History expected, nn.Module expectedModel, History actual, nn.Module actualModel, int resumedAfter)
    {
        var tail = expected.Epochs.Where(e => e.Epoch > resumedAfter).ToList();
        Assert.Equal(tail.Select(e => e.Epoch), actual.Epochs.Select(e => e.Epoch));
        Assert.Equal(tail.Select(e => e.LearningRate), actual.Epochs.Select(e => e.LearningRate));
        Assert.Equal(tail.Select(e => e.Loss), actual.Epochs.Select(e => e.Loss));
        Assert.Equal(tail.Select(e => e.ValidationLoss), actual.Epochs.Select(e => e.ValidationLoss));
        Assert.True(KillLoopTests.Same(expectedModel, actualModel), $"The weights differ after resuming from epoch {resumedAfter}.");
    }

    [Fact]
    public void Resuming_with_reduce_on_plateau_equals_the_uninterrupted_run_bit_for_bit()
    {
        var (train, test) = Dataset.FromIdxFolder(Shipped, trainLimit: 300, testLimit: 200);
        using (train)
        using (test)
        {
            var options = new FitOptions { Epochs = 4, BatchSize = 50, Seed = 11, Progress = ProgressMode.None, Device = CPU, ValidationData = test };
            // min_delta 10: no epoch after the first improves, so the rate halves after epoch 3 (patience 2). A resumed
            // run that forgot the best value and the epochs waited would count epoch 3 as an improvement instead.
            Func<Callback[]> callbacks = () => new Callback[] { new ReduceLROnPlateau("val_loss", factor: 0.5, patience: 2, minDelta: 10) };
            var straightFolder = Path.Combine(folder, "straight");
            var (straight, straightModel) = Run(train, options, callbacks, straightFolder);
            using (straightModel)
            {
                Assert.Equal(new[] { 1e-3, 1e-3, 1e-3, 5e-4 }, straight.Epochs.Select(e => Math.Round(e.LearningRate, 8)));
                // From epoch 2, one epoch waited: only the restored callback state lowers the rate after epoch 3.
                var (resumed, resumedModel) = Run(train, options, callbacks, Path.Combine(folder, "resumed"), Path.Combine(straightFolder, "epoch-2.ckpt"));
                using (resumedModel)
                    AssertSameRun(straight, straightModel, resumed, resumedModel, 2);
            }
        }
    }

    [Fact]
    public void Resuming_in_the_middle_of_a_per_step_schedule_equals_the_uninterrupted_run_bit_for_bit()
    {
        var (train, test) = Dataset.FromIdxFolder(Shipped, trainLimit: 300, testLimit: 200);
        using (train)
        using (test)
        {
            // 6 steps an epoch, 24 in all: warm-up over the first epoch, then cosine decay.
            var options = new FitOptions { Epochs = 4, BatchSize = 50, Seed = 11, Progress = ProgressMode.None, Device = CPU, ValidationData = test };
            Func<Callback[]> callbacks = () => new Callback[] { new LearningRateScheduler(Schedules.CosineDecay(2e-3, total: 24, warmup: 6, warmupStartFactor: 0.1)) };
            var straightFolder = Path.Combine(folder, "straight");
            var (straight, straightModel) = Run(train, options, callbacks, straightFolder);
            using (straightModel)
            {
                // Each epoch's rate is its first step's: 2e-4 at the start of the warm-up, the peak after it, then lower.
                var rates = straight.Epochs.Select(e => e.LearningRate).ToList();
                Assert.Equal(2e-4, rates[0], 12);
                Assert.Equal(2e-3, rates[1], 12);
                Assert.True(rates[2] < rates[1] && rates[3] < rates[2]);
                var (resumed, resumedModel) = Run(train, options, callbacks, Path.Combine(folder, "resumed"), Path.Combine(straightFolder, "epoch-2.ckpt"));
                using (resumedModel)
                    AssertSameRun(straight, straightModel, resumed, resumedModel, 2);
            }
        }
    }

    [Fact]
    public void Resuming_a_schedule_scaled_by_reduce_on_plateau_equals_the_uninterrupted_run_bit_for_bit()
    {
        var (train, test) = Dataset.FromIdxFolder(Shipped, trainLimit: 300, testLimit: 200);
        using (train)
        using (test)
        {
            var options = new FitOptions { Epochs = 4, BatchSize = 50, Seed = 11, Progress = ProgressMode.None, Device = CPU, ValidationData = test };
            // min_delta 10: the plateau halves the schedule after epochs 2 and 3 (patience 1). A resumed run that lost
            // the scale would give epoch 3 the schedule's own rate.
            var schedule = Schedules.CosineDecay(2e-3, total: 24, warmup: 6, warmupStartFactor: 0.1);
            Func<Callback[]> callbacks = () => new Callback[] { new LearningRateScheduler(schedule), new ReduceLROnPlateau("val_loss", factor: 0.5, patience: 1, minDelta: 10) };
            var straightFolder = Path.Combine(folder, "straight");
            var (straight, straightModel) = Run(train, options, callbacks, straightFolder);
            using (straightModel)
            {
                Assert.Equal(new[] { schedule(0), schedule(6), schedule(12) * 0.5, schedule(18) * 0.25 }, straight.Epochs.Select(e => e.LearningRate));
                var (resumed, resumedModel) = Run(train, options, callbacks, Path.Combine(folder, "resumed"), Path.Combine(straightFolder, "epoch-2.ckpt"));
                using (resumedModel)
                    AssertSameRun(straight, straightModel, resumed, resumedModel, 2);
            }
        }
    }

    [Fact]
    public void Resuming_with_early_stopping_and_model_checkpoint_equals_the_uninterrupted_run_bit_for_bit()
    {
        var (train, test) = Dataset.FromIdxFolder(Shipped, trainLimit: 300, testLimit: 200);
        using (train)
        using (test)
        {
            // A learning rate far too high makes the validation loss climb after the first epochs.
            var options = new FitOptions
            {
                Epochs = 12, BatchSize = 20, Seed = 5, Progress = ProgressMode.None, Device = CPU, ValidationData = test,
                Optimizer = OptimizerSpec.Sgd(0.5, momentum: 0.9),
            };
            var stoppings = new List<EarlyStopping>();
            var checkpoints = new List<ModelCheckpoint>();
            int run = 0;
            Func<Callback[]> callbacks = () =>
            {
                var stopping = new EarlyStopping("val_loss", patience: 2, restoreBestWeights: true);
                var checkpoint = new ModelCheckpoint(Path.Combine(folder, $"best-{run++}.weights"), "val_loss", saveBestOnly: true);
                stoppings.Add(stopping);
                checkpoints.Add(checkpoint);
                return new Callback[] { stopping, checkpoint };
            };
            var straightFolder = Path.Combine(folder, "straight");
            var (straight, straightModel) = Run(train, options, callbacks, straightFolder);
            using (straightModel)
            {
                int? stopped = stoppings[0].StoppedEpoch;
                int? best = stoppings[0].BestEpoch;
                Assert.NotNull(stopped);
                Assert.True(best < stopped);
                // From the best epoch: the resumed run must know the best value (or it takes the next epoch for a better
                // one and stops later), and the best weights come back from the checkpoint to be restored at the end.
                int epoch = best!.Value;
                var (resumed, resumedModel) = Run(train, options, callbacks, Path.Combine(folder, "resumed"), Path.Combine(straightFolder, $"epoch-{epoch}.ckpt"));
                using (resumedModel)
                {
                    AssertSameRun(straight, straightModel, resumed, resumedModel, epoch);
                    Assert.Equal(stopped, stoppings[^1].StoppedEpoch);
                    Assert.Equal(best, stoppings[^1].BestEpoch);
                    Assert.Equal(checkpoints[0].SavedEpochs, checkpoints[^1].SavedEpochs);
                }
            }
        }
    }
}
