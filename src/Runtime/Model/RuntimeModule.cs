using System;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Plan;
using CnnDsl.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl
{
    /// <summary>
    /// A module built at run time from a checked model, with no generated code: the same TorchSharp modules under the same
    /// state_dict keys as the generated class, and a forward that walks the model's graph as the generated one does.
    /// For tools that train a .cnn file without a C# project.
    /// </summary>
    public sealed class RuntimeModule : nn.Module<Tensor, Tensor>, IHasFacts
    {
        readonly IReadOnlyList<BoundLayer> layers;
        // By the layer's position: uses of a block with the same arguments may share their bound layers.
        readonly nn.Module<Tensor, Tensor>?[] layerModules;
        // Each layer's plan, lowered once: what the module and its forward are built from.
        readonly LayerPlan[] plans;
        readonly Dictionary<string, Container> groups = new Dictionary<string, Container>();

        /// <summary>Builds the module of a checked model; seed the construction with <c>torch.manual_seed</c> for repeatable weights.</summary>
        public RuntimeModule(BoundModel model)
            : this(model.Name, model.Layers)
        {
            Model = model;
            Facts = new ModelFacts
            {
                Model = model.Name,
                DefinitionHash = model.DefinitionHash,
                InputShape = model.InputShape.Dimensions.Select(d => d.Constant ?? -1).ToArray(),
                OutputActivation = Enum.Parse<OutputActivation>(model.OutputActivation),
            };
        }

        /// <summary>What the model knows beyond its weights (for a block's module: its name only).</summary>
        public ModelFacts Facts { get; set; } = new();

        RuntimeModule(string name, IReadOnlyList<BoundStatement> statements)
            : base(TorchRuntime.Loaded(name))
        {
            layers = statements.Select(s => s as BoundLayer
                ?? throw new NotSupportedException($"A condition in block '{name}' is decided only when its module is built; the run-time builder needs it decided")).ToList();
            layerModules = new nn.Module<Tensor, Tensor>?[layers.Count];
            plans = layers.Select(l => l.Config.Lower()).ToArray();
            for (int i = 0; i < layers.Count; i++)
            {
                if (!layers[i].Config.HasModule)
                    continue;
                layerModules[i] = layers[i].Config is BlockConfig block
                    ? new RuntimeModule(block.ModuleType, block.Statements)
                    : PlanModules.Create(plans[i], layers[i].Name)
                        ?? throw new NotSupportedException($"Layer '{layers[i].Name}' is a {layers[i].Kind} layer ({layers[i].Config.ModuleType}) whose plan has no module to build");
                if (layers[i].Config is not BlockConfig)
                    PlanModules.Initialize(plans[i], layerModules[i]!, layers[i].Name);
                Register(layers[i].Name, layerModules[i]!);
            }
        }

        /// <summary>The checked model this module was built from (null for a block's module).</summary>
        public BoundModel? Model { get; }

        // Dotted names (features.0) become nested containers, so the state_dict keys are those of the generated class.
        void Register(string dotted, nn.Module module)
        {
            var parts = dotted.Split('.');
            if (parts.Length == 1)
            {
                register_module(dotted, module);
                return;
            }
            Container? parent = null;
            for (int i = 0; i < parts.Length - 1; i++)
            {
                var path = string.Join(".", parts.Take(i + 1));
                if (!groups.TryGetValue(path, out var group))
                {
                    group = new Container(parts[i]);
                    groups[path] = group;
                    if (parent == null)
                        register_module(parts[i], group);
                    else
                        parent.Add(parts[i], group);
                }
                parent = group;
            }
            parent!.Add(parts[parts.Length - 1], module);
        }

        sealed class Container : nn.Module<Tensor, Tensor>
        {
            public Container(string name)
                : base(name)
            {
            }

            public void Add(string name, nn.Module module) => register_module(name, module);

            public override Tensor forward(Tensor input) => throw new InvalidOperationException("A group of layers is not called on its own");
        }

        public override Tensor forward(Tensor input)
        {
            if (layers.Count == 0)
                return input.alias();
            using var scope = NewDisposeScope();
            var tensors = new Dictionary<string, Tensor> { [BoundModel.InputTensorName] = input };
            Tensor x = input;
            for (int i = 0; i < layers.Count; i++)
            {
                var inputs = layers[i].Inputs.Select(n => tensors[n]).ToList();
                x = PlanModules.Apply(plans[i], layerModules[i], inputs, layers[i].Name);
                tensors[layers[i].Name] = x;
            }
            return x.MoveToOuterDisposeScope();
        }
    }
}
