using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CnnDsl
{
    /// <summary>One step of a saved evaluation pipeline: a transform's name, its numbers, and whether it can be rebuilt from them.</summary>
    public sealed record SavedTransform(string Name, IReadOnlyList<double> Values, bool Restorable = true)
    {
        public bool Equals(SavedTransform? other) => other != null && Name == other.Name && Restorable == other.Restorable && Values.SequenceEqual(other.Values);

        public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);
    }

    /// <summary>
    /// A model's facts as weights files keep them (safetensors metadata, ONNX <c>metadata_props</c>, CnnDsl's own
    /// weights), as plain data and JSON with snake_case keys, without TorchSharp: what the run time's <c>ModelFacts</c>
    /// saves and loads, and what inference without libtorch reads.
    /// </summary>
    public sealed record SavedFacts
    {
        /// <summary>The version of the saved form.</summary>
        public const int FormatVersion = 1;

        /// <summary>The key under which weights files keep the facts as JSON.</summary>
        public const string MetadataKey = "cnndsl.facts";

        public string? Model { get; init; }
        public string? DefinitionHash { get; init; }
        /// <summary>One sample's input shape without the batch dimension; -1 marks a size variable.</summary>
        public IReadOnlyList<long>? InputShape { get; init; }
        /// <summary>What the model's last layer does to its outputs: one of <see cref="OutputActivations"/>.</summary>
        public string OutputActivation { get; init; } = "None";
        public IReadOnlyList<string>? ClassNames { get; init; }
        /// <summary>The per-channel mean of the input normalisation, <c>(x - mean) / std</c>; null when none was recorded.</summary>
        public IReadOnlyList<float>? NormalizationMean { get; init; }
        public IReadOnlyList<float>? NormalizationStd { get; init; }
        public IReadOnlyList<SavedTransform>? EvaluationTransforms { get; init; }

        /// <summary>The output activations a model can end with, as the compiler names them (<c>BoundModel.OutputActivation</c>).</summary>
        public static readonly IReadOnlyList<string> OutputActivations = new[] { "None", "Softmax", "LogSoftmax", "Sigmoid" };
        public string? LossName { get; init; }

        public string ToJson()
        {
            var json = new JsonObject
            {
                ["cnndsl_facts"] = FormatVersion,
                ["model"] = Model,
                ["definition"] = DefinitionHash,
                ["input_shape"] = InputShape == null ? null : new JsonArray(InputShape.Select(v => (JsonNode)v).ToArray()),
                ["output_activation"] = OutputActivation,
                ["class_names"] = ClassNames == null ? null : new JsonArray(ClassNames.Select(v => (JsonNode)v).ToArray()),
                ["normalization"] = NormalizationMean == null || NormalizationStd == null ? null : new JsonObject
                {
                    ["mean"] = new JsonArray(NormalizationMean.Select(v => (JsonNode)v).ToArray()),
                    ["std"] = new JsonArray(NormalizationStd.Select(v => (JsonNode)v).ToArray()),
                },
                ["evaluation_transforms"] = EvaluationTransforms == null ? null : new JsonArray(EvaluationTransforms.Select(s => (JsonNode)new JsonObject
                {
                    ["name"] = s.Name,
                    ["values"] = new JsonArray(s.Values.Select(v => (JsonNode)v).ToArray()),
                    ["restorable"] = s.Restorable,
                }).ToArray()),
                ["loss"] = LossName,
            };
            return json.ToJsonString();
        }

        /// <summary>Reads <see cref="ToJson"/>'s form; anything else is a <see cref="FormatException"/> saying what is wrong.</summary>
        public static SavedFacts FromJson(string text)
        {
            try
            {
                var json = JsonNode.Parse(text) as JsonObject ?? throw new FormatException("they are not a JSON object");
                int version = json["cnndsl_facts"]?.GetValue<int>() ?? throw new FormatException("they have no cnndsl_facts version");
                if (version > FormatVersion)
                    throw new FormatException($"they are version {version}, newer than this library's {FormatVersion}; update CnnDsl");
                var activation = json["output_activation"]?.GetValue<string>() ?? "None";
                if (!OutputActivations.Contains(activation))
                    throw new FormatException($"the output activation '{activation}' is not one of {string.Join(", ", OutputActivations)}");
                var normalization = json["normalization"] as JsonObject;
                var facts = new SavedFacts
                {
                    Model = json["model"]?.GetValue<string>(),
                    DefinitionHash = json["definition"]?.GetValue<string>(),
                    InputShape = (json["input_shape"] as JsonArray)?.Select(v => v!.GetValue<long>()).ToArray(),
                    OutputActivation = activation,
                    ClassNames = (json["class_names"] as JsonArray)?.Select(v => v!.GetValue<string>()).ToArray(),
                    NormalizationMean = normalization?["mean"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray(),
                    NormalizationStd = normalization?["std"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray(),
                    EvaluationTransforms = (json["evaluation_transforms"] as JsonArray)?.Select(s => new SavedTransform(
                        s!["name"]!.GetValue<string>(),
                        s["values"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray(),
                        s["restorable"]?.GetValue<bool>() ?? true)).ToArray(),
                    LossName = json["loss"]?.GetValue<string>(),
                };
                if (facts.NormalizationMean != null && (facts.NormalizationMean.Count != facts.NormalizationStd!.Count || facts.NormalizationStd.Any(s => !(s > 0))))
                    throw new FormatException("the normalisation needs one positive deviation per mean");
                return facts;
            }
            catch (Exception exception) when (exception is JsonException or InvalidOperationException or NullReferenceException or KeyNotFoundException)
            {
                throw new FormatException(exception.Message, exception);
            }
        }
    }
}
