using System;
using System.IO;
using System.Linq;
using CnnDsl.Data;
using CnnDsl.Runtime.Tests.HandWritten;
using CnnDsl.Runtime.Tests.Models;
using CnnDsl.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnDsl.Runtime.Tests;

/// <summary>The runtime works for any TorchSharp module, not only generated ones.</summary>
public class HandWrittenTests : IDisposable
{
    static readonly string Shipped = Path.Combine(AppContext.BaseDirectory, "data");
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-handwritten-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void The_run_time_summary_of_the_hand_written_course_cnn_has_its_shapes_and_3199106_parameters()
    {
        using var model = new CourseCnn();
        model.train();
        var summary = ModelSummary.Summarize(model, new long[] { 1, 28, 28 }, "FashionCnn", batchSize: 32);
        var rows = summary.Table.Split('\n').Where(l => l.StartsWith(' ') && l.Contains("(None")).Select(l => string.Join(" ", l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.Equal(new[]
        {
            "conv2d (Conv2d) (None, 32, 28, 28) 832",
            "max_pooling2d (MaxPool2d) (None, 32, 14, 14) 0",
            "conv2d_1 (Conv2d) (None, 64, 14, 14) 51,264",
            "max_pooling2d_1 (MaxPool2d) (None, 64, 7, 7) 0",
            "flatten (Flatten) (None, 3136) 0",
            "dense (Linear) (None, 1000) 3,137,000",
            "dropout (Dropout) (None, 1000) 0",
            "dense_1 (Linear) (None, 10) 10,010",
        }, rows);
        Assert.Contains("Total params: 3,199,106 (12.20 MB)", summary.Table);
        // The same facts print as the same text as the compiler's summary of the .cnn model.
        Assert.Equal(FashionCnn.Summary, summary.Table);
        // The summary ran in eval mode and put the module back, with its hooks removed: a second run is identical.
        Assert.True(model.training);
        Assert.Equal(summary, ModelSummary.Summarize(model, new long[] { 1, 28, 28 }, "FashionCnn", batchSize: 32));
        // Memory for batch 32: input 32*784*4 bytes; parameters 3,199,106*4 bytes.
        Assert.Equal(32L * 784 * 4, summary.InputBytes);
        Assert.Equal(3_199_106L * 4, summary.ParameterBytes);
        var text = summary.ToString();
        Assert.StartsWith(summary.Table, text);
        Assert.Contains("Estimated total size (MB): ", text);
    }

    [Fact]
    public void A_hand_written_softmax_model_trains_with_cross_entropy_on_its_probabilities()
    {
        var (train, test) = Dataset.FromIdxFolder(Shipped, trainLimit: 3000, testLimit: 1000);
        using (train)
        using (test)
        {
            manual_seed(7);
            using var model = new SmallCnn(head: "softmax");
            var options = new FitOptions { Epochs = 1, BatchSize = 32, Seed = 7, Progress = ProgressMode.None, Device = CPU, OutputActivation = OutputActivation.Softmax };
            var history = model.Fit(train, options);
            var (loss, accuracy) = model.Evaluate(test, activation: OutputActivation.Softmax);
            Assert.True(accuracy >= 0.65, $"test accuracy {accuracy:P1}");
            Assert.InRange(history.Loss[0], 0.3, 1.5);
            using var probabilities = model.Predict(test.Inputs, batchSize: 300);
            Assert.Equal(new long[] { 1000, 10 }, probabilities.shape);
            Assert.True(probabilities.sum(1).sub(1).abs().max().item<float>() < 1e-5f);
        }
    }

    [Fact]
    public void Each_output_form_gives_the_loss_pytorch_defines()
    {
        manual_seed(3);
        using var logits = randn(16, 10) * 3;
        using var labels = randint(0, 10, new long[] { 16 });
        using var expected = F.cross_entropy(logits, labels);
        float Value(Tensor t) { using (t) return t.item<float>(); }
        Assert.Equal(Value(expected.alias()), Value(Loss.CrossEntropy.Compute(logits, labels, OutputActivation.None)), 5);
        Assert.Equal(Value(expected.alias()), Value(Loss.CrossEntropy.Compute(F.softmax(logits, 1), labels, OutputActivation.Softmax)), 5);
        Assert.Equal(Value(expected.alias()), Value(Loss.CrossEntropy.Compute(F.log_softmax(logits, 1), labels, OutputActivation.LogSoftmax)), 5);
        Assert.Equal(Value(expected.alias()), Value(Loss.NegativeLogLikelihood.Compute(F.log_softmax(logits, 1), labels, OutputActivation.LogSoftmax)), 5);
        using var oneHot = F.one_hot(labels, 10).to_type(ScalarType.Float32);
        Assert.Equal(Value(expected.alias()), Value(Loss.CrossEntropy.Compute(logits, oneHot, OutputActivation.None)), 5);
        Assert.Equal(Value(expected.alias()), Value(Loss.CrossEntropy.Compute(F.softmax(logits, 1), oneHot, OutputActivation.Softmax)), 5);

        using var scores = randn(16, 1);
        using var binary = randint(0, 2, new long[] { 16, 1 }).to_type(ScalarType.Float32);
        using var bce = F.binary_cross_entropy_with_logits(scores, binary);
        Assert.Equal(Value(bce.alias()), Value(Loss.BinaryCrossEntropy.Compute(scores, binary, OutputActivation.None)), 5);
        Assert.Equal(Value(bce.alias()), Value(Loss.BinaryCrossEntropy.Compute(F.sigmoid(scores), binary, OutputActivation.Sigmoid)), 5);
        using var correct = Loss.BinaryCrossEntropy.Correct(scores, binary);
        using var correctFromProbabilities = Loss.BinaryCrossEntropy.Correct(F.sigmoid(scores), binary, OutputActivation.Sigmoid);
        Assert.Equal(correct.item<long>(), correctFromProbabilities.item<long>());
        using var mse = F.mse_loss(scores, binary);
        Assert.Equal(Value(mse.alias()), Value(Loss.MeanSquaredError.Compute(scores, binary, OutputActivation.None)), 6);
    }

    [Fact]
    public void A_binary_classifier_trains_with_binary_cross_entropy()
    {
        var (train, test) = Dataset.FromIdxFolder(Shipped, trainLimit: 2000, testLimit: 1000);
        using (train)
        using (test)
        {
            // Footwear (sandal 5, sneaker 7, ankle boot 9) against the rest.
            Tensor Footwear(Tensor labels) => labels.eq(5).logical_or(labels.eq(7)).logical_or(labels.eq(9)).to_type(ScalarType.Float32).unsqueeze(1);
            using var trainData = new Dataset(train.Inputs, Footwear(train.Targets));
            using var testData = new Dataset(test.Inputs, Footwear(test.Targets));
            manual_seed(4);
            using var model = new SmallCnn(outputs: 1, head: "sigmoid");
            var options = new FitOptions
            {
                Epochs = 1, BatchSize = 32, Seed = 4, Loss = Loss.BinaryCrossEntropy, Progress = ProgressMode.None, Device = CPU,
                OutputActivation = OutputActivation.Sigmoid, ValidationData = testData, Optimizer = OptimizerSpec.Sgd(0.05, momentum: 0.9),
            };
            var history = model.Fit(trainData, options);
            Assert.True(history.ValidationAccuracy[0] >= 0.9, $"validation accuracy {history.ValidationAccuracy[0]:P1}");
        }
    }

    [Fact]
    public void A_weights_file_of_another_model_names_missing_and_unexpected_keys_and_leaves_the_model_unchanged()
    {
        var path = Path.Combine(folder, "small.weights");
        using (var small = new SmallCnn())
            small.SaveWeights(path);
        using var course = new CourseCnn();
        using var before = course.state_dict()["dense.weight"].clone();
        var error = Assert.Throws<WeightsMismatchException>(() => course.LoadWeights(path));
        Assert.Equal($"{path} does not fit the model: the model's 'conv2d.weight', 'conv2d.bias', 'conv2d_1.weight', 'conv2d_1.bias', 'dense.weight' and 3 more are missing from the file; "
            + "the file's 'conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'fc.weight' and 1 more are not in the model.", error.Message);
        Assert.True(course.state_dict()["dense.weight"].eq(before).all().item<bool>());

        using var ten = new SmallCnn(outputs: 10);
        using var two = new SmallCnn(outputs: 2);
        ten.SaveWeights(path);
        Assert.Equal($"{path}: 'fc.weight' has shape [10, 1568] in the file but [2, 1568] in the model.",
            Assert.Throws<WeightsMismatchException>(() => two.LoadWeights(path)).Message);
        using var doubles = new SmallCnn(outputs: 10);
        doubles.to(ScalarType.Float64);
        Assert.Equal($"{path}: 'conv1.weight' is Float32 in the file but Float64 in the model.",
            Assert.Throws<WeightsMismatchException>(() => doubles.LoadWeights(path)).Message);
        Assert.Equal(6, Checkpoints.ReadKeys(path).Count);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..1000]);
        Assert.Contains("truncated", Assert.Throws<InvalidFileException>(() => ten.LoadWeights(path)).Message);
    }

