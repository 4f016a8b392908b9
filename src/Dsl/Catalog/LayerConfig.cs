using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// A checked layer as plain data: its resolved arguments (numbers, or expressions over a block's parameters), output
    /// shape and counts. Value equality lets generator caching compare it. What it means is its plan (<see cref="Lower"/>).
    /// </summary>
    public abstract record LayerConfig
    {
        public abstract TensorShape OutputShape { get; }

        /// <summary>Elements of the layer's parameters, as PyTorch's <c>parameters()</c> counts them.</summary>
        public abstract Expr Parameters { get; }

        /// <summary>Elements of the layer's buffers (running statistics), which are state but not parameters.</summary>
        public virtual Expr State => Exprs.Zero;

        /// <summary>The module's type as the summary shows it, e.g. <c>Conv2d</c>.</summary>
        public abstract string ModuleType { get; }

        /// <summary>The activation applied after the module (<c>activation=</c>), or the activation the layer is.</summary>
        public virtual Activation? Activation => null;

        /// <summary>Whether the layer is a module (a field, a summary row, a state_dict prefix); add and concat are not.</summary>
        public virtual bool HasModule => true;

        /// <summary>
        /// What the layer means, in PyTorch's vocabulary: the module it owns (or none) and the steps of its forward pass.
        /// Back ends translate it; a block use lowers to nothing of its own (back ends walk its layers).
        /// </summary>
        public abstract LayerPlan Lower();
    }
}
