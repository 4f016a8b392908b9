using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;

namespace CnnDsl.Generator
{
    /// <summary>
    /// Decides the classes a model's blocks become. Every use of a block was checked with its own arguments and
    /// shapes; uses whose layers differ only in numbers share one class, and each number that differs between them
    /// becomes a constructor parameter, named after the block argument or input size it follows where there is one
    /// (<c>BasicBlock(long in_channels, long channels, long stride)</c>).
    /// </summary>
    internal static class BlockPlanner
    {
        static readonly Regex Number = new Regex(@"(?<![A-Za-z_0-9.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", RegexOptions.CultureInvariant);

        public static BlockPlan Plan(IReadOnlyList<BoundLayer> layers, string modelName)
        {
            var uses = new Dictionary<string, List<BlockConfig>>();
            var order = new List<string>();
            Collect(layers, uses, order);
            var plan = new BlockPlan();
            var emitter = new ModuleBodyEmitter(plan);
            var classNames = new CnnDsl.Dsl.Binding.NameRules.BlockClassNames(modelName, layers.Where(l => l.Config.HasModule).Select(l => ModuleBodyEmitter.Field(l.Name)));
            foreach (var blockName in order)
            {
                // Inner blocks come first in this order, so their classes are known when an outer block's layers are written.
                var groups = uses[blockName].Distinct()
                    .GroupBy(use => Signature(use, emitter))
                    .Select(group => group.ToList()).ToList();
                // Classes read as C# types: resnet_basic_block becomes ResnetBasicBlock, numbered when uses need more than one.
                for (int i = 0; i < groups.Count; i++)
                    plan.Add(new BlockClass(classNames.Next(blockName, groups[i][0].Layers.Where(l => l.Config.HasModule).Select(l => ModuleBodyEmitter.Field(l.Name))), blockName, groups[i], emitter));
            }
            return plan;
        }

        static void Collect(IEnumerable<BoundLayer> layers, Dictionary<string, List<BlockConfig>> uses, List<string> order)
        {
            foreach (var layer in layers)
            {
                if (!(layer.Config is BlockConfig use))
                    continue;
                Collect(use.Layers, uses, order);
                if (!uses.TryGetValue(use.BlockName, out var list))
                {
                    uses[use.BlockName] = list = new List<BlockConfig>();
                    order.Add(use.BlockName);
                }
                list.Add(use);
            }
        }

        static string Signature(BlockConfig use, ModuleBodyEmitter emitter) =>
            string.Join("\n", use.Layers.Select(layer =>
                layer.Name + "|" + string.Join(",", layer.Inputs) + "|" + (layer.Config.HasModule ? Number.Replace(emitter.Constructor(layer), "#") : "")
                + "|" + string.Join(";", layer.Config.EmitForward(ModuleBodyEmitter.Field(layer.Name), layer.Inputs))));

        internal static string[] Split(string constructor) => Number.Split(constructor);

        internal static string[] Numbers(string constructor) => Number.Matches(constructor).Cast<Match>().Select(m => m.Value).ToArray();
    }

    internal sealed class BlockPlan
    {
        readonly List<BlockClass> classes = new List<BlockClass>();
        readonly Dictionary<BlockConfig, BlockClass> byUse = new Dictionary<BlockConfig, BlockClass>();

        public IReadOnlyList<BlockClass> Classes => classes;

        public void Add(BlockClass block)
        {
            classes.Add(block);
            foreach (var use in block.Uses)
                byUse[use] = block;
        }

        public BlockClass ClassOf(BlockConfig use) => byUse[use];
    }

    internal sealed class BlockParameter
    {
        public BlockParameter(string name, string type, Dictionary<BlockConfig, string> values)
        {
            Name = name;
            Type = type;
            Values = values;
        }

        public string Name { get; }
        public string Type { get; }
        public Dictionary<BlockConfig, string> Values { get; }

        public string ValueFor(BlockConfig use) => Values[use];
    }

    /// <summary>One generated class for a block: the uses it serves and the constructor parameters where they differ.</summary>
    internal sealed class BlockClass
    {
        readonly Dictionary<int, string> constructors = new Dictionary<int, string>();

        public BlockClass(string name, string blockName, List<BlockConfig> uses, ModuleBodyEmitter emitter)
        {
            Name = name;
            BlockName = blockName;
            Uses = uses;
            var parameters = new List<BlockParameter>();
            var layers = uses[0].Layers;
            for (int i = 0; i < layers.Count; i++)
            {
                if (!layers[i].Config.HasModule)
                    continue;
                var texts = uses.ToDictionary(use => use, use => emitter.Constructor(use.Layers[i]));
                var pieces = BlockPlanner.Split(texts[uses[0]]);
                var numbers = uses.ToDictionary(use => use, use => BlockPlanner.Numbers(texts[use]));
                var result = new System.Text.StringBuilder(pieces[0]);
                for (int j = 0; j < pieces.Length - 1; j++)
                {
                    var values = uses.ToDictionary(use => use, use => numbers[use][j]);
                    if (values.Values.Distinct().Count() == 1)
                        result.Append(values[uses[0]]);
                    else
                        result.Append(ParameterFor(values, layers[i].Name, pieces[j], parameters).Name);
                    result.Append(pieces[j + 1]);
                }
                constructors[i] = result.ToString();
            }
            Parameters = parameters;
        }

        public string Name { get; }
        public string BlockName { get; }
        public List<BlockConfig> Uses { get; }
        public IReadOnlyList<BlockParameter> Parameters { get; }

        public string ConstructorOf(int layerIndex) => constructors[layerIndex];

        // Prefer the block argument that has these values in every use, then the input channels, then the argument label.
        BlockParameter ParameterFor(Dictionary<BlockConfig, string> values, string layer, string before, List<BlockParameter> parameters)
        {
            string? name = null;
            foreach (var argument in Uses[0].Arguments.Select(a => a.Name))
            {
                if (Uses.All(use => SameNumber(use.Arguments.First(a => a.Name == argument).Value, values[use])))
                {
                    name = argument;
                    break;
                }
            }
            if (name == null && Uses.All(use => SameNumber(use.Input[0].ToString(CultureInfo.InvariantCulture), values[use])))
                name = "in_channels";
            if (name == null)
            {
                var label = Regex.Match(before, @"(\w+):\s*\(?[\d\s,]*$");
                name = ModuleBodyEmitter.Field(layer) + "_" + (label.Success ? label.Groups[1].Value : "value");
            }
            if (CnnDsl.Dsl.Names.IsCSharpKeyword(name))
                name = "@" + name;
            var existing = parameters.FirstOrDefault(p => p.Name == name);
            if (existing != null && Uses.All(use => existing.Values[use] == values[use]))
                return existing;
            if (existing != null)
                name = name + "_" + parameters.Count(p => p.Name.StartsWith(name));
            bool isInteger = values.Values.All(v => v.IndexOfAny(new[] { '.', 'e', 'E' }) < 0);
            var parameter = new BlockParameter(name, isInteger ? "long" : "double", values);
            parameters.Add(parameter);
            return parameter;
        }

        static bool SameNumber(string a, string b) =>
            double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
            && double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var y) && x == y;
    }
}
