using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using CnnDsl.Data;
using CnnDsl.Runtime.Tests.Infrastructure;
using CnnDsl.Runtime.Tests.Models.Activations;
using CnnDsl.Training;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnDsl.Runtime.Tests;

/// <summary>
/// The open parts of the training loop against PyTorch 1.13: learning-rate schedules step by step against its
/// schedulers, gradient clipping against its clip_grad_norm_/clip_grad_value_ on the same gradients, and cross-entropy
/// with label smoothing and class weights against its F.cross_entropy; and the batch hooks callbacks see.
/// </summary>
public class TrainingLoopTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-loop-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    // The last line a script prints is its JSON answer (PyTorch may warn before it).
    static JsonElement Answer(string output) => JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;

    static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-12 + 1e-9 * Math.Abs(expected), $"{what}: PyTorch {expected:R}, CnnDsl {actual:R}");

    [TorchVisionFact]
    public void Every_schedule_gives_pytorchs_learning_rate_at_every_step()
    {
        const string script = """
            import json, warnings
            warnings.filterwarnings("ignore")
            import torch
            from torch.optim import lr_scheduler as s
            def rates(make, steps, lr=0.1):
                p = [torch.nn.Parameter(torch.zeros(1))]
                opt = torch.optim.SGD(p, lr=lr)
                sched = make(opt)
                out = []
                for _ in range(steps):
                    out.append(opt.param_groups[0]["lr"])
                    opt.step()
                    sched.step()
                return out
            print(json.dumps({
                "step": rates(lambda o: s.StepLR(o, step_size=7, gamma=0.5), 40),
                "exponential": rates(lambda o: s.ExponentialLR(o, gamma=0.93), 40),
                "cosine": rates(lambda o: s.SequentialLR(o, [s.LinearLR(o, start_factor=0.1, total_iters=10), s.CosineAnnealingLR(o, T_max=90, eta_min=1e-4)], milestones=[10]), 100),
                "cosine_plain": rates(lambda o: s.CosineAnnealingLR(o, T_max=50), 50),
                "one_cycle": rates(lambda o: s.OneCycleLR(o, max_lr=0.4, total_steps=100, cycle_momentum=False), 100),
            }))
            """;
        var pytorch = Answer(TorchVisionOracle.RunScript(script, folder));
        var ours = new Dictionary<string, Func<long, double>>
        {
            ["step"] = Schedules.Step(0.1, 7, 0.5),
            ["exponential"] = Schedules.Exponential(0.1, 0.93),
            ["cosine"] = Schedules.CosineDecay(0.1, total: 100, warmup: 10, warmupStartFactor: 0.1, minimum: 1e-4),
            ["cosine_plain"] = Schedules.CosineDecay(0.1, total: 50),
            ["one_cycle"] = Schedules.OneCycle(0.4, total: 100),
        };
        foreach (var (name, schedule) in ours)
        {
            var expected = pytorch.GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToList();
            for (int t = 0; t < expected.Count; t++)
                AssertClose(expected[t], schedule(t), $"{name} at step {t}");
        }
    }

    [Fact]
    public void A_per_step_schedule_sets_the_rate_of_every_step_and_batch_hooks_see_each_step_once()
    {
        using var data = new Dataset(randn(40, 6), randint(0, 3, 40));
        using var model = new ClipNet();
        var seen = new List<(long Step, double Rate, bool HasLoss)>();
        var schedule = Schedules.OneCycle(0.05, total: 20);
        model.Fit(data, new FitOptions
        {
            Epochs = 2, BatchSize = 4, Seed = 3, Progress = ProgressMode.None, Device = CPU, Optimizer = OptimizerSpec.Sgd(1.0),
            Callbacks = new Callback[] { new LearningRateScheduler(schedule), new Recorder(seen) },
        });
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), seen.Select(s => s.Step));
        Assert.All(seen, s => Assert.True(s.HasLoss));
        Assert.All(seen, s => Assert.Equal(schedule(s.Step), s.Rate));
    }

    sealed class Recorder(List<(long, double, bool)> seen) : Callback
    {
        public override void OnTrainBatchEnd(TrainingContext context, TrainBatch batch) =>
            seen.Add((batch.GlobalStep, context.LearningRate, batch.Loss is not null && float.IsFinite(batch.Loss.item<float>())));
    }

    static void WriteFloats(string path, Tensor values) =>
        File.WriteAllBytes(path, values.contiguous().to_type(ScalarType.Float32).data<float>().ToArray().SelectMany(BitConverter.GetBytes).ToArray());

    // One SGD step of lr 1 from the same weights and batch, clipped by CnnDsl and by PyTorch: the change of each weight
    // is minus its clipped gradient.
    [TorchVisionTheory]
    [InlineData("norm", 0.5)]
    [InlineData("value", 0.05)]
    public void Clipping_gives_pytorchs_clipped_gradients(string kind, double limit)
    {
        manual_seed(17);
        using var model = new ClipNet();
        using var x = randn(8, 6) * 3;
        using var y = tensor(new long[] { 0, 1, 2, 0, 1, 2, 2, 1 });
        var before = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        foreach (var (name, value) in before)
            WriteFloats(Path.Combine(folder, name + ".bin"), value);
        WriteFloats(Path.Combine(folder, "x.bin"), x);
        using var data = new Dataset(x, y);
        model.Fit(data, new FitOptions
        {
            Epochs = 1, BatchSize = 8, Shuffle = false, Progress = ProgressMode.None, Device = CPU, Optimizer = OptimizerSpec.Sgd(1.0),
            ClipGradientNorm = kind == "norm" ? limit : null, ClipGradientValue = kind == "value" ? limit : null,
        });
        string script = $$"""
            import json, numpy as np, torch
            torch.set_default_dtype(torch.float32)
            def load(name, *shape): return torch.from_numpy(np.fromfile(name + ".bin", dtype=np.float32).reshape(*shape))
            hidden, head = torch.nn.Linear(6, 5), torch.nn.Linear(5, 3)
            with torch.no_grad():
                hidden.weight.copy_(load("hidden.weight", 5, 6)); hidden.bias.copy_(load("hidden.bias", 5))
                head.weight.copy_(load("head.weight", 3, 5)); head.bias.copy_(load("head.bias", 3))
            x = load("x", 8, 6)
            y = torch.tensor([0, 1, 2, 0, 1, 2, 2, 1])
            loss = torch.nn.functional.cross_entropy(head(torch.relu(hidden(x))), y)
            loss.backward()
            params = {"hidden.weight": hidden.weight, "hidden.bias": hidden.bias, "head.weight": head.weight, "head.bias": head.bias}
            if "{{kind}}" == "norm":
                total = torch.nn.utils.clip_grad_norm_(list(params.values()), {{limit.ToString(CultureInfo.InvariantCulture)}})
                assert total > {{limit.ToString(CultureInfo.InvariantCulture)}}, "the limit must clip"
            else:
                torch.nn.utils.clip_grad_value_(list(params.values()), {{limit.ToString(CultureInfo.InvariantCulture)}})
            print(json.dumps({k: v.grad.flatten().tolist() for k, v in params.items()}))
            """;
        var pytorch = Answer(TorchVisionOracle.RunScript(script, folder));
        bool clipped = false;
        foreach (var (name, parameter) in model.named_parameters())
        {
            var change = (before[name] - parameter.detach()).flatten().data<float>().ToArray();
            var expected = pytorch.GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(expected.Length, change.Length);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - change[i]) <= 1e-6, $"{name}[{i}]: PyTorch's clipped gradient {expected[i]}, CnnDsl's step {change[i]}");
            clipped |= kind == "value" ? expected.Any(g => Math.Abs(g) >= limit - 1e-9) : true;
        }
        Assert.True(clipped, "the limit must clip some gradient");
    }

    [TorchVisionFact]
    public void Cross_entropy_with_label_smoothing_and_class_weights_gives_pytorchs_value_on_logits_and_on_softmax_outputs()
    {
        manual_seed(5);
        using var logits = randn(10, 4) * 2;
        using var targets = tensor(new long[] { 0, 1, 2, 3, 3, 2, 1, 0, 2, 2 });
        WriteFloats(Path.Combine(folder, "logits.bin"), logits);
        const string script = """
            import json, numpy as np, torch
            logits = torch.from_numpy(np.fromfile("logits.bin", dtype=np.float32).reshape(10, 4))
            targets = torch.tensor([0, 1, 2, 3, 3, 2, 1, 0, 2, 2])
            weight = torch.tensor([1.0, 2.0, 0.5, 3.0])
            f = torch.nn.functional.cross_entropy
            print(json.dumps({
                "smoothing": f(logits, targets, label_smoothing=0.1).item(),
                "weights": f(logits, targets, weight=weight).item(),
                "both": f(logits, targets, weight=weight, label_smoothing=0.2).item(),
            }))
            """;
        var pytorch = Answer(TorchVisionOracle.RunScript(script, folder));
        var weights = new[] { 1f, 2f, 0.5f, 3f };
        var losses = new Dictionary<string, Loss>
        {
            ["smoothing"] = Loss.CrossEntropyWith(labelSmoothing: 0.1),
            ["weights"] = Loss.CrossEntropyWith(classWeights: weights),
            ["both"] = Loss.CrossEntropyWith(0.2, weights),
        };
        foreach (var (name, loss) in losses)
        {
            double expected = pytorch.GetProperty(name).GetDouble();
            using var fromLogits = loss.Compute(logits, targets, OutputActivation.None);
            using var probabilities = F.softmax(logits, 1);
            using var fromSoftmax = loss.Compute(probabilities, targets, OutputActivation.Softmax);
            Assert.True(Math.Abs(expected - fromLogits.item<float>()) <= 1e-5, $"{name} on logits: PyTorch {expected}, CnnDsl {fromLogits.item<float>()}");
            Assert.True(Math.Abs(expected - fromSoftmax.item<float>()) <= 1e-5, $"{name} on softmax outputs: PyTorch {expected}, CnnDsl {fromSoftmax.item<float>()}");
        }
        // Smoothing changes the value: the test would catch a loss that ignores it.
        using var plain = Loss.CrossEntropy.Compute(logits, targets, OutputActivation.None);
        Assert.True(Math.Abs(plain.item<float>() - pytorch.GetProperty("smoothing").GetDouble()) > 1e-3);
        Assert.Contains("one weight per class", Assert.Throws<ArgumentException>(() => Loss.CrossEntropyWith(classWeights: new[] { 1f, 2f }).Compute(logits, targets, OutputActivation.None)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Loss.CrossEntropyWith(labelSmoothing: 1));
    }

    /// <summary>Focal loss (Lin et al., gamma 2): cross-entropy with each sample weighted by (1 - p)^2, so it differs from cross-entropy.</summary>
    sealed class FocalLoss() : Loss("focal")
    {
        public override Tensor Compute(Tensor output, Tensor target, OutputActivation activation)
        {
            var logProbabilities = F.log_softmax(output, 1).gather(1, target.unsqueeze(1)).squeeze(1);
            return (-(1 - logProbabilities.exp()).pow(2) * logProbabilities).mean();
        }

        // Independent scores per class, as a one-vs-rest model would give them.
        public override Tensor Probabilities(Tensor output, OutputActivation activation) => output.sigmoid();
    }

    [Fact]
    public void A_loss_of_the_users_own_trains_evaluates_and_decides_what_predict_returns()
    {
        manual_seed(8);
        using var x = randn(60, 6);
        using var y = (x[.., 0] > 0).to_type(ScalarType.Int64) + (x[.., 1] > 0).to_type(ScalarType.Int64);
        using var data = new Dataset(x, y);
        using var model = new ClipNet();
        var history = model.Fit(data, new FitOptions { Epochs = 15, BatchSize = 20, Seed = 2, Progress = ProgressMode.None, Device = CPU, Loss = new FocalLoss(), Optimizer = OptimizerSpec.Adam(0.03) });
        Assert.True(history.Loss[^1] < history.Loss[0] * 0.8, $"the focal loss fell from {history.Loss[0]} to {history.Loss[^1]}");
        // Evaluate uses the loss Fit used; its value is the focal loss written out here, not cross-entropy.
        using var logits = model.PredictLogits(x);
        using var p = F.softmax(logits, 1).gather(1, y.unsqueeze(1)).squeeze(1);
        double focal = (-(1 - p).pow(2) * p.log()).mean().item<float>();
        double crossEntropy = F.cross_entropy(logits, y).item<float>();
        var (evaluated, accuracy) = model.Evaluate(data);
        Assert.Equal(focal, evaluated, 4);
        Assert.True(Math.Abs(crossEntropy - focal) > 1e-2);
        Assert.NotNull(accuracy);
        // Predict asks the loss: sigmoid of the logits here, not softmax.
        using var predicted = model.Predict(x);
        Assert.True(predicted.allclose(logits.sigmoid(), atol: 1e-6));
    }

    [Fact]
    public void An_optimizer_of_the_users_own_gets_the_parameter_groups_and_sgd_takes_nesterov()
    {
        using var model = new ClipNet();
        var seen = new List<(double, int)>();
        var spec = OptimizerSpec.Custom(0.01, groups =>
        {
            seen.AddRange(groups.Select(g => (g.LearningRate, g.Parameters.Count)));
            return optim.Adamax(groups.Select(g => new TorchSharp.Modules.Adamax.ParamGroup(g.Parameters, lr: g.LearningRate)), 0.01);
        }).WithLearningRate("head", 0.001);
        using var data = new Dataset(randn(20, 6), randint(0, 3, 20));
        var history = model.Fit(data, new FitOptions { Epochs = 2, BatchSize = 10, Seed = 1, Progress = ProgressMode.None, Device = CPU, Optimizer = spec });
        // The default group (hidden.weight, hidden.bias) first, then the head's.
        Assert.Equal(new[] { (0.01, 2), (0.001, 2) }, seen);
        Assert.Equal(0.01, history.LearningRate[0]);
        using var nesterov = OptimizerSpec.Sgd(0.1, momentum: 0.9, nesterov: true).Create(model);
        Assert.IsType<TorchSharp.Modules.SGD>(nesterov);
        Assert.Throws<ArgumentException>(() => OptimizerSpec.Sgd(0.1, nesterov: true));
    }
}
