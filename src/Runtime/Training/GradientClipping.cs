using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnDsl.Training
{
    /// <summary>
    /// Gradient clipping as PyTorch 1.13 computes it, with tensors only: the global norm and the scale stay on the device,
    /// so a step never waits for it (TorchSharp's <c>clip_grad_norm_</c> returns the norm as a number, which would).
    /// </summary>
    internal static class GradientClipping
    {
        public static void Clip(IReadOnlyList<Parameter> parameters, double? maxNorm, double? maxValue)
        {
            var gradients = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
            if (gradients.Count == 0)
                return;
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            if (maxValue is double value)
            {
                foreach (var gradient in gradients)
                    gradient.clamp_(-value, value);
            }
            if (maxNorm is double norm)
            {
                // total = ||(||g1||, ||g2||, ...)||; each gradient times min(1, max / (total + 1e-6)), as torch.nn.utils.clip_grad_norm_.
                var total = stack(gradients.Select(g => g.norm()).ToArray()).norm();
                var scale = (norm / (total + 1e-6)).clamp_max(1.0);
                foreach (var gradient in gradients)
                    gradient.mul_(scale.to(gradient.device));
            }
        }
    }
}
