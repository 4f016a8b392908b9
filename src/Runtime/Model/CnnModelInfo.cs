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
    public sealed record CnnModelInfo(
        string Name,
        IReadOnlyList<long> InputShape,
        IReadOnlyList<long> OutputShape,
        OutputActivation OutputActivation,
        long ParameterCount,
        long TrainableParameterCount,
        long StateCount,
        string Summary);

    /// <summary>Implemented by every generated model.</summary>
    public interface ICnnModel
    {
        /// <summary>The compile-time facts about this model.</summary>
        CnnModelInfo Info { get; }
    }
}
