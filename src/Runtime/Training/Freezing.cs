using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Training
{
    /// <summary>
    /// Keras' <c>trainable = False</c> by layer name: a frozen layer's parameters get no gradients and are not given to
    /// the optimizer, and a frozen batch-norm layer runs in eval mode during <c>Fit</c>, so its running statistics stay
    /// as loaded. A prefix is a layer name (<c>conv2d</c>), a path inside a group or block (<c>layer4.1</c>) or a full
    /// parameter name; it matches the name itself and everything under it.
    /// </summary>
    public static class Freezing
    {
        // Frozen layers by name, for layers without parameters of their own (batch norm with affine=false).
        static readonly ConditionalWeakTable<nn.Module, HashSet<string>> FrozenModules = new();

        /// <summary>Freezes every layer under each prefix; a prefix that matches no layer is an error listing the names there are.</summary>
        public static void Freeze(this nn.Module model, params string[] prefixes) => Set(model, prefixes, frozen: true);

        /// <summary>Unfreezes the layers under each prefix, or the whole model when no prefix is given.</summary>
        public static void Unfreeze(this nn.Module model, params string[] prefixes) =>
            Set(model, prefixes.Length == 0 ? new[] { "" } : prefixes, frozen: false);

        /// <summary>Freezes everything except the layers under the given prefixes (typically the new head), which are unfrozen.</summary>
        public static void FreezeAllExcept(this nn.Module model, params string[] prefixes)
        {
            if (prefixes.Length == 0)
                throw new ArgumentException("FreezeAllExcept needs the names of the layers that stay trainable, e.g. FreezeAllExcept(\"fc\").", nameof(prefixes));
            CheckAllMatch(model, prefixes);
            Set(model, new[] { "" }, frozen: true);
            Set(model, prefixes, frozen: false);
        }

        /// <summary>The names of the parameters that are frozen.</summary>
        public static IReadOnlyList<string> FrozenParameters(this nn.Module model) =>
            model.named_parameters().Where(p => !p.parameter.requires_grad).Select(p => p.name).ToList();

        static void Set(nn.Module model, string[] prefixes, bool frozen)
        {
            CheckAllMatch(model, prefixes);
            var modules = FrozenModules.GetOrCreateValue(model);
            foreach (var (name, parameter) in model.named_parameters())
                if (prefixes.Any(p => Matches(name, p)))
                    parameter.requires_grad = !frozen;
            foreach (var (name, _) in model.named_modules())
            {
                if (name.Length == 0 || !prefixes.Any(p => Matches(name, p)))
                    continue;
                if (frozen)
                    modules.Add(name);
                else
                    modules.Remove(name);
            }
        }

        static void CheckAllMatch(nn.Module model, string[] prefixes)
        {
            foreach (var prefix in prefixes)
                if (prefix.Length > 0 && !model.named_parameters().Any(p => Matches(p.name, prefix)) && !model.named_modules().Any(m => m.name.Length > 0 && Matches(m.name, prefix)))
                    throw new ArgumentException($"'{prefix}' matches no layer of {model.GetName()}; its layers are {DescribeNames(model)}.", nameof(prefixes));
        }

        internal static bool Matches(string name, string prefix) =>
            prefix.Length == 0 || name == prefix || name.StartsWith(prefix + ".", StringComparison.Ordinal);

        internal static string DescribeNames(nn.Module model)
        {
            var names = model.named_children().Select(c => c.name).ToList();
            return string.Join(", ", names.Take(12).Select(n => $"'{n}'")) + (names.Count > 12 ? $" and {names.Count - 12} more" : "");
        }

        /// <summary>Puts every frozen batch-norm layer in eval mode (the rest of the model stays as it is).</summary>
        internal static void FrozenBatchNormToEval(nn.Module model)
        {
            FrozenModules.TryGetValue(model, out var frozenNames);
            foreach (var (name, module) in model.named_modules())
            {
                if (!module.GetType().Name.StartsWith("BatchNorm", StringComparison.Ordinal))
                    continue;
                var own = module.parameters().ToList();
                bool frozen = own.Count > 0 ? own.All(p => !p.requires_grad) : frozenNames?.Contains(name) == true;
                if (frozen)
                    module.eval();
            }
        }
    }
}
