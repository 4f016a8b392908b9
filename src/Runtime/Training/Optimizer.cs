using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnDsl.Training
{
    /// <summary>Which optimizer to train with and its settings; <see cref="Create"/> builds it for a model's parameters.</summary>
    public sealed record OptimizerSpec(string Name, double LearningRate, double Momentum = 0, double WeightDecay = 0)
    {
        public static OptimizerSpec Adam(double learningRate = 1e-3, double weightDecay = 0) => new("Adam", learningRate, WeightDecay: weightDecay);
        public static OptimizerSpec RMSprop(double learningRate = 1e-3) => new("RMSprop", learningRate);
        public static OptimizerSpec Sgd(double learningRate = 1e-2, double momentum = 0, double weightDecay = 0) => new("SGD", learningRate, momentum, weightDecay);

        public optim.Optimizer Create(IEnumerable<Parameter> parameters) => Name switch
        {
            "Adam" => optim.Adam(parameters, LearningRate, weight_decay: WeightDecay),
            // Keras' RMSprop defaults: rho 0.9, epsilon 1e-7.
            "RMSprop" => optim.RMSProp(parameters, LearningRate, alpha: 0.9, eps: 1e-7),
            _ => optim.SGD(parameters, LearningRate, Momentum, weight_decay: WeightDecay),
        };
    }
}
