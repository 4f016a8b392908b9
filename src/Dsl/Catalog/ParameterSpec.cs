namespace CnnDsl.Dsl.Catalog
{
    public enum ParameterType
    {
        /// <summary>A whole number.</summary>
        Integer,
        /// <summary>A real number.</summary>
        Float,
        /// <summary><c>true</c> or <c>false</c>.</summary>
        Boolean,
        /// <summary>One whole number for every spatial dimension, or a tuple with one per dimension.</summary>
        Size,
        /// <summary><c>valid</c>, <c>same</c>, a number, one per dimension, or one per side.</summary>
        Padding,
        /// <summary>An activation name such as <c>relu</c>.</summary>
        Activation,
        /// <summary>One word of a fixed set, such as <c>nearest</c> or <c>bilinear</c>.</summary>
        Choice,
        /// <summary>Any value: a block parameter, checked where the block uses it.</summary>
        Any,
    }

    /// <summary>One argument a layer accepts: its name in .cnn files (snake_case; PascalCase on attributes), type and default.</summary>
    public sealed class ParameterSpec
    {
        public ParameterSpec(string name, ParameterType type, string description, bool required = false, bool positional = false, string? defaultText = null)
        {
            Name = name;
            Type = type;
            Description = description;
            Required = required;
            Positional = positional;
            DefaultText = defaultText;
        }

        public string Name { get; }
        public ParameterType Type { get; }
        public string Description { get; }
        public bool Required { get; }
        /// <summary>Whether it may be given without its name, in the order the layer lists its positional arguments.</summary>
        public bool Positional { get; }
        public string? DefaultText { get; }

        /// <summary>The property or constructor parameter name on the layer's attribute: <c>ceil_mode</c> becomes <c>CeilMode</c>.</summary>
        public string AttributeName => Names.ToPascalCase(Name);
    }
}
