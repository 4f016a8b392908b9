using System;
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
