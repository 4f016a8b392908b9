using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnDsl.Data;
using CnnDsl.Dsl.Project;
using CnnDsl.Runtime.Tests.Infrastructure;
using CnnDsl.Runtime.Tests.Models;
using CnnDsl.Training;
using CnnDsl.Vision;
using CnnDsl.Weights;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Runtime.Tests;

/// <summary>
/// A trained model's facts (class names, normalisation, evaluation transforms, loss, definition): set by Fit from the
/// data, kept through every weights format with every field, checked on load, printed by Summary, and what Predict uses.
/// </summary>
public class ModelFactsTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-facts-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static string RepositoryFile(string relative)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory != null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "CnnDsl.sln")))
                return Path.Combine(directory.FullName, relative);
        throw new InvalidOperationException("The repository root (CnnDsl.sln) is not above " + AppContext.BaseDirectory);
    }

    static readonly string[] Names = { "티셔츠/상의", "Trouser", "Пуловер", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot \"7\"" };

    // Values unlike any default: non-ASCII names, a grey normalisation that is not ImageNet's, a pipeline of four steps.
    static ModelFacts Trained(ModelFacts facts) => facts with
    {
        ClassNames = Names,
        Normalization = new InputNormalization(new[] { 0.2860f }, new[] { 0.3530f }),
        EvaluationTransforms = ModelFacts.Record(new Compose(new Resize(32), new CenterCrop(28), new ToTensor(), new Normalize(new[] { 0.2860f }, new[] { 0.3530f }))),
        LossName = "BinaryCrossEntropy",
        Loss = Loss.BinaryCrossEntropy,
        OutputActivation = OutputActivation.Sigmoid,
    };

    [Fact]
    public void Every_weights_format_keeps_every_fact()
    {
        using var model = CnnModel.Create<TinyCnn>(1);
        model.Facts = Trained(model.Facts);
        var expected = model.Facts with { Loss = null };
        Assert.Equal("TinyCnn", expected.Model);
        Assert.StartsWith("sha256:", expected.DefinitionHash);
        Assert.Equal(new long[] { 1, 28, 28 }, expected.InputShape);

        var weights = Path.Combine(folder, "tiny.weights");
        model.SaveWeights(weights);
        using (var loaded = CnnModel.Create<TinyCnn>(2))
        {
            loaded.LoadWeights(weights);
            Assert.Equal(expected, loaded.Facts);
        }

        var safetensors = Path.Combine(folder, "tiny.safetensors");
        model.SaveSafeTensors(safetensors);
        using (var loaded = CnnModel.Create<TinyCnn>(2))
        {
            loaded.LoadSafeTensors(safetensors);
            Assert.Equal(expected, loaded.Facts);
        }
        // In the safetensors metadata, as JSON a PyTorch user reads with json.loads.
        SafeTensors.Read(safetensors, out _, out var metadata).ToList().ForEach(t => t.Tensor.Dispose());
        Assert.Equal(expected, ModelFacts.FromJson(metadata[ModelFacts.MetadataKey], safetensors));

        var checkpoint = Path.Combine(folder, "tiny.ckpt");
        using (var optimizer = optim.Adam(model.parameters()))
            Checkpoints.SaveTrainingCheckpoint(checkpoint, model, optimizer, 1, 7);
        using (var loaded = CnnModel.Create<TinyCnn>(2))
        using (var optimizer = optim.Adam(loaded.parameters()))
        {
            Checkpoints.LoadTrainingCheckpoint(checkpoint, loaded, optimizer);
            Assert.Equal(expected, loaded.Facts);
        }

        // The JSON form alone: every field back, and each field does matter to equality.
        var json = ModelFacts.FromJson(expected.ToJson(), "facts.json");
        Assert.Equal(expected, json);
        Assert.NotEqual(expected, json with { ClassNames = Names.Reverse().ToArray() });
        Assert.NotEqual(expected, json with { Normalization = new InputNormalization(new[] { 0.2860f }, new[] { 0.3531f }) });
        Assert.NotEqual(expected, json with { EvaluationTransforms = json.EvaluationTransforms!.Skip(1).ToArray() });
    }

    [Fact]
    public void A_loaded_model_predicts_as_it_was_trained_not_as_a_fresh_one()
    {
        // Trained with binary cross-entropy: Predict gives independent sigmoids. Before the facts travelled with the
        // weights, a model loaded in another process gave a softmax over the classes instead.
        using var data = new Dataset(randn(40, 1, 28, 28), randint(0, 2, new long[] { 40, 10 }).to_type(ScalarType.Float32));
        using var model = CnnModel.Create<TinyCnn>(3);
        model.Fit(data, new FitOptions { Epochs = 1, BatchSize = 8, Loss = Loss.BinaryCrossEntropy, Progress = ProgressMode.None, Device = CPU });
        Assert.Equal("BinaryCrossEntropy", model.Facts.LossName);
        var path = Path.Combine(folder, "multi.safetensors");
        model.SaveSafeTensors(path);
        using var loaded = CnnModel.Create<TinyCnn>(4);
        loaded.LoadSafeTensors(path);
        using var expected = model.Predict(data.Inputs);
        using var actual = loaded.Predict(data.Inputs);
        using var logits = loaded.PredictLogits(data.Inputs);
        Assert.True(actual.allclose(logits.sigmoid()), "the loaded model's probabilities are not the sigmoids of its outputs");
        Assert.True(actual.eq(expected).all().item<bool>());
    }

    [Fact]
    public void Weights_of_another_model_or_definition_are_an_error_naming_both_and_a_partial_load_reports_the_difference()
    {
        using var tiny = CnnModel.Create<TinyCnn>(1);
        tiny.Facts = Trained(tiny.Facts);
        var path = Path.Combine(folder, "tiny.safetensors");
        tiny.SaveSafeTensors(path);

        // Same model name and tensors, another definition: refused, naming both hashes; the model is unchanged.
        using var edited = CnnModel.Create<TinyCnn>(2);
        edited.Facts = edited.Facts with { DefinitionHash = "sha256:" + new string('0', 64) };
        var before = edited.state_dict().ToDictionary(e => e.Key, e => e.Value.clone());
        var error = Assert.Throws<WeightsMismatchException>(() => edited.LoadSafeTensors(path));
        Assert.Contains("another definition of TinyCnn", error.Message);
        Assert.Contains(tiny.Facts.DefinitionHash![..19], error.Message);
        Assert.Contains("sha256:000000000000", error.Message);
        Assert.All(edited.state_dict(), e => Assert.True(e.Value.eq(before[e.Key]).all().item<bool>()));

        // Another model: the names of both.
        using var cifar = CnnModel.Create<FashionCnn>(3);
        var other = Assert.Throws<WeightsMismatchException>(() => cifar.LoadSafeTensors(path));
        Assert.Contains("does not fit FashionCnn: they were saved from model TinyCnn", other.Message);

        // A partial load starts from them, keeps its own facts and says what differs.
        var report = edited.LoadSafeTensors(path, skip: "dense.*");
        Assert.Contains("another definition of TinyCnn", report.ModelDifference);
        Assert.Null(edited.Facts.ClassNames);

        // A file without facts (PyTorch's) loads and leaves the facts as they were.
        var plain = Path.Combine(folder, "plain.safetensors");
        SafeTensors.Write(plain, StateDict.Ordered(tiny));
        using var fresh = CnnModel.Create<TinyCnn>(4);
        var factsBefore = fresh.Facts;
        fresh.LoadSafeTensors(plain);
        Assert.Same(factsBefore, fresh.Facts);
    }

    [Fact]
    public void The_tools_model_and_the_generated_class_of_one_file_have_one_definition_hash()
    {
        var file = RepositoryFile("tests/CnnDsl.Runtime.Tests/Models/Course.cnn");
        var bound = CnnProject.Resolve(file, "TinyCnn", null, TextWriter.Null)!;
        using var runtime = new RuntimeModule(bound);
        using var generated = new TinyCnn();
        Assert.Equal(generated.Facts.DefinitionHash, runtime.Facts.DefinitionHash);
        // Another model of the file differs.
        Assert.NotEqual(generated.Facts.DefinitionHash, new RuntimeModule(CnnProject.Resolve(file, "MnistCnn", null, TextWriter.Null)!).Facts.DefinitionHash);
        // Weights move between them with their facts.
        generated.Facts = Trained(generated.Facts);
        var path = Path.Combine(folder, "moved.safetensors");
        generated.SaveSafeTensors(path);
        runtime.LoadSafeTensors(path);
        Assert.Equal(Names, runtime.Facts.ClassNames);
    }

    [Fact]
    public void Fit_records_the_image_folders_classes_normalisation_and_evaluation_transforms_and_summary_prints_them()
    {
        var root = Path.Combine(folder, "images");
        var classes = new[] { "고양이", "dog" };
        for (int c = 0; c < classes.Length; c++)
        {
            Directory.CreateDirectory(Path.Combine(root, classes[c]));
            for (int i = 0; i < 4; i++)
                TestImages.Write(Path.Combine(root, classes[c], $"{i}.png"), TestImages.Pattern(40, 36, c * 10 + i), 40, 36);
        }
        var normalize = new Normalize(new[] { 0.5f, 0.4f, 0.3f }, new[] { 0.2f, 0.25f, 0.3f });
        var images = new ImageFolder(root, new Compose(new RandomResizedCrop(32), new ToTensor(), normalize),
            new Compose(new Resize(36), new CenterCrop(32), new ToTensor(), normalize));
        using var model = CnnModel.Create<CifarCnn>(1);
        model.Fit(images, new FitOptions { Epochs = 1, BatchSize = 4, Progress = ProgressMode.None, Device = CPU });
        var facts = model.Facts;
        Assert.Equal(new[] { "dog", "고양이" }, facts.ClassNames);
        Assert.Equal(new InputNormalization(normalize.Mean, normalize.Std), facts.Normalization);
        Assert.Equal(new[] { "Resize(36)", "CenterCrop(32, 32)", "ToTensor()", "Normalize(0.5, 0.4, 0.3, 0.2, 0.25, 0.3)" },
            facts.EvaluationTransforms!.Select(s => s.ToString()));
        Assert.Equal("CrossEntropy", facts.LossName);

        // The recorded pipeline, rebuilt, reads a file as the folder's evaluation transform does.
        var file = Directory.GetFiles(Path.Combine(root, "dog"))[0];
        var rebuilt = facts.EvaluationTransform()!.ApplyToFile(file, 3, new Random(0));
        var original = images.EvaluationTransform.ApplyToFile(file, 3, new Random(0));
        Assert.Equal(original.Pixels, rebuilt.Pixels);

        var summary = model.Summary();
        Assert.Contains("classes: 2 (dog, 고양이)", summary);
        Assert.Contains("input normalisation: mean (0.5, 0.4, 0.3), std (0.2, 0.25, 0.3)", summary);
        Assert.Contains("evaluation transforms: Resize(36) -> CenterCrop(32, 32) -> ToTensor()", summary);
        Assert.Contains("loss: CrossEntropy", summary);

        // A transform of the user's own is recorded by name and said not to be restorable.
        var custom = ModelFacts.Record(new Compose(new Invert(), new ToTensor()));
        Assert.False(custom[0].Restorable);
        var error = Assert.Throws<InvalidOperationException>(() => (facts with { EvaluationTransforms = custom }).EvaluationTransform());
        Assert.Contains("Invert, a transform of the user's own", error.Message);
    }

    [Fact]
    public void A_validation_folder_without_one_class_is_an_error_naming_it_and_opens_with_the_training_classes()
    {
        string Folder(string name, params string[] classes)
        {
            var root = Path.Combine(folder, name);
            foreach (var (c, i) in classes.Select((c, i) => (c, i)))
            {
                Directory.CreateDirectory(Path.Combine(root, c));
                for (int k = 0; k < 2; k++)
                    TestImages.Write(Path.Combine(root, c, $"{k}.png"), TestImages.Pattern(32, 32, i * 7 + k), 32, 32);
            }
            return root;
        }
        var train = new ImageFolder(Folder("train", "bag", "coat", "shirt"));
        var validationRoot = Folder("val", "bag", "shirt");
        var validation = new ImageFolder(validationRoot);
        using var model = CnnModel.Create<CifarCnn>(1);
        var options = new FitOptions { Epochs = 1, BatchSize = 4, Progress = ProgressMode.None, Device = CPU };
        // Sorted alone, the validation folder would number 'shirt' 1, which is 'coat' in training.
        var error = Assert.Throws<ArgumentException>(() => model.Fit(train, options with { ValidationData = validation }));
        Assert.Contains("The validation data's classes are not those of the training data: it lacks 'coat'", error.Message);
        Assert.Contains("classNames:", error.Message);

        var matched = new ImageFolder(validationRoot, classNames: train.ClassNames);
        Assert.Equal(new[] { "coat" }, matched.ClassesWithoutImages);
        Assert.Equal(new long[] { 0, 0, 2, 2 }, matched.Labels);
        model.Fit(train, options with { ValidationData = matched });

        // Evaluate checks the data against the classes the model was trained on.
        var evaluation = Assert.Throws<ArgumentException>(() => model.Evaluate(validation));
        Assert.Contains("The data's classes are not those of CifarCnn (as trained or loaded): it lacks 'coat'", evaluation.Message);
        Assert.InRange(model.Evaluate(matched).Accuracy!.Value, 0, 1);
        Assert.Contains("'hat'", Assert.Throws<InvalidDataException>(() => new ImageFolder(Folder("odd", "bag", "hat"), classNames: train.ClassNames)).Message);
    }

    /// <summary>Damages a file between two epochs, as a disk or a sync tool might, keeping its header and end intact.</summary>
    sealed class DamageAfterEpoch(int epoch, string path) : Callback
    {
        public Dictionary<string, Tensor>? LastStep;

        public override void OnTrainBatchEnd(TrainingContext context, TrainBatch batch)
        {
            foreach (var tensor in LastStep?.Values ?? Enumerable.Empty<Tensor>())
                tensor.Dispose();
            // Inside the step's dispose scope: the copies must outlive it.
            LastStep = context.Model.state_dict().ToDictionary(e => e.Key, e => e.Value.detach().clone().DetachFromDisposeScope());
        }

        public override void OnEpochEnd(TrainingContext context, EpochMetrics metrics)
        {
            if (metrics.Epoch != epoch)
                return;
            var bytes = File.ReadAllBytes(path);
            int data = bytes.AsSpan().IndexOf("IDAT"u8) + 4;
            for (int i = data; i < data + 24; i++)
                bytes[i] ^= 0x5A;
            File.WriteAllBytes(path, bytes);
        }
    }

    [Fact]
    public void A_file_that_fails_mid_training_is_named_and_training_stops_with_the_last_steps_weights_and_a_checkpoint_to_resume()
    {
        var root = Path.Combine(folder, "shades");
        foreach (var (c, i) in new[] { "dark", "light" }.Select((c, i) => (c, i)))
        {
            Directory.CreateDirectory(Path.Combine(root, c));
            for (int k = 0; k < 4; k++)
                TestImages.Write(Path.Combine(root, c, $"{k}.png"), TestImages.Pattern(32, 32, i * 10 + k), 32, 32);
        }
        var victim = Path.Combine(root, "light", "2.png");
        var original = File.ReadAllBytes(victim);
        var images = new ImageFolder(root);
        using var model = CnnModel.Create<CifarCnn>(1);
        var damage = new DamageAfterEpoch(1, victim);
        var checkpoint = Path.Combine(folder, "shades.ckpt");
        var options = new FitOptions { Epochs = 3, BatchSize = 2, Shuffle = false, Seed = 1, Progress = ProgressMode.None, Device = CPU, CheckpointPath = checkpoint };
        var error = Assert.Throws<TrainingDataException>(() => model.Fit(images, options with { Callbacks = new Callback[] { damage } }));
        Assert.Contains(victim, error.Message);
        Assert.Contains("Training stopped in epoch 2 before step 4 of 4", error.Message);
        Assert.Contains($"resume from the checkpoint {checkpoint} (the end of epoch 1)", error.Message);
        Assert.Equal((2, 3, 1), (error.Epoch, error.Step, error.History.Epochs.Count));
        // The weights are those of the last completed step.
        Assert.All(model.state_dict(), e => Assert.True(e.Value.eq(damage.LastStep![e.Key]).all().item<bool>(), e.Key));

        // Repaired, training resumes from the end of epoch 1 and finishes.
        File.WriteAllBytes(victim, original);
        var resumed = model.Fit(images, options with { ResumeFrom = checkpoint });
        Assert.Equal(new[] { 2, 3 }, resumed.Epochs.Select(e => e.Epoch));
    }

    sealed class Invert : Transform
    {
        public override ImageData Apply(ImageData image, Random random) => image;
    }

    [Fact]
    public void Malformed_facts_in_a_file_are_an_error_naming_the_file()
    {
        var error = Assert.Throws<InvalidFileException>(() => ModelFacts.FromJson("{\"cnndsl_facts\":1,\"output_activation\":\"Glow\"}", "x.safetensors"));
        Assert.Contains("x.safetensors: the model facts saved with the weights are malformed", error.Message);
        Assert.Contains("Glow", error.Message);
        Assert.Throws<InvalidFileException>(() => ModelFacts.FromJson("{\"cnndsl_facts\":9}", "x.safetensors"));
        Assert.Throws<InvalidFileException>(() => ModelFacts.FromJson("[1]", "x.safetensors"));
        Assert.Throws<InvalidFileException>(() => ModelFacts.FromJson("{\"cnndsl_facts\":1,\"normalization\":{\"mean\":[0.5],\"std\":[0]}}", "x.safetensors"));
    }
}
