using System.Collections.Generic;
using System.Linq;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// One entry of the layer catalogue: a layer's syntax (its name and arguments), and through <see cref="Bind"/> its
    /// argument checks, shape rule and parameter count; the <see cref="LayerConfig"/> it returns lowers to the layer's
    /// meaning (<see cref="LayerConfig.Lower"/>: module and forward steps in PyTorch's vocabulary), which the PyTorch
    /// writer and the run-time builder translate. The C# emitter and the ONNX writer still read configurations.
    /// </summary>
    public abstract class LayerKind
    {
        protected LayerKind(string name, string attributeName, string defaultLayerName, string description, params ParameterSpec[] parameters)
        {
            Name = name;
            AttributeName = attributeName;
            DefaultLayerName = defaultLayerName;
            Description = description;
            Parameters = parameters;
        }

        /// <summary>The name in .cnn files, e.g. <c>conv2d</c>.</summary>
        public string Name { get; }

        /// <summary>The attribute class without its suffix, e.g. <c>Conv2d</c> for <c>[Conv2d(...)]</c>.</summary>
        public string AttributeName { get; }

        /// <summary>The name an unnamed layer gets, numbered from the second on as Keras does: <c>conv2d</c>, <c>conv2d_1</c>.</summary>
        public string DefaultLayerName { get; }

        public string Description { get; }

        public IReadOnlyList<ParameterSpec> Parameters { get; }

        public IEnumerable<ParameterSpec> PositionalParameters => Parameters.Where(p => p.Positional);

        /// <summary>The PyTorch and Keras layers it corresponds to.</summary>
        public abstract Equivalents Equivalents { get; }

        /// <summary>Whether its positional arguments name the tensors it combines (<c>add a, b</c>) instead of values.</summary>
        public virtual bool TakesTensorOperands => false;

        /// <summary>Checks the arguments against the incoming shape; returns null after reporting what is wrong.</summary>
        public abstract LayerConfig? Bind(LayerBindingContext context);
    }
}
