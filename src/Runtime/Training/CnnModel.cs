using System;
using System.Linq;
using System.Reflection;
using System.Runtime.ExceptionServices;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl
{
    /// <summary>
    /// Seeded construction. Weights are initialised when a model is constructed, so that is where a seed must act:
    /// <c>CnnModel.Create&lt;FashionCnn&gt;(seed: 42)</c> then <c>Fit(..., Seed = 42)</c> repeats a run exactly on the CPU.
    /// <c>Fit</c>'s own seed governs shuffling, dropout and augmentation only; it never re-initialises weights, so a
    /// loaded backbone stays as loaded.
    /// </summary>
    public static class CnnModel
    {
        /// <summary>
        /// Seeds libtorch's generator, then constructs the model with its constructor whose parameters are all optional
        /// (a generated model's <c>(Device? device = null)</c>, or a parameterless one).
        /// </summary>
        public static T Create<T>(int seed) where T : nn.Module
        {
            var constructor = typeof(T).GetConstructors().Where(c => c.GetParameters().All(p => p.IsOptional)).OrderBy(c => c.GetParameters().Length).FirstOrDefault()
                ?? throw new ArgumentException($"{typeof(T).Name} has no public constructor that can be called without arguments; use CnnModel.Create(seed, () => new {typeof(T).Name}(...)).");
            TorchRuntime.EnsureLoaded();
            manual_seed(seed);
            try
            {
                return (T)constructor.Invoke(constructor.GetParameters().Select(p => p.DefaultValue).ToArray());
            }
            catch (TargetInvocationException exception) when (exception.InnerException != null)
            {
                ExceptionDispatchInfo.Capture(exception.InnerException).Throw();
                throw;
            }
        }

        /// <summary>Seeds libtorch's generator, then constructs the model with <paramref name="construct"/> (for constructors with arguments).</summary>
        public static T Create<T>(int seed, Func<T> construct) where T : nn.Module
        {
            TorchRuntime.EnsureLoaded();
            manual_seed(seed);
            return construct();
        }
    }
}