    [Fact]
    public void Keras_style_arguments_split_off_validation_data_and_print_one_line_per_epoch_when_redirected()
    {
        var (train, test) = Dataset.FromIdxFolder(Shipped, trainLimit: 1000, testLimit: 200);
        using (train)
        using (test)
        {
            manual_seed(8);
            using var model = new SmallCnn();
            var console = Console.Out;
            var output = new StringWriter();
            Console.SetOut(output);
            History history;
            try
            {
                history = model.Fit(train, epochs: 2, batchSize: 50, validationSplit: 0.2, seed: 8, device: CPU, progress: ProgressMode.Lines,
                    optimizer: OptimizerSpec.RMSprop(2e-3));
            }
            finally
            {
                Console.SetOut(console);
            }
            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, lines.Length);
            Assert.Matches(@"^Epoch 1/2 - [0-9.]+s - [0-9.]+ steps/s - [0-9]+ images/s - loss: [0-9.]+ - accuracy: [0-9.]+ - val_loss: [0-9.]+ - val_accuracy: [0-9.]+$", lines[0].TrimEnd());
            Assert.All(history.ValidationAccuracy, a => Assert.NotNull(a));
            Assert.Equal(new[] { 2e-3, 2e-3 }, history.LearningRate);
            // 800 images trained on (1000 less the 20% held out): 16 steps of 50.
            Assert.Equal(800, Math.Round(history.Epochs[0].ImagesPerSecond * history.Epochs[0].Seconds));

            // Tensors work as well as datasets, and the caller's tensors stay usable.
            var more = model.Fit(test.Inputs, test.Targets, new FitOptions { Epochs = 1, Seed = 8, Device = CPU, Progress = ProgressMode.None });
            Assert.Single(more.Epochs);
            Assert.Equal(200, test.Inputs.shape[0]);
            Assert.True(model.Evaluate(test).Accuracy > 0.5);
        }
    }

    [Fact]
    public void A_training_checkpoint_restores_the_learning_rate_and_refuses_another_model()
    {
        var (train, test) = Dataset.FromIdxFolder(Shipped, trainLimit: 300, testLimit: 10);
        using (train)
        using (test)
        {
            var checkpoint = Path.Combine(folder, "run.ckpt");
            using (var first = new SmallCnn())
                first.Fit(train, new FitOptions
                {
                    Epochs = 1, Seed = 2, Device = CPU, Progress = ProgressMode.None, CheckpointPath = checkpoint,
                    Optimizer = OptimizerSpec.Sgd(0.1, momentum: 0.9), Callbacks = new Callback[] { new StepDecay(1, 0.5) },
                });
            using var resumed = new SmallCnn();
            var history = resumed.Fit(train, new FitOptions { Epochs = 2, Device = CPU, Progress = ProgressMode.None, ResumeFrom = checkpoint, Optimizer = OptimizerSpec.Sgd(0.1, momentum: 0.9) });
            Assert.Equal(0.05, Assert.Single(history.Epochs).LearningRate, 10);

            using var other = new SmallCnn(outputs: 3);
            var error = Assert.Throws<WeightsMismatchException>(() => other.Fit(train, new FitOptions { Epochs = 2, Device = CPU, Progress = ProgressMode.None, ResumeFrom = checkpoint }));
            Assert.Equal($"{checkpoint}: 'fc.weight' has shape [10, 1568] in the file but [3, 1568] in the model.", error.Message);
        }
    }

    [Fact]
    public void Shuffled_batches_cover_every_sample_once_and_repeat_with_the_seed()
    {
        using var inputs = arange(0, 103, dtype: ScalarType.Float32).reshape(103, 1, 1, 1);
        using var targets = arange(0, 103, dtype: ScalarType.Int64);
        using var data = new Dataset(inputs, targets);
        long[] Order(bool shuffle, int seed)
        {
            var order = new System.Collections.Generic.List<long>();
            foreach (var (x, y) in data.Batches(10, shuffle, seed))
            {
                using (x)
                using (y)
                {
                    Assert.Equal(y.shape[0], x.shape[0]);
                    Assert.True(x.reshape(-1).to_type(ScalarType.Int64).eq(y).all().item<bool>());
                    order.AddRange(y.data<long>().ToArray());
                }
            }
            return order.ToArray();
        }
        Assert.Equal(Enumerable.Range(0, 103).Select(i => (long)i), Order(false, 0));
        var shuffled = Order(true, 5);
        Assert.Equal(Enumerable.Range(0, 103).Select(i => (long)i), shuffled.OrderBy(i => i));
        Assert.NotEqual(Enumerable.Range(0, 103).Select(i => (long)i), shuffled);
        Assert.Equal(shuffled, Order(true, 5));
        Assert.NotEqual(shuffled, Order(true, 6));
    }
}
