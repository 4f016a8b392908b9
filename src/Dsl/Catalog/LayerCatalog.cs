using System.Collections.Generic;
using System.Linq;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>Every layer kind the language knows. The attribute types in CnnDsl.Runtime mirror this list; a test keeps them equal.</summary>
    public static class LayerCatalog
    {
        public static IReadOnlyList<LayerKind> All { get; } = new LayerKind[]
        {
            new Conv2dLayer(),
            new Pool2dLayer(isMax: true),
            new Pool2dLayer(isMax: false),
            new FlattenLayer(),
            new DenseLayer(),
            new DropoutLayer(),
            new BatchNormLayer(1),
            new BatchNormLayer(2),
        }.Concat(Activation.All.Select(a => (LayerKind)new ActivationLayer(a))).ToArray();

        static readonly Dictionary<string, LayerKind> ByName = All.ToDictionary(k => k.Name);
        static readonly Dictionary<string, LayerKind> ByAttributeName = All.ToDictionary(k => k.AttributeName);

        public static LayerKind? Find(string name) => ByName.TryGetValue(name, out var kind) ? kind : null;

        public static LayerKind? FindByAttribute(string attributeName) => ByAttributeName.TryGetValue(attributeName, out var kind) ? kind : null;

        public static string? Suggest(string name) => Names.ClosestMatch(name, All.Select(k => k.Name));
    }
}
