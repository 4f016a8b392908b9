using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Weights
{
    /// <summary>
    /// Loads a state_dict by key into a model that may differ from the file's: keys matching a skip pattern and, when
    /// asked, tensors whose shapes differ are left at the model's initial values and reported (a backbone into a model
    /// with a new head).
    /// </summary>
    internal static class PartialLoad
    {
        public static LoadReport Load(nn.Module module, IReadOnlyList<(string Name, Tensor Tensor)> file, string path, bool strict, string? skip, bool skipMismatchedShapes)
        {
            var target = StateDict.Ordered(module).ToDictionary(e => e.Key, e => e.Tensor);
            var source = file.ToDictionary(e => e.Name, e => e.Tensor);
            var patterns = (skip ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            var regexes = patterns.Select(p => new Regex("^" + Regex.Escape(p).Replace("\\*", ".*").Replace("\\?", ".") + "$")).ToList();
            string? SkippedBy(string key) => patterns.Where((_, i) => regexes[i].IsMatch(key)).FirstOrDefault();
            foreach (var (pattern, i) in patterns.Select((p, i) => (p, i)))
                if (!target.Keys.Concat(source.Keys).Any(k => regexes[i].IsMatch(k)))
                    throw new ArgumentException($"The skip pattern '{pattern}' matches no key of the model or of {path}; the model's keys start "
                        + string.Join(", ", target.Keys.Select(k => k.Split('.')[0]).Distinct().Take(10).Select(k => $"'{k}.'")) + ".", nameof(skip));

            var skipped = new List<(string Key, string Reason)>();
            var toLoad = new List<(string Key, Tensor Destination, Tensor Value)>();
            var missing = new List<string>();
            foreach (var (key, destination) in target)
            {
                if (SkippedBy(key) is string pattern)
                {
                    skipped.Add((key, $"matches '{pattern}'"));
                    continue;
                }
                if (!source.TryGetValue(key, out var value))
                {
                    missing.Add(key);
                    continue;
                }
                if (!value.shape.SequenceEqual(destination.shape))
                {
                    if (!skipMismatchedShapes)
                        throw new ArgumentException($"{path}: tensor '{key}' has shape [{string.Join(", ", value.shape)}] in the file but [{string.Join(", ", destination.shape)}] in the model.");
                    skipped.Add((key, $"shape [{string.Join(", ", value.shape)}] in the file, [{string.Join(", ", destination.shape)}] in the model"));
                    continue;
                }
                if (value.dtype != destination.dtype)
                    throw new ArgumentException($"{path}: tensor '{key}' is {value.dtype} in the file but {destination.dtype} in the model.");
                toLoad.Add((key, destination, value));
            }
            var unexpected = source.Keys.Where(k => !target.ContainsKey(k) && SkippedBy(k) == null).ToList();
            if (strict && (missing.Count > 0 || unexpected.Count > 0))
                throw new ArgumentException($"{path} does not fit the model: "
                    + (missing.Count > 0 ? $"missing {missing.Count} key(s) ({string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? ", ..." : "")})" : "")
                    + (missing.Count > 0 && unexpected.Count > 0 ? "; " : "")
                    + (unexpected.Count > 0 ? $"unexpected {unexpected.Count} key(s) ({string.Join(", ", unexpected.Take(5))}{(unexpected.Count > 5 ? ", ..." : "")})" : "")
                    + ". Pass strict: false to load the keys that match.");
            using (no_grad())
            {
                foreach (var (_, destination, value) in toLoad)
                    destination.copy_(value);
            }
            return new LoadReport(missing, unexpected)
            {
                Loaded = toLoad.Select(t => t.Key).ToList(),
                Skipped = skipped,
            };
        }
    }
}
