using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Symbolic;
using Google.Protobuf;
using global::Onnx;

namespace CnnDsl.Onnx
{
    /// <summary>
    /// Writes a checked model and its weights as an ONNX model (opset 17, IR version 8) for inference: the batch
    /// dimension is dynamic and named <c>batch</c>, the input's size variables are named dimensions, and the weights are
    /// initializers under their state_dict keys. The graph is written from the bound model, layer by layer, with the
    /// semantics of the generated TorchSharp module in eval mode.
    /// </summary>
    public static class OnnxExporter
    {
        public const int Opset = 17;
        public const int IrVersion = 8;
        public const string InputName = "input";
        public const string OutputName = "output";
        public const string BatchDimension = "batch";

        /// <param name="metadata">Written as the model's <c>metadata_props</c> (ONNX Runtime's <c>custom_metadata_map</c>), e.g. the model's facts.</param>
        public static ModelProto Export(BoundModel model, IReadOnlyDictionary<string, WeightTensor> weights, string weightsSource = "The weights",
            IReadOnlyDictionary<string, string>? metadata = null)
        {
            ModelWeights.CheckFits(model, weights, weightsSource);
            var graph = new OnnxGraph();
            graph.Proto.Name = model.Name;
            graph.Reserve(InputName);
            graph.Reserve(OutputName);
            graph.Proto.Input.Add(OnnxGraph.FloatValue(InputName, Dimensions(model.InputShape)));
            var writer = new LayerWriter(graph, weights);
            var last = writer.Write(model.Layers, "", new Dictionary<string, string> { [BoundModel.InputTensorName] = InputName });
            graph.NodeWithOutput("Identity", OutputName, new[] { last });
            graph.Proto.Output.Add(OnnxGraph.FloatValue(OutputName, Dimensions(model.OutputShape)));

            var proto = new ModelProto
            {
                IrVersion = IrVersion,
                ProducerName = "CnnDsl",
                Domain = "cnndsl",
                ModelVersion = 1,
                DocString = model.Name + ": input " + model.InputShape + " (sizes accepted: " + model.AcceptedSizeRule + ")",
                Graph = graph.Proto,
            };
            proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
            foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
                proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
            return proto;
        }

        public static byte[] ExportBytes(BoundModel model, IReadOnlyDictionary<string, WeightTensor> weights, string weightsSource = "The weights",
            IReadOnlyDictionary<string, string>? metadata = null) =>
            Export(model, weights, weightsSource, metadata).ToByteArray();

        /// <summary>Writes the file through a temporary beside it, so an interrupted export leaves no half-written file.</summary>
        public static void ExportFile(BoundModel model, IReadOnlyDictionary<string, WeightTensor> weights, string path, string weightsSource = "The weights",
            IReadOnlyDictionary<string, string>? metadata = null)
        {
            var proto = Export(model, weights, weightsSource, metadata);
            var full = Path.GetFullPath(path);
            var temporary = full + ".tmp-" + Guid.NewGuid().ToString("N");
            try
            {
                using (var stream = File.Create(temporary))
                    proto.WriteTo(stream);
                File.Move(temporary, full, overwrite: true);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                if (File.Exists(temporary))
                    File.Delete(temporary);
                throw new OnnxExportException($"Cannot write '{path}': {e.Message}");
            }
        }

        static IEnumerable<(long?, string?)> Dimensions(TensorShape shape) =>
            new (long?, string?)[] { (null, BatchDimension) }.Concat(shape.Dimensions.Select(d => d switch
            {
                IntExpr i => ((long?)i.Value, (string?)null),
                VarExpr v => (null, v.Name),
                _ => ((long?)null, (string?)null),
            }));
    }
}
