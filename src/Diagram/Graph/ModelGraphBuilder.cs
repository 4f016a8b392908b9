using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;

namespace CnnDsl.Diagram.Graph
{
    /// <summary>
    /// Turns a checked model into boxes and arrows. Every arrow is a tensor a layer reads (<see cref="BoundLayer.Inputs"/>):
    /// the previous layer's output, the one named by <c>from=</c>, or the operands of add, concat and multiply.
    /// </summary>
    public sealed class ModelGraphBuilder
    {
        readonly DiagramOptions options;
        readonly List<DiagramNode> nodes = new List<DiagramNode>();
        readonly List<DiagramEdge> edges = new List<DiagramEdge>();
        readonly List<DiagramGroup> groups = new List<DiagramGroup>();

        ModelGraphBuilder(DiagramOptions options)
        {
            this.options = options;
        }

        public static ModelGraph Build(BoundModel model, DiagramOptions? options = null)
        {
            var builder = new ModelGraphBuilder(options ?? DiagramOptions.Default);
            const string inputId = BoundModel.InputTensorName;
            builder.nodes.Add(new DiagramNode(inputId, NodeRole.Input, "input", "", LayerText.Shape(model.InputShape), 0));
            var tensors = new Dictionary<string, string> { [BoundModel.InputTensorName] = inputId };
            builder.AddLayers(model.Layers, "", tensors, group: null);
            var caption = model.Name + ": " + LayerText.Count(model.ParameterCount) + " parameters"
                + (model.SizeVariables.Count > 0 ? ", sizes accepted: " + model.AcceptedSizeRule : "");
            return new ModelGraph(model.Name, caption, builder.nodes.ToEquatableArray(), builder.edges.Distinct().ToEquatableArray(), builder.groups.ToEquatableArray());
        }

        // tensors: each tensor name visible at this level, by the id of the box whose output it is.
        void AddLayers(IReadOnlyList<BoundLayer> layers, string prefix, Dictionary<string, string> tensors, string? group)
        {
            for (int i = 0; i < layers.Count; i++)
            {
                var layer = layers[i];
                int run = options.ExpandBlocks || !options.CollapseRepeats ? 1 : RepeatRun(layers, i);
                if (run >= options.RepeatThreshold)
                {
                    AddRun(layers, i, run, prefix, tensors, group);
                    i += run - 1;
                    continue;
                }
                var id = prefix + layer.Name;
                if (layer.Config is BlockConfig block && options.ExpandBlocks)
                {
                    // The block's layers read its input under the name "input"; what reads the block reads its last layer.
                    var inner = new Dictionary<string, string> { [BoundModel.InputTensorName] = tensors[layer.Inputs[0]] };
                    groups.Add(new DiagramGroup(id, id + ": " + LayerText.Describe(block), group));
                    AddLayers(block.Layers, id + ".", inner, id);
                    tensors[layer.Name] = block.Layers.Count == 0 ? tensors[layer.Inputs[0]] : inner[block.Layers[block.Layers.Count - 1].Name];
                    continue;
                }
                var role = layer.Config is BlockConfig ? NodeRole.Block : layer.Config is MergeConfig ? NodeRole.Merge : NodeRole.Layer;
                nodes.Add(new DiagramNode(id, role, id, LayerText.Describe(layer), LayerText.Shape(layer.OutputShape), layer.Config.Parameters.Constant ?? 0, Group: group));
                foreach (var input in layer.Inputs)
                    edges.Add(new DiagramEdge(tensors[input], id));
                tensors[layer.Name] = id;
            }
        }

        // How many layers from `start` on are uses of one block with equal arguments, each reading only the one before,
        // whose outputs no layer after the chain reads except through its last. Their inputs may differ (each DenseNet
        // layer adds 32 channels; ResNet's first bottleneck of a stage has a downsample branch the others lack).
        static int RepeatRun(IReadOnlyList<BoundLayer> layers, int start)
        {
            if (!(layers[start].Config is BlockConfig first))
                return 1;
            int end = start + 1;
            while (end < layers.Count && layers[end].Config is BlockConfig next && next.BlockName == first.BlockName
                && next.Arguments.Equals(first.Arguments) && layers[end].Inputs.Count == 1 && layers[end].Inputs[0] == layers[end - 1].Name)
                end++;
            var inside = new HashSet<string>(layers.Skip(start).Take(end - start - 1).Select(l => l.Name));
            // A chain whose inner outputs are read elsewhere (a skip over it) ends before the first such output.
            for (int i = end; i < layers.Count; i++)
                foreach (var input in layers[i].Inputs.Where(inside.Contains))
                    end = System.Math.Min(end, layers.Select((l, k) => (l, k)).First(p => p.l.Name == input).k + 1);
            return end - start;
        }

        // features.denseblock1.denselayer6 after features.denseblock1.denselayer1 reads denselayer6: the dotted groups both share go.
        static string WithoutCommonPrefix(string name, string other)
        {
            var parts = name.Split('.');
            var otherParts = other.Split('.');
            int shared = 0;
            while (shared < parts.Length - 1 && shared < otherParts.Length - 1 && parts[shared] == otherParts[shared])
                shared++;
            // A bare index says little: layer3.35, not 35.
            if (shared > 0 && parts.Skip(shared).All(p => p.All(char.IsDigit)))
                shared--;
            return string.Join(".", parts.Skip(shared));
        }

        void AddRun(IReadOnlyList<BoundLayer> layers, int start, int count, string prefix, Dictionary<string, string> tensors, string? group)
        {
            var first = layers[start];
            var last = layers[start + count - 1];
            var id = prefix + first.Name;
            var parameters = layers.Skip(start).Take(count).Sum(l => l.Config.Parameters.Constant ?? 0);
            nodes.Add(new DiagramNode(id, NodeRole.Block, prefix + first.Name + " … " + WithoutCommonPrefix(last.Name, first.Name),
                LayerText.Describe((BlockConfig)first.Config) + " ×" + count, LayerText.Shape(last.OutputShape), parameters, count, group));
            foreach (var input in first.Inputs)
                edges.Add(new DiagramEdge(tensors[input], id));
            foreach (var layer in layers.Skip(start).Take(count))
                tensors[layer.Name] = id;
        }
    }
}
