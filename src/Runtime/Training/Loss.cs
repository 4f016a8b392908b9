using System;
using System.Collections.Generic;
using System.Linq;
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
        /// <summary>A loss of the user's own: a subclass of <see cref="Loss"/>.</summary>
        Custom,
    }

    /// <summary>
    /// A loss that knows what the model's outputs are. Keras takes a softmax output as probabilities; so does this:
    /// cross-entropy then uses their clamped log, while logits use the fused, stabler log-softmax form. A loss of one's
    /// own derives from this class: <see cref="Compute"/> gives a batch's mean loss, and <see cref="Probabilities"/>,
    /// <see cref="Correct"/>, <see cref="HasAccuracy"/> and <see cref="TakesClassIndices"/> say what its outputs and
    /// targets mean for Predict, accuracy and the label check.
    /// </summary>
    public class Loss
    {
        const float Epsilon = 1e-7f;

        Loss(LossKind kind, double labelSmoothing = 0, float[]? classWeights = null)
        {
            Kind = kind;
            Name = kind.ToString();
            LabelSmoothing = labelSmoothing;
            ClassWeights = classWeights;
        }

        /// <summary>A loss of the user's own, named for messages and histories.</summary>
        protected Loss(string name)
        {
            Kind = LossKind.Custom;
            Name = name;
        }

        public LossKind Kind { get; }

        public string Name { get; }

        /// <summary>For cross-entropy: the share of each target spread evenly over all classes (PyTorch's and Keras' <c>label_smoothing</c>).</summary>
        public double LabelSmoothing { get; }

        /// <summary>For cross-entropy: a weight per class (PyTorch's <c>weight</c>); the mean is taken over the targets' weights, as PyTorch does.</summary>
        public IReadOnlyList<float>? ClassWeights { get; }

        /// <summary>
        /// Cross-entropy with label smoothing and class weights, as PyTorch's <c>F.cross_entropy(weight=, label_smoothing=)</c>
        /// computes it (on logits, or on a softmax or log-softmax output read as probabilities).
        /// </summary>
        public static Loss CrossEntropyWith(double labelSmoothing = 0, IReadOnlyList<float>? classWeights = null)
        {
            if (!(labelSmoothing >= 0 && labelSmoothing < 1))
                throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "Label smoothing is a share from 0 up to (not including) 1, such as 0.1.");
            if (classWeights != null && (classWeights.Count == 0 || classWeights.Any(w => !(w >= 0) || float.IsInfinity(w))))
                throw new ArgumentException("Class weights are one finite, non-negative number per class.", nameof(classWeights));
            return new Loss(LossKind.CrossEntropy, labelSmoothing, classWeights?.ToArray());
        }

        public static Loss CrossEntropy { get; } = new Loss(LossKind.CrossEntropy);
        public static Loss BinaryCrossEntropy { get; } = new Loss(LossKind.BinaryCrossEntropy);
        public static Loss MeanSquaredError { get; } = new Loss(LossKind.MeanSquaredError);
        public static Loss NegativeLogLikelihood { get; } = new Loss(LossKind.NegativeLogLikelihood);

        /// <summary>The built-in loss of a <see cref="LossKind"/> name (what a model's facts record), or null for another name.</summary>
        public static Loss? Builtin(string name) => name switch
        {
            nameof(LossKind.CrossEntropy) => CrossEntropy,
            nameof(LossKind.BinaryCrossEntropy) => BinaryCrossEntropy,
            nameof(LossKind.MeanSquaredError) => MeanSquaredError,
            nameof(LossKind.NegativeLogLikelihood) => NegativeLogLikelihood,
            _ => null,
        };

        /// <summary>The mean loss of a batch.</summary>
        public virtual Tensor Compute(Tensor output, Tensor target, OutputActivation activation)
        {
            if (Kind == LossKind.Custom)
                throw new NotImplementedException($"The loss '{Name}' derives from Loss but does not override Compute.");
            switch (Kind)
            {
                case LossKind.CrossEntropy when LabelSmoothing > 0 || ClassWeights != null:
                {
                    if (ClassWeights != null && output.dim() >= 2 && output.shape[1] != ClassWeights.Count)
                        throw new ArgumentException($"The loss has {ClassWeights.Count} class weights, but the model gives {output.shape[1]} class scores; give one weight per class.");
                    // cross_entropy applies log_softmax, which leaves log-probabilities as they are.
                    var scores = activation switch
                    {
                        OutputActivation.Softmax => output.clamp(Epsilon, 1 - Epsilon).log(),
                        OutputActivation.Sigmoid => throw new InvalidOperationException("Cross-entropy needs class scores, but the model ends in sigmoid; use binary cross-entropy."),
                        _ => output,
                    };
                    using var weight = ClassWeights == null ? null : tensor(ClassWeights.ToArray(), device: output.device).to_type(output.dtype);
                    return F.cross_entropy(scores, target, weight, label_smoothing: LabelSmoothing);
                }
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
        public virtual Tensor Correct(Tensor output, Tensor target, OutputActivation activation = OutputActivation.None)
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
        public virtual bool HasAccuracy => Kind != LossKind.MeanSquaredError;

        /// <summary>Whether targets are class indices, checked against the model's number of classes before training.</summary>
        public virtual bool TakesClassIndices => Kind is LossKind.CrossEntropy or LossKind.NegativeLogLikelihood;

        /// <summary>
        /// What Predict returns for the model's outputs: outputs that are already probabilities as they are,
        /// log-probabilities exponentiated, logits through softmax (sigmoid for binary cross-entropy), regression outputs raw.
        /// </summary>
        public virtual Tensor Probabilities(Tensor output, OutputActivation activation) => activation switch
        {
            OutputActivation.Softmax or OutputActivation.Sigmoid => output,
            OutputActivation.LogSoftmax => output.exp(),
            _ when Kind == LossKind.MeanSquaredError => output,
            _ when Kind == LossKind.BinaryCrossEntropy || output.dim() < 2 => output.sigmoid(),
            _ => output.softmax(1),
        };
    }
}
