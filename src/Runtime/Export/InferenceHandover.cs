using CnnDsl.Dsl.Binding;
using CnnDsl.Inference;
using CnnDsl.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl
{
    /// <summary>From training to serving in one program: a module's current weights and facts handed to ONNX Runtime.</summary>
    public static class InferenceHandover
    {
        /// <summary>
        /// The model as an <see cref="InferenceModel"/> run by ONNX Runtime, with its current weights (copied: later
        /// training does not change it) and its facts (class names, normalisation, evaluation transforms). The graph is
        /// written in memory from the checked model the module was generated from; nothing touches the disk.
        /// </summary>
        public static InferenceModel ToInference<TModel>(this TModel model, InferenceOptions? options = null) where TModel : nn.Module<Tensor, Tensor>, ICnnModel =>
            model.ToInference(OnnxExport.CheckedModel(model.Info), options);

        /// <summary>A module built from <paramref name="definition"/> (e.g. by <c>RuntimeModule</c>) as an <see cref="InferenceModel"/>.</summary>
        public static InferenceModel ToInference(this nn.Module<Tensor, Tensor> module, BoundModel definition, InferenceOptions? options = null) =>
            InferenceModel.FromWeights(definition, OnnxExport.Weights(module), ModelFacts.Of(module).ToSaved(), "The module's state_dict", options);
    }
}
