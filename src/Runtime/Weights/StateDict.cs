using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Weights
{
    /// <summary>
    /// What loading a state_dict did: the keys loaded, the model's keys skipped (by pattern or shape) and the model's keys
    /// the file lacked, both left at their initial values, and the file's keys the model does not have.
    /// </summary>
    public sealed record LoadReport(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys)
    {
        public bool IsComplete => MissingKeys.Count == 0 && UnexpectedKeys.Count == 0 && Skipped.Count == 0;
        public IReadOnlyList<string> Loaded { get; init; } = Array.Empty<string>();
        public IReadOnlyList<(string Key, string Reason)> Skipped { get; init; } = Array.Empty<(string, string)>();
        /// <summary>The model's keys that kept their initial values: skipped or missing from the file.</summary>
        public IReadOnlyList<string> LeftAtInitialValue => Skipped.Select(s => s.Key).Concat(MissingKeys).ToList();

        public override string ToString() =>
            $"Loaded {Loaded.Count} tensors; skipped {Skipped.Count}" + (Skipped.Count > 0 ? " (" + string.Join(", ", Skipped.Select(s => $"{s.Key}: {s.Reason}")) + ")" : "")
            + $"; left at their initial values: {(LeftAtInitialValue.Count == 0 ? "none" : string.Join(", ", LeftAtInitialValue))}"
            + (UnexpectedKeys.Count > 0 ? $"; not in the model: {string.Join(", ", UnexpectedKeys)}" : "") + ".";

        /// <summary>
        /// Whether every tensor matched a checksum stored in the file. False for files without checksums (PyTorch writes
        /// none); a file whose checksums do not match is never loaded.
        /// </summary>
        public bool Verified { get; init; }

        /// <summary>
        /// For a partial load: how the file's model differs from this one (another model or definition), where the file
        /// says; the model keeps its own facts. Null when they agree, the file has no facts, or the load was full.
        /// </summary>
        public string? ModelDifference { get; init; }
    }

    /// <summary>State dicts in PyTorch's order and naming, saved to and loaded from safetensors files.</summary>
    public static class StateDict
    {
        /// <summary>
        /// Every parameter and buffer with its PyTorch key, in PyTorch's order: module by module, each module's own
        /// parameters, then its own buffers. (TorchSharp's state_dict lists all parameters before all buffers.)
        /// </summary>
        public static IReadOnlyList<(string Key, Tensor Tensor)> Ordered(nn.Module module)
        {
            var result = new List<(string, Tensor)>();
            Collect(module, "", result);
            return result;
        }

        static void Collect(nn.Module module, string prefix, List<(string, Tensor)> result)
        {
            foreach (var (name, parameter) in module.named_parameters(recurse: false))
                result.Add((prefix + name, parameter));
            foreach (var (name, buffer) in module.named_buffers(recurse: false))
                result.Add((prefix + name, buffer));
            foreach (var (name, child) in module.named_children())
                Collect(child, prefix + name + ".", result);
        }

        /// <summary>
        /// Saves the module's parameters and buffers to a safetensors file that PyTorch's load_state_dict accepts, with the
        /// model's facts (<see cref="ModelFacts"/>) as JSON under <c>cnndsl.facts</c> in its metadata, which PyTorch ignores.
        /// </summary>
        public static void SaveSafeTensors(this nn.Module module, string path)
        {
            var facts = ModelFacts.Of(module).ToJson();
            SafeTensors.Write(path, Ordered(module).Select(e => (e.Key, e.Tensor)), new Dictionary<string, string>
            {
                ["format"] = "pt",
                [ModelFacts.MetadataKey] = facts,
                [FactsChecksumKey] = SafeTensors.Sha256(facts),
            });
        }

        const string FactsChecksumKey = ModelFacts.MetadataKey + ".sha256";

        // The facts are checked as the tensors are: a file whose facts do not match their checksum is damaged.
        static ModelFacts? ReadFacts(IReadOnlyDictionary<string, string> metadata, string path)
        {
            bool hasFacts = metadata.TryGetValue(ModelFacts.MetadataKey, out var json), hasChecksum = metadata.TryGetValue(FactsChecksumKey, out var checksum);
            if (!hasFacts && !hasChecksum)
                return null;
            // CnnDsl writes both; one without the other is a damaged key, not a file without facts.
            if (!hasFacts || !hasChecksum || checksum != SafeTensors.Sha256(json!))
                throw new InvalidFileException(path, $"{path}: the model facts in its metadata do not match their SHA-256 checksum (the file is damaged).");
            return ModelFacts.FromJson(json!, path);
        }

        /// <summary>
        /// Loads a safetensors state_dict by key, like PyTorch's load_state_dict. A tensor whose shape or dtype differs
        /// is an error naming the key and both; with <paramref name="strict"/>, so is any missing or unexpected key.
        /// <paramref name="skip"/> (glob patterns, comma-separated, e.g. <c>"fc.*"</c>) leaves matching keys at their
        /// initial values; <paramref name="skipMismatchedShapes"/> does the same for tensors whose shapes differ. The
        /// report lists what was loaded, skipped and left at its initial value. A full, strict load of a file saved from
        /// another model (or another definition of it) is an error naming both, and otherwise gives the model the file's
        /// facts (class names, normalisation, loss); a partial load keeps the model's own facts and reports how the file's
        /// model differs. A file without facts (from PyTorch) loads either way.
        /// </summary>
        public static LoadReport LoadSafeTensors(this nn.Module module, string path, bool strict = true, string? skip = null, bool skipMismatchedShapes = false)
        {
            var file = SafeTensors.Read(path, out bool verified, out var metadata);
            try
            {
                var saved = ReadFacts(metadata, path);
                bool full = strict && string.IsNullOrWhiteSpace(skip) && !skipMismatchedShapes;
                if (full)
                    Training.Checkpoints.CheckSameModel(module, saved, path);
                var report = PartialLoad.Load(module, file, path, strict, skip, skipMismatchedShapes) with { Verified = verified };
                if (saved == null)
                    return report;
                var facts = ModelFacts.Of(module);
                if (full)
                {
                    ModelFacts.Set(module, facts.WithTrainingFactsOf(saved));
                    return report;
                }
                return report with { ModelDifference = facts.DifferenceFrom(saved) };
            }
            finally
            {
                foreach (var (_, tensor) in file)
                    tensor.Dispose();
            }
        }
    }
}
