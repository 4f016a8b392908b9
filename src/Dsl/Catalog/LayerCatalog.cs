using System.Collections.Generic;
using System.Linq;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>Every layer kind the language knows. The attribute types in CnnDsl.Runtime mirror this list; a test keeps them equal.</summary>
    public static class LayerCatalog
    {
        public static IReadOnlyList<LayerKind> All { get; } = new LayerKind[]
        {
            new ConvLayer(1),
            new ConvLayer(2),
            new ConvLayer(3),
            new PoolLayer(1, isMax: true),
            new PoolLayer(2, isMax: true),
            new PoolLayer(3, isMax: true),
            new PoolLayer(1, isMax: false),
            new PoolLayer(2, isMax: false),
            new PoolLayer(3, isMax: false),
            new GlobalPoolLayer(1, isMax: false),
            new GlobalPoolLayer(2, isMax: false),
            new GlobalPoolLayer(3, isMax: false),
            new GlobalPoolLayer(1, isMax: true),
            new GlobalPoolLayer(2, isMax: true),
            new GlobalPoolLayer(3, isMax: true),
            new AdaptiveAvgPoolLayer(1),
            new AdaptiveAvgPoolLayer(2),
            new AdaptiveAvgPoolLayer(3),
            new ZeroPadLayer(1),
            new ZeroPadLayer(2),
            new ZeroPadLayer(3),
            new FlattenLayer(),
            new DenseLayer(),
            new DropoutLayer(),
            new DropoutLayer(channels: true),
            new BatchNormLayer(1),
            new BatchNormLayer(2),
            new BatchNormLayer(3),
            new GroupNormLayer(),
            new LayerNormLayer(),
            new InstanceNormLayer(1),
            new InstanceNormLayer(2),
            new InstanceNormLayer(3),
            new MergeLayer(MergeKind.Add),
            new MergeLayer(MergeKind.Concat),
            new MergeLayer(MergeKind.Multiply),
            new DepthwiseConvLayer(),
            new SeparableConvLayer(1),
            new SeparableConvLayer(2),
            new ConvTransposeLayer(1),
            new ConvTransposeLayer(2),
            new ConvTransposeLayer(3),
            new UpsampleLayer(),
            new PReLULayer(),
            new StochasticDepthLayer(),
            new RescalingLayer(),
        }.Concat(Activation.All.Select(a => (LayerKind)new ActivationLayer(a))).ToArray();

        static readonly Dictionary<string, LayerKind> ByName = All.ToDictionary(k => k.Name);
        static readonly Dictionary<string, LayerKind> ByAttributeName = All.ToDictionary(k => k.AttributeName);

        public static LayerKind? Find(string name) => ByName.TryGetValue(name, out var kind) ? kind : null;

        public static LayerKind? FindByAttribute(string attributeName) => ByAttributeName.TryGetValue(attributeName, out var kind) ? kind : null;
    }
}
