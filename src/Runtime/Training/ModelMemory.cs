using System.Collections.Generic;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Training
{
    /// <summary>
    /// What a model remembers between calls without a field of its own (any TorchSharp module can be trained): the loss
    /// and output activation its last <c>Fit</c> used, so that <c>Evaluate</c> and <c>Predict</c> agree with training,
    /// and the class names of the data it was trained on or loaded with.
    /// </summary>
    internal static class ModelMemory
    {
        sealed class Entry
        {
            public Loss? Loss;
            public OutputActivation? Activation;
            public IReadOnlyList<string>? ClassNames;
        }

        static readonly ConditionalWeakTable<nn.Module, Entry> Entries = new();

        public static void RememberTraining(nn.Module model, Loss loss, OutputActivation activation)
        {
            var entry = Entries.GetOrCreateValue(model);
            entry.Loss = loss;
            entry.Activation = activation;
        }

        public static Loss? TrainedLoss(nn.Module model) => Entries.TryGetValue(model, out var e) ? e.Loss : null;

        /// <summary>The activation of the model's outputs: the compiler's word for generated models, else what Fit was told.</summary>
        public static OutputActivation Activation(nn.Module model, OutputActivation? given = null) =>
            given ?? (model as ICnnModel)?.Info.OutputActivation ?? (Entries.TryGetValue(model, out var e) ? e.Activation : null) ?? OutputActivation.None;

        public static IReadOnlyList<string>? ClassNames(nn.Module model) => Entries.TryGetValue(model, out var e) ? e.ClassNames : null;

        public static void SetClassNames(nn.Module model, IReadOnlyList<string>? names) => Entries.GetOrCreateValue(model).ClassNames = names;
    }
}
