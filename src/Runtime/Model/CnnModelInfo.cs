using System.Collections.Generic;

namespace CnnDsl
{
    /// <summary>Facts about a generated model, all computed by the compiler.</summary>
    /// <param name="Name">The model's name.</param>
    /// <param name="InputShape">One sample's shape, without the batch dimension (C, H, W for images).</param>
    /// <param name="OutputShape">One sample's output shape, without the batch dimension.</param>
    /// <param name="OutputActivation">The activation of the last layer.</param>
    /// <param name="ParameterCount">Elements of all parameters, as PyTorch's <c>parameters()</c> counts them.</param>
    /// <param name="TrainableParameterCount">Elements of the parameters that are trained.</param>
    /// <param name="StateCount">Elements of buffers (batch-norm running statistics), never trained.</param>
    /// <param name="Summary">The summary table in Keras' layout.</param>
    /// <param name="InputShapeText">The input shape as written, with size variables: <c>(3, H, W)</c>; null for a fixed shape.</param>
    /// <param name="AcceptedSizeRule">The sizes the model accepts, in the .cnn language's notation.</param>
    /// <param name="MinimumInputSize">The smallest accepted value of each size variable.</param>
    /// <param name="SizeVariableDimensions">Which dimensions of <see cref="InputShape"/> (marked -1) are variables, in order.</param>
    /// <param name="Accepts">Whether the model accepts these values of its size variables.</param>
    /// <param name="CnnSource">The checked model and the project blocks it uses, written back in the .cnn language by the compiler.</param>
    /// <param name="DefinitionHash">What identifies the model's definition (<c>sha256:</c> and hex digits), as the tools compute it for the same file.</param>
    public sealed record CnnModelInfo(
        string Name,
        IReadOnlyList<long> InputShape,
        IReadOnlyList<long> OutputShape,
        OutputActivation OutputActivation,
        long ParameterCount,
        long TrainableParameterCount,
        long StateCount,
        string Summary,
        string? InputShapeText = null,
        string AcceptedSizeRule = "any size",
        IReadOnlyList<long>? MinimumInputSize = null,
        IReadOnlyList<int>? SizeVariableDimensions = null,
        System.Func<IReadOnlyList<long>, bool>? Accepts = null,
        string? CnnSource = null,
        string? DefinitionHash = null)
    {
        /// <summary>Whether some input sizes are variables (<c>input 3xHxW</c>).</summary>
        public bool HasSizeVariables => SizeVariableDimensions != null && SizeVariableDimensions.Count > 0;
    }

    /// <summary>Implemented by every generated model.</summary>
    public interface ICnnModel : IHasFacts
    {
        /// <summary>The compile-time facts about this model.</summary>
        CnnModelInfo Info { get; }
    }
}
