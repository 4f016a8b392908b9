using System;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnDsl.Training
{
    public enum LossKind
    {
        /// <summary>Cross-entropy with class-index targets (int64) or one-hot / probability targets (float, same shape).</summary>
        CrossEntropy,
        /// <summary>Binary cross-entropy on independent probabilities.</summary>
        BinaryCrossEntropy,
        MeanSquaredError,
        /// <summary>Negative log-likelihood on log-probabilities.</summary>
        NegativeLogLikelihood,
    }

    /// <summary>
    /// A loss that knows what the model's outputs are. Keras takes a softmax output as probabilities; so does this:
    /// cross-entropy then uses their clamped log, while logits use the fused, stabler log-softmax form.
    /// </summary>
    public sealed class Loss
    {
        const float Epsilon = 1e-7f;

        Loss(LossKind kind) => Kind = kind;

        public LossKind Kind { get; }

        public static Loss CrossEntropy { get; } = new Loss(LossKind.CrossEntropy);
        public static Loss BinaryCrossEntropy { get; } = new Loss(LossKind.BinaryCrossEntropy);
        public static Loss MeanSquaredError { get; } = new Loss(LossKind.MeanSquaredError);
        public static Loss NegativeLogLikelihood { get; } = new Loss(LossKind.NegativeLogLikelihood);

        /// <summary>The mean loss of a batch.</summary>
        public Tensor Compute(Tensor output, Tensor target, OutputActivation activation)
        {
            switch (Kind)
            {
                case LossKind.CrossEntropy:
                {
                    // Logits with class indices: the fused kernel, exactly what a hand-written loop calls.
                    if (activation == OutputActivation.None && target.dtype == ScalarType.Int64)
                        return F.cross_entropy(output, target);
                    var logProbabilities = activation switch
                    {
                        OutputActivation.Softmax => output.clamp(Epsilon, 1 - Epsilon).log(),
                        OutputActivation.LogSoftmax => output,
                        OutputActivation.Sigmoid => throw new InvalidOperationException("Cross-entropy needs class scores, but the model ends in sigmoid; use binary cross-entropy."),
                        _ => F.log_softmax(output, 1),
                    };
                    return target.dtype == ScalarType.Int64
                        ? F.nll_loss(logProbabilities, target)
                        : -(target * logProbabilities).sum(1).mean();
                }
                case LossKind.NegativeLogLikelihood:
                    return F.nll_loss(output, target);
                case LossKind.BinaryCrossEntropy:
                {
                    var probabilityTarget = target.to_type(output.dtype).reshape(output.shape);
                    return activation == OutputActivation.Sigmoid
                        ? F.binary_cross_entropy(output.clamp(Epsilon, 1 - Epsilon), probabilityTarget)
                        : F.binary_cross_entropy_with_logits(output, probabilityTarget);
                }
                default:
                    return F.mse_loss(output, target.to_type(output.dtype).reshape(output.shape));
            }
        }

        /// <summary>The number of correct predictions in a batch, as a tensor (no host synchronisation).</summary>
        public Tensor Correct(Tensor output, Tensor target, OutputActivation activation = OutputActivation.None)
        {
            if (Kind == LossKind.BinaryCrossEntropy)
            {
                // Probabilities split at 0.5, logits at 0.
                var threshold = activation == OutputActivation.Sigmoid ? 0.5f : 0f;
                return (output.reshape(target.shape) > threshold).to_type(target.dtype).eq(target).sum();
            }
            if (output.dim() < 2)
                return zeros(1, dtype: ScalarType.Int64, device: output.device).sum();
            var predicted = output.argmax(1);
            var truth = target.dtype == ScalarType.Int64 ? target : target.argmax(1);
            return predicted.eq(truth).sum();
        }

        /// <summary>Whether accuracy means anything for this loss.</summary>
        public bool HasAccuracy => Kind != LossKind.MeanSquaredError;
    }
}
