using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Weights
{
    /// <summary>What loading a state_dict found: the keys the model has that the file lacked, and the reverse.</summary>
    public sealed record LoadReport(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys)
    {
        public bool IsComplete => MissingKeys.Count == 0 && UnexpectedKeys.Count == 0;

        /// <summary>
        /// Whether every tensor matched a checksum stored in the file. False for files without checksums (PyTorch writes
        /// none); a file whose checksums do not match is never loaded.
        /// </summary>
        public bool Verified { get; init; }
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

        /// <summary>Saves the module's parameters and buffers to a safetensors file that PyTorch's load_state_dict accepts.</summary>
        public static void SaveSafeTensors(this nn.Module module, string path) =>
            SafeTensors.Write(path, Ordered(module).Select(e => (e.Key, e.Tensor)), new Dictionary<string, string> { ["format"] = "pt" });

        /// <summary>
        /// Loads a safetensors state_dict by key, like PyTorch's load_state_dict. A tensor whose shape or dtype differs
        /// is an error naming the key and both; with <paramref name="strict"/>, so is any missing or unexpected key.
        /// </summary>
        public static LoadReport LoadSafeTensors(this nn.Module module, string path, bool strict = true)
        {
            var file = SafeTensors.Read(path, out bool verified);
            try
            {
                return Load(module, file, strict, path) with { Verified = verified };
            }
            finally
            {
                foreach (var (_, tensor) in file)
                    tensor.Dispose();
            }
        }

        static LoadReport Load(nn.Module module, IReadOnlyList<(string Name, Tensor Tensor)> file, bool strict, string path)
        {
            var target = Ordered(module).ToDictionary(e => e.Key, e => e.Tensor);
            var source = file.ToDictionary(e => e.Name, e => e.Tensor);
            var missing = target.Keys.Where(k => !source.ContainsKey(k)).ToList();
            var unexpected = source.Keys.Where(k => !target.ContainsKey(k)).ToList();
            foreach (var (key, destination) in target)
            {
                if (!source.TryGetValue(key, out var value))
                    continue;
                if (!value.shape.SequenceEqual(destination.shape))
                    throw new ArgumentException($"{path}: tensor '{key}' has shape [{string.Join(", ", value.shape)}] in the file but [{string.Join(", ", destination.shape)}] in the model.");
                if (value.dtype != destination.dtype)
                    throw new ArgumentException($"{path}: tensor '{key}' is {value.dtype} in the file but {destination.dtype} in the model.");
            }
            if (strict && (missing.Count > 0 || unexpected.Count > 0))
                throw new ArgumentException($"{path} does not fit the model: "
                    + (missing.Count > 0 ? $"missing {missing.Count} key(s) ({string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? ", ..." : "")})" : "")
                    + (missing.Count > 0 && unexpected.Count > 0 ? "; " : "")
                    + (unexpected.Count > 0 ? $"unexpected {unexpected.Count} key(s) ({string.Join(", ", unexpected.Take(5))}{(unexpected.Count > 5 ? ", ..." : "")})" : "")
                    + ". Pass strict: false to load the keys that match.");
            using (no_grad())
            {
                foreach (var (key, destination) in target)
                    if (source.TryGetValue(key, out var value))
                        destination.copy_(value);
            }
            return new LoadReport(missing, unexpected);
        }
    }
}
