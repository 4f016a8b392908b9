using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;

namespace CnnDsl.Generator
{
    /// <summary>
    /// What a model and a block class share: a typed field per layer, their construction and registration, and a
    /// forward that threads one value <c>x</c> through the layers, keeping a variable for each tensor read again later.
    /// </summary>
    internal sealed class ModuleBodyEmitter
    {
        const string Tensor = "global::TorchSharp.torch.Tensor";
        readonly BlockPlan blocks;

        public ModuleBodyEmitter(BlockPlan blocks) => this.blocks = blocks;

        public static string Field(string layer) => layer.Replace('.', '_');

        static string Variable(string tensor) => tensor == BoundModel.InputTensorName ? "input" : Field(tensor) + "_out";

        public void WriteFields(SourceWriter writer, IReadOnlyList<BoundLayer> layers)
        {
            foreach (var layer in layers.Where(l => l.Config.HasModule))
                writer.WriteLine("private readonly " + TypeName(layer) + " " + Field(layer.Name) + ";");
        }

        string TypeName(BoundLayer layer) => layer.Config is BlockConfig use ? blocks.ClassOf(use).Name : layer.Config.ModuleTypeName;

        /// <summary>Creates each layer (in a block class, with the class's parameters where uses differ) and registers them.</summary>
        public void WriteConstruction(SourceWriter writer, IReadOnlyList<BoundLayer> layers, BlockClass? use)
        {
            for (int i = 0; i < layers.Count; i++)
            {
                var layer = layers[i];
                if (!layer.Config.HasModule)
                    continue;
                var constructor = use == null ? Constructor(layer) : use.ConstructorOf(i);
                writer.WriteLine(Field(layer.Name) + " = " + constructor + ";");
            }
            WriteRegistration(writer, layers);
        }

        /// <summary>The expression creating a layer's module for one use; for a block, the call to its class.</summary>
        public string Constructor(BoundLayer layer)
        {
            if (!(layer.Config is BlockConfig config))
                return layer.Config.EmitConstructor();
            var block = blocks.ClassOf(config);
            return "new " + block.Name + "(" + string.Join(", ", block.Parameters.Select(p => p.Name + ": " + p.ValueFor(config))) + ")";
        }

        public void WriteForwardBody(SourceWriter writer, IReadOnlyList<BoundLayer> layers)
        {
            if (layers.Count == 0)
            {
                writer.WriteLine("return input.alias();");
                return;
            }
            writer.WriteLine("using var scope = global::TorchSharp.torch.NewDisposeScope();");
            // x carries the value from layer to layer; a tensor read again later by name keeps a variable of its own.
            var namedLater = new HashSet<string>(layers.SelectMany((layer, i) =>
                layer.Inputs.Where(input => i == 0 || input != layers[i - 1].Name)));
            string previous = BoundModel.InputTensorName;
            bool declared = false;
            foreach (var layer in layers)
            {
                var inputs = layer.Inputs.Select(input => input == previous ? (declared ? "x" : "input") : Variable(input)).ToList();
                var steps = layer.Config.EmitForward(Field(layer.Name), inputs);
                for (int i = 0; i < steps.Count; i++)
                {
                    var expression = steps[i].Replace("$in", i == 0 ? inputs[0] : "x");
                    writer.WriteLine((declared ? "x = " : "var x = ") + expression + ";");
                    declared = true;
                }
                if (namedLater.Contains(layer.Name))
                    writer.WriteLine("var " + Variable(layer.Name) + " = x;");
                previous = layer.Name;
            }
            writer.WriteLine("return x.MoveToOuterDisposeScope();");
        }

        public void WriteBlockClass(SourceWriter writer, BlockClass block)
        {
            var layers = block.Uses[0].Layers;
            writer.WriteLine("/// <summary>The block <c>" + block.BlockName + "</c>, one instance per use.</summary>");
            writer.OpenBlock("public sealed class " + block.Name + " : global::TorchSharp.torch.nn.Module<" + Tensor + ", " + Tensor + ">");
            WriteFields(writer, layers);
            writer.WriteLine();
            writer.WriteLine("public " + block.Name + "(" + string.Join(", ", block.Parameters.Select(p => p.Type + " " + p.Name)) + ")");
            writer.Indent();
            writer.WriteLine(": base(nameof(" + block.Name + "))");
            writer.Unindent();
            writer.OpenBlock("");
            WriteConstruction(writer, layers, block);
            writer.CloseBlock();
            writer.WriteLine();
            writer.OpenBlock("public override " + Tensor + " forward(" + Tensor + " input)");
            WriteForwardBody(writer, layers);
            writer.CloseBlock();
            writer.CloseBlock();
        }

        /// <summary>
        /// Plain module lists register their fields with RegisterComponents. Dotted names (features.0) become nested
        /// Sequentials registered by hand, so the state_dict keys are PyTorch's while forward still calls each layer
        /// through its own typed field.
        /// </summary>
        static void WriteRegistration(SourceWriter writer, IReadOnlyList<BoundLayer> layers)
        {
            var modules = layers.Where(l => l.Config.HasModule).ToList();
            if (!modules.Any(l => l.Name.Contains('.')))
            {
                writer.WriteLine("RegisterComponents();");
                return;
            }
            var root = new Group();
            foreach (var layer in modules)
            {
                var group = root;
                var parts = layer.Name.Split('.');
                foreach (var part in parts.Take(parts.Length - 1))
                    group = group.Child(part);
                group.Members.Add((parts[parts.Length - 1], null, Field(layer.Name)));
            }
            foreach (var (name, group, field) in root.Members)
            {
                if (group == null)
                {
                    writer.WriteLine("register_module(\"" + name + "\", " + field + ");");
                    continue;
                }
                writer.WriteLine("register_module(\"" + name + "\", " + "global::TorchSharp.torch.nn.Sequential(");
                writer.Indent();
                WriteSequentialMembers(writer, group, "));");
                writer.Unindent();
            }
        }

        static void WriteSequentialMembers(SourceWriter writer, Group group, string close)
        {
            for (int i = 0; i < group.Members.Count; i++)
            {
                var (name, child, field) = group.Members[i];
                var end = i == group.Members.Count - 1 ? close : ",";
                if (child == null)
                {
                    writer.WriteLine("(\"" + name + "\", " + field + ")" + end);
                    continue;
                }
                writer.WriteLine("(\"" + name + "\", global::TorchSharp.torch.nn.Sequential(");
                writer.Indent();
                WriteSequentialMembers(writer, child, "))" + end);
                writer.Unindent();
            }
        }

        sealed class Group
        {
            public List<(string Name, Group? Group, string? Field)> Members { get; } = new List<(string, Group?, string?)>();

            public Group Child(string name)
            {
                foreach (var member in Members)
                    if (member.Name == name && member.Group != null)
                        return member.Group;
                var child = new Group();
                Members.Add((name, child, null));
                return child;
            }
        }
    }
}
