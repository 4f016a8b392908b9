using System.Collections.Generic;

namespace CnnDsl
{
    /// <summary>
    /// A layer of a model by its name (its state_dict prefix, e.g. <c>conv2d_1</c> or <c>layer4.1.conv2</c>) and its
    /// output shape for one sample (without the batch dimension; -1 where the size depends on the input's size variables). Generated
    /// models offer one per layer, so a misspelt layer is a compile error rather than a run-time one.
    /// <paramref name="Activation"/> names an activation the model's forward applies after the layer's module (e.g.
    /// <c>relu</c> for <c>conv2d 32, activation=relu</c>), so that outputs by handle are the layer's outputs as Keras
    /// defines them.
    /// </summary>
    public sealed record LayerHandle(string Name, IReadOnlyList<long> OutputShape, string? Activation = null)
    {
        public override string ToString() => $"{Name} ({string.Join(", ", OutputShape)})";
    }
}
