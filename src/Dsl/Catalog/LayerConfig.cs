using System.Collections.Generic;
using CnnDsl.Dsl.Binding;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// A checked layer: its resolved arguments, output shape and counts, and the TorchSharp code that builds and calls it.
    /// Plain data with value equality, so generator caching can compare it.
    /// </summary>
    public abstract record LayerConfig
    {
        public abstract TensorShape OutputShape { get; }

        /// <summary>Elements of the layer's parameters, as PyTorch's <c>parameters()</c> counts them.</summary>
        public abstract long Parameters { get; }

        /// <summary>Elements of the layer's buffers (running statistics), which are state but not parameters.</summary>
        public virtual long State => 0;

        /// <summary>The TorchSharp module class, e.g. <c>Conv2d</c> (namespace <c>TorchSharp.Modules</c>).</summary>
        public abstract string ModuleType { get; }

        /// <summary>The fully qualified type of the module field.</summary>
        public virtual string ModuleTypeName => "global::TorchSharp.Modules." + ModuleType;

        /// <summary>The expression that creates the module.</summary>
        public abstract string EmitConstructor();

        /// <summary>The activation applied after the module (<c>activation=</c>), or the activation the layer is.</summary>
        public virtual Activation? Activation => null;

        /// <summary>Whether the layer is a module (a field, a summary row, a state_dict prefix); add and concat are not.</summary>
        public virtual bool HasModule => true;

        /// <summary>
        /// Expressions computing the layer's output in order; <c>$in</c> stands for the value so far (the first input,
        /// then the previous step). The last one applies the activation, if any.
        /// </summary>
        public virtual IReadOnlyList<string> EmitForward(string field, IReadOnlyList<string> inputs)
        {
            var steps = new List<string>();
            AddForwardSteps(steps, field);
            if (Activation != null && !IsActivationLayer)
                steps[steps.Count - 1] = steps[steps.Count - 1] + Activation.TensorMethod(Activation.ParameterDefault);
            return steps;
        }

        protected virtual void AddForwardSteps(List<string> steps, string field) => steps.Add(field + ".call($in)");

        protected virtual bool IsActivationLayer => false;
    }
}
