using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Training
{
    /// <summary>
    /// Checks class-index labels against the model's number of classes before training, so that a wrong label is an
    /// error naming the label, the sample and the class count instead of libtorch's "Target 7 is out of bounds".
    /// </summary>
    internal static class Labels
    {
        public static void Check(nn.Module<Tensor, Tensor> model, IBatchSource data, Loss loss, string what)
        {
            if (!loss.TakesClassIndices)
                return;
            var labels = data.Labels;
            if (labels == null || labels.Length == 0)
                return;
            long classes = ClassCount(model, data);
            for (int i = 0; i < labels.Length; i++)
            {
                long label = labels[i];
                if (label < 0 || label >= classes)
                    throw new ArgumentException($"Sample {i} of the {what} has label {label}, but {model.GetName()} has {classes} classes (labels 0 to {classes - 1}). "
                        + (label < 0 ? "Labels are class indices from 0." : $"Fix the labels, or give the model's last layer at least {label + 1} outputs."));
            }
        }

        /// <summary>
        /// Class indices mean class names: data whose classes are not the model's (or the training data's) would be scored
        /// against shifted labels. An error naming the classes missing and extra, and the fix.
        /// </summary>
        public static void CheckSameClasses(IReadOnlyList<string>? expected, string expectedWhat, IBatchSource data, string what)
        {
            var actual = data.ClassNames;
            if (expected == null || actual == null || expected.SequenceEqual(actual))
                return;
            var missing = expected.Except(actual).ToList();
            var extra = actual.Except(expected).ToList();
            string List(List<string> names) => string.Join(", ", names.Take(10).Select(n => "'" + n + "'")) + (names.Count > 10 ? $" and {names.Count - 10} more" : "");
            var differences = new[]
            {
                missing.Count > 0 ? $"it lacks {List(missing)}" : null,
                extra.Count > 0 ? $"it has {List(extra)}, which {expectedWhat} does not" : null,
                missing.Count == 0 && extra.Count == 0 ? "its classes are in another order" : null,
            }.Where(d => d != null);
            string fix = data is ImageFolder folder
                ? $"open it with the same classes, new ImageFolder(\"{folder.Root}\", classNames: ...ClassNames), which numbers its folders by those names, or give both folders the same class folders"
                : "give it the same classes in the same order";
            throw new ArgumentException($"The {what}'s classes are not those of {expectedWhat}: {string.Join("; ", differences)}. "
                + $"Class indices follow the class names, so its labels would be scored against other classes; {fix}.");
        }

        /// <summary>The size of the model's class dimension: the compiler's output shape, else one sample's output.</summary>
        public static long ClassCount(nn.Module<Tensor, Tensor> model, IBatchSource data)
        {
            if (model is ICnnModel { Info.OutputShape.Count: 1 } cnn)
                return cnn.Info.OutputShape[0];
            // Any other module: one sample through it in eval mode (no dropout, so the random state is untouched).
            bool wasTraining = model.training;
            model.eval();
            try
            {
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                var (x, _) = data.GetBatch(new long[] { 0 }, new BatchContext(Training: false, Seed: 0, Epoch: 0));
                var device = model.parameters().FirstOrDefault()?.device ?? CPU;
                var output = model.call(x.to(device));
                return output.dim() >= 2 ? output.shape[1] : 1;
            }
            finally
            {
                model.train(wasTraining);
            }
        }
    }
}
