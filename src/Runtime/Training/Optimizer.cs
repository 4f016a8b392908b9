using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CnnDsl.Training
{
    /// <summary>
    /// Which optimizer to train with and its settings; <see cref="Create(nn.Module)"/> builds it for a model's trainable
    /// parameters. <see cref="WithLearningRate"/> gives the parameters under a layer-name prefix their own learning rate
    /// (e.g. a backbone at 1e-4 under a head at 1e-3).
    /// </summary>
    public sealed record OptimizerSpec(string Name, double LearningRate, double Momentum = 0, double WeightDecay = 0)
    {
        /// <summary>The optimizer names <see cref="Create(nn.Module)"/> knows.</summary>
        public static IReadOnlyList<string> Names { get; } = new[] { "Adam", "AdamW", "RMSprop", "SGD" };

        const string CustomName = "Custom";

        /// <summary>One of <see cref="Names"/>; any other name is an error here, not a silent fallback to another optimizer.</summary>
        public string Name { get; init; } = Names.Contains(Name) || Name == CustomName ? Name : throw Unknown(Name);

        /// <summary>For SGD with momentum: Nesterov's momentum, as PyTorch's <c>nesterov=True</c>.</summary>
        public bool Nesterov { get; init; }

        Func<IReadOnlyList<(double LearningRate, IReadOnlyList<Parameter> Parameters)>, optim.Optimizer>? factory;

        /// <summary>
        /// An optimizer of the user's own, built by <paramref name="factory"/> from the trainable parameters in groups, each
        /// with its learning rate (the default group first, then one per <see cref="WithLearningRate"/> prefix), e.g.
        /// <c>groups => optim.Adamax(groups.Select(g => new Adamax.ParamGroup(g.Parameters, lr: g.LearningRate)))</c>.
        /// </summary>
        public static OptimizerSpec Custom(double learningRate, Func<IReadOnlyList<(double LearningRate, IReadOnlyList<Parameter> Parameters)>, optim.Optimizer> factory) =>
            new(CustomName, learningRate) { factory = factory ?? throw new ArgumentNullException(nameof(factory)) };

        static ArgumentException Unknown(string name) =>
            new ArgumentException($"Unknown optimizer '{name}'; use one of {string.Join(", ", Names)}"
                + (Names.FirstOrDefault(n => n.Equals(name, StringComparison.OrdinalIgnoreCase)) is string close ? $" (names are case-sensitive: '{close}')." : "."), nameof(Name));

        public static OptimizerSpec Adam(double learningRate = 1e-3, double weightDecay = 0) => new("Adam", learningRate, WeightDecay: weightDecay);
        /// <summary>Adam with decoupled weight decay; PyTorch's default decay is 0.01.</summary>
        public static OptimizerSpec AdamW(double learningRate = 1e-3, double weightDecay = 0.01) => new("AdamW", learningRate, WeightDecay: weightDecay);
        public static OptimizerSpec RMSprop(double learningRate = 1e-3) => new("RMSprop", learningRate);
        public static OptimizerSpec Sgd(double learningRate = 1e-2, double momentum = 0, double weightDecay = 0, bool nesterov = false)
        {
            if (nesterov && !(momentum > 0))
                throw new ArgumentException("Nesterov momentum needs a momentum above 0, as in PyTorch.", nameof(nesterov));
            return new("SGD", learningRate, momentum, weightDecay) { Nesterov = nesterov };
        }

        /// <summary>Learning rates for the parameters under a layer-name prefix; the rest train at <see cref="LearningRate"/>.</summary>
        public IReadOnlyList<(string Prefix, double LearningRate)> Groups { get; init; } = Array.Empty<(string, double)>();

        /// <summary>The same optimizer with the parameters whose names start with <paramref name="prefix"/> trained at <paramref name="learningRate"/>.</summary>
        public OptimizerSpec WithLearningRate(string prefix, double learningRate) =>
            this with { Groups = Groups.Append((prefix, learningRate)).ToArray() };

        /// <summary>Builds the optimizer for the model's trainable parameters (frozen ones are left out), one group per prefix.</summary>
        public optim.Optimizer Create(nn.Module model)
        {
            var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
            if (trainable.Count == 0)
                throw new InvalidOperationException($"{model.GetName()} has no trainable parameters (all are frozen); unfreeze some with model.Unfreeze(\"prefix\").");
            var groups = new List<(double LearningRate, List<Parameter> Parameters)>();
            var rest = new List<Parameter>();
            var byPrefix = Groups.Select(g => (g.Prefix, g.LearningRate, Parameters: new List<Parameter>())).ToList();
            foreach (var g in byPrefix)
                if (!model.named_parameters().Any(p => Freezing.Matches(p.name, g.Prefix)))
                    throw new ArgumentException($"The learning-rate group '{g.Prefix}' matches no parameter of {model.GetName()}; "
                        + $"its parameters are named {Freezing.DescribeNames(model)}.");
            foreach (var (name, parameter) in trainable)
            {
                var group = byPrefix.FirstOrDefault(g => Freezing.Matches(name, g.Prefix));
                (group.Parameters ?? rest).Add(parameter);
            }
            // The default group first: the learning rate that History and the schedulers read is the first group's.
            if (rest.Count > 0)
                groups.Add((LearningRate, rest));
            groups.AddRange(byPrefix.Where(g => g.Parameters.Count > 0).Select(g => (g.LearningRate, g.Parameters)));
            return Build(groups);
        }

        /// <summary>Builds the optimizer for the given parameters, all at <see cref="LearningRate"/>.</summary>
        public optim.Optimizer Create(IEnumerable<Parameter> parameters) => Build(new List<(double, List<Parameter>)> { (LearningRate, parameters.ToList()) });

        optim.Optimizer Build(List<(double LearningRate, List<Parameter> Parameters)> groups) => Name switch
        {
            CustomName => factory!(groups.Select(g => (g.LearningRate, (IReadOnlyList<Parameter>)g.Parameters)).ToList())
                ?? throw new InvalidOperationException("The custom optimizer's factory returned null."),
            "Adam" => optim.Adam(groups.Select(g => new Adam.ParamGroup(g.Parameters, lr: g.LearningRate, weight_decay: WeightDecay)), LearningRate, weight_decay: WeightDecay),
            "AdamW" => optim.AdamW(groups.Select(g => new AdamW.ParamGroup(g.Parameters, lr: g.LearningRate, weight_decay: WeightDecay)), LearningRate, weight_decay: WeightDecay),
            // Keras' RMSprop defaults: rho 0.9, epsilon 1e-7.
            "RMSprop" => optim.RMSProp(groups.Select(g => new RMSProp.ParamGroup(g.Parameters, lr: g.LearningRate, alpha: 0.9, eps: 1e-7)), LearningRate, alpha: 0.9, eps: 1e-7),
            "SGD" => optim.SGD(groups.Select(g => new SGD.ParamGroup(g.Parameters, lr: g.LearningRate, momentum: Momentum, weight_decay: WeightDecay, nesterov: Nesterov)), LearningRate, Momentum, weight_decay: WeightDecay, nesterov: Nesterov),
            _ => throw Unknown(Name),
        };
    }
}
