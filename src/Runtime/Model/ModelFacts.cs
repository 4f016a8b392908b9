using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CnnDsl.Training;
using CnnDsl.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl
{
    /// <summary>A model that carries its <see cref="ModelFacts"/> (every generated model, and <c>RuntimeModule</c>).</summary>
    public interface IHasFacts
    {
        /// <summary>What the model knows beyond its weights; set by Fit, saved and loaded with the weights.</summary>
        ModelFacts Facts { get; set; }
    }

    /// <summary>An input normalisation, <c>(x - mean) / std</c> per channel.</summary>
    public sealed record InputNormalization(IReadOnlyList<float> Mean, IReadOnlyList<float> Std)
    {
        public Normalize ToTransform() => new(Mean.ToArray(), Std.ToArray());

        public static InputNormalization From(Normalize normalize) => new(normalize.Mean.ToArray(), normalize.Std.ToArray());

        public bool Equals(InputNormalization? other) => other != null && Mean.SequenceEqual(other.Mean) && Std.SequenceEqual(other.Std);

        public override int GetHashCode() => Mean.Count;

        public override string ToString() => $"mean ({Floats(Mean)}), std ({Floats(Std)})";

        internal static string Floats(IEnumerable<float> values) => string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// What a model knows beyond its weights, as torchvision's weights carry <c>meta["categories"]</c> and
    /// <c>transforms()</c>: its name and definition, its input shape, the class names and input normalisation of the data
    /// it was trained on, the evaluation transforms, the loss it was trained with (which decides what <c>Predict</c>
    /// returns) and its output activation. <c>Fit</c> sets them from the data; every weights format saves them and
    /// loading restores them; <c>Summary</c> prints them. A generated model has them as its <c>Facts</c> property; for any
    /// other module use <see cref="Of"/> and <see cref="Set"/>.
    /// </summary>
    public sealed record ModelFacts
    {
        /// <summary>The version of the saved form (<see cref="ToJson"/>).</summary>
        public const int FormatVersion = SavedFacts.FormatVersion;

        /// <summary>The key under which weights files (safetensors metadata, ONNX metadata_props) keep the facts as JSON.</summary>
        public const string MetadataKey = SavedFacts.MetadataKey;

        static readonly ConditionalWeakTable<nn.Module, ModelFacts> OtherModules = new();

        /// <summary>The model's name (a generated model's class name).</summary>
        public string? Model { get; init; }

        /// <summary>What identifies the model's definition (<c>sha256:...</c>); null for a module not built from a definition.</summary>
        public string? DefinitionHash { get; init; }

        /// <summary>One sample's input shape without the batch dimension; -1 marks a size variable.</summary>
        public IReadOnlyList<long>? InputShape { get; init; }

        public OutputActivation OutputActivation { get; init; }

        /// <summary>The class names, in class-index order, of the data the model was trained on (or given by the user).</summary>
        public IReadOnlyList<string>? ClassNames { get; init; }

        /// <summary>The normalisation the training data went through, which pictures undo.</summary>
        public InputNormalization? Normalization { get; init; }

        /// <summary>The evaluation transforms of the training data (image folders), to apply to new images.</summary>
        public IReadOnlyList<TransformStep>? EvaluationTransforms { get; init; }

        /// <summary>The name of the loss the model was trained with (a <see cref="LossKind"/> or a loss of the user's own).</summary>
        public string? LossName { get; init; }

        /// <summary>The loss object itself, while this process has it (a loss of the user's own is not restored from a file).</summary>
        public Loss? Loss { get; init; }

        /// <summary>The facts a generated model starts with: what the compiler knows.</summary>
        public static ModelFacts For(CnnModelInfo info) => new()
        {
            Model = info.Name,
            DefinitionHash = info.DefinitionHash,
            InputShape = info.InputShape.ToArray(),
            OutputActivation = info.OutputActivation,
        };

        /// <summary>A module's facts: its own for a model that carries them, else kept for the module by the library.</summary>
        public static ModelFacts Of(nn.Module module) =>
            module is IHasFacts carrier ? carrier.Facts : OtherModules.GetValue(module, m => new ModelFacts { Model = m.GetName() });

        /// <summary>Gives a module its facts.</summary>
        public static void Set(nn.Module module, ModelFacts facts)
        {
            ArgumentNullException.ThrowIfNull(facts);
            if (module is IHasFacts carrier)
                carrier.Facts = facts;
            else
                OtherModules.AddOrUpdate(module, facts);
        }

        /// <summary>
        /// The loss that decides what <c>Predict</c> and <c>Evaluate</c> do: the one the model was trained with, restored by
        /// name for the built-in losses; cross-entropy for a model never trained. A loss of the user's own, loaded from a
        /// file, is an error until the user gives it back (<c>Facts = Facts with { Loss = ... }</c>).
        /// </summary>
        public Loss TrainedLoss()
        {
            if (Loss != null)
                return Loss;
            if (LossName == null)
                return Training.Loss.CrossEntropy;
            return Training.Loss.Builtin(LossName) ?? throw new InvalidOperationException(
                $"{Model ?? "The model"} was trained with the loss '{LossName}', a loss of the user's own that a file cannot restore; "
                + $"give it back with model.Facts = model.Facts with {{ Loss = new {LossName}(...) }} (or ModelFacts.Set) before Predict or Evaluate.");
        }

        /// <summary>The recorded evaluation transforms as a pipeline, to apply to new images as in training; null when none were recorded.</summary>
        public Transform? EvaluationTransform() => EvaluationTransforms == null ? null : TransformStep.Restore(EvaluationTransforms, Model);

        /// <summary>The steps of a pipeline as data (random transforms as they evaluate); a transform of the user's own by name.</summary>
        public static IReadOnlyList<TransformStep> Record(Transform transform) => TransformStep.Record(transform);

        /// <summary>The facts as JSON (snake_case keys, as a PyTorch user reads them from a file's metadata).</summary>
        public string ToJson() => ToSaved().ToJson();

        /// <summary>The facts in their saved form (what every file keeps), for the libraries without TorchSharp.</summary>
        public SavedFacts ToSaved() => new()
        {
            Model = Model,
            DefinitionHash = DefinitionHash,
            InputShape = InputShape,
            OutputActivation = OutputActivation.ToString(),
            ClassNames = ClassNames,
            NormalizationMean = Normalization?.Mean,
            NormalizationStd = Normalization?.Std,
            EvaluationTransforms = EvaluationTransforms?.Select(s => new SavedTransform(s.Name, s.Values, s.Restorable)).ToArray(),
            LossName = LossName,
        };

        /// <summary>Reads <see cref="ToJson"/>'s form; anything else is an <see cref="InvalidFileException"/> naming <paramref name="source"/>.</summary>
        public static ModelFacts FromJson(string text, string source)
        {
            SavedFacts saved;
            try
            {
                saved = SavedFacts.FromJson(text);
            }
            catch (FormatException exception)
            {
                throw new InvalidFileException(source, $"{source}: the model facts saved with the weights are malformed: {exception.Message}.");
            }
            return new ModelFacts
            {
                Model = saved.Model,
                DefinitionHash = saved.DefinitionHash,
                InputShape = saved.InputShape,
                OutputActivation = Enum.Parse<OutputActivation>(saved.OutputActivation),
                ClassNames = saved.ClassNames,
                Normalization = saved.NormalizationMean == null ? null : new InputNormalization(saved.NormalizationMean, saved.NormalizationStd!),
                EvaluationTransforms = saved.EvaluationTransforms?.Select(s => new TransformStep(s.Name, s.Values, s.Restorable)).ToArray(),
                LossName = saved.LossName,
            };
        }

        /// <summary>
        /// Why weights saved with <paramref name="saved"/> are not this model's: another model, or another definition of
        /// it. Only models built from a definition (generated or built by the tools) are compared; null when they agree
        /// or either side has no definition.
        /// </summary>
        public string? DifferenceFrom(ModelFacts saved)
        {
            if (saved.DefinitionHash == null || DefinitionHash == null)
                return null;
            if (saved.Model != Model)
                return $"they were saved from model {saved.Model}, not {Model}";
            if (saved.DefinitionHash != DefinitionHash)
                return $"they were saved from another definition of {Model} ({Short(saved.DefinitionHash)} in the file, {Short(DefinitionHash)} here)";
            return null;
        }

        /// <summary>This model's facts with what the weights' facts say of training (classes, normalisation, transforms, loss, and the output activation Fit used).</summary>
        public ModelFacts WithTrainingFactsOf(ModelFacts saved) => this with
        {
            OutputActivation = saved.OutputActivation,
            ClassNames = saved.ClassNames ?? ClassNames,
            Normalization = saved.Normalization ?? Normalization,
            EvaluationTransforms = saved.EvaluationTransforms ?? EvaluationTransforms,
            LossName = saved.LossName ?? LossName,
            Loss = saved.LossName != null && saved.LossName != LossName ? null : Loss,
        };

        static string Short(string hash) => hash.Length > 19 ? hash.Substring(0, 19) + "..." : hash;

        /// <summary>The facts as the summary prints them, one per line.</summary>
        public string Describe()
        {
            var text = new StringBuilder();
            text.Append("Facts: ").Append(Model ?? "(unnamed)");
            if (DefinitionHash != null)
                text.Append(" (").Append(Short(DefinitionHash)).Append(')');
            if (InputShape != null)
                text.Append(", input (").Append(string.Join(", ", InputShape.Select(d => d < 0 ? "?" : d.ToString(CultureInfo.InvariantCulture)))).Append(')');
            text.Append('\n');
            text.Append("  classes: ").Append(ClassNames == null ? "none recorded (PredictClasses needs them)"
                : $"{ClassNames.Count} ({string.Join(", ", ClassNames.Take(10))}{(ClassNames.Count > 10 ? ", ..." : "")})").Append('\n');
            text.Append("  input normalisation: ").Append(Normalization?.ToString() ?? "none recorded").Append('\n');
            if (EvaluationTransforms != null)
                text.Append("  evaluation transforms: ").Append(string.Join(" -> ", EvaluationTransforms)).Append('\n');
            text.Append("  loss: ").Append(LossName ?? "not trained yet (Predict takes outputs as cross-entropy's)")
                .Append("; output activation: ").Append(OutputActivation).Append('\n');
            return text.ToString();
        }

        public bool Equals(ModelFacts? other) =>
            other != null && Model == other.Model && DefinitionHash == other.DefinitionHash && OutputActivation == other.OutputActivation
            && SameList(InputShape, other.InputShape) && SameList(ClassNames, other.ClassNames) && Equals(Normalization, other.Normalization)
            && SameList(EvaluationTransforms, other.EvaluationTransforms) && LossName == other.LossName && ReferenceEquals(Loss, other.Loss);

        public override int GetHashCode() => HashCode.Combine(Model, DefinitionHash, LossName);

        static bool SameList<T>(IReadOnlyList<T>? a, IReadOnlyList<T>? b) => a == null ? b == null : b != null && a.SequenceEqual(b);
    }
}
