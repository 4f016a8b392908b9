using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using Google.Protobuf;
using global::Onnx;

namespace CnnDsl.Onnx
{
    /// <summary>A graph being written: nodes in order, initializers, and value names kept unique.</summary>
    internal sealed class OnnxGraph
    {
        readonly HashSet<string> names = new HashSet<string>();

        public GraphProto Proto { get; } = new GraphProto();

        /// <summary>A value name not used yet, close to the wanted one.</summary>
        public string Fresh(string wanted)
        {
            var name = wanted;
            for (int i = 1; !names.Add(name); i++)
                name = wanted + "_" + i;
            return name;
        }

        public void Reserve(string name) => names.Add(name);

        /// <summary>Adds a node and returns its (first) output's name.</summary>
        public string Node(string op, string outputName, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
            NodeWithOutput(op, Fresh(outputName), inputs, attributes);

        /// <summary>Adds a node whose output has exactly this (reserved) name, such as the graph's output.</summary>
        public string NodeWithOutput(string op, string output, IEnumerable<string> inputs, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = op, Name = Fresh("node:" + output) };
            node.Input.AddRange(inputs);
            node.Output.Add(output);
            node.Attribute.AddRange(attributes);
            Proto.Node.Add(node);
            return output;
        }

        public string Node(string op, string outputName, string input, params AttributeProto[] attributes) => Node(op, outputName, new[] { input }, attributes);

        public void Initializer(string name, WeightTensor tensor)
        {
            names.Add(name);
            var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            proto.Dims.AddRange(tensor.Shape);
            proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(tensor.Values.AsSpan()));
            Proto.Initializer.Add(proto);
        }

        public static TensorProto FloatTensor(float value)
        {
            var proto = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float };
            proto.Dims.Add(1);
            proto.FloatData.Add(value);
            return proto;
        }

        public string FloatConstant(string wanted, float value)
        {
            var name = Fresh(wanted);
            Initializer(name, new WeightTensor(new long[0], new[] { value }));
            return name;
        }

        public string Int64Constant(string wanted, long[] values)
        {
            var name = Fresh(wanted);
            var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
            proto.Dims.Add(values.Length);
            proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
            Proto.Initializer.Add(proto);
            return name;
        }

        public static AttributeProto Ints(string name, IEnumerable<long> values)
        {
            var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            attribute.Ints.AddRange(values);
            return attribute;
        }

        public static AttributeProto Int(string name, long value) => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

        public static AttributeProto Float(string name, float value) => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

        public static AttributeProto String(string name, string value) =>
            new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

        /// <summary>A float tensor value: the batch dimension and the input's size variables as named dimensions, numbers as values, other sizes left open.</summary>
        public static ValueInfoProto FloatValue(string name, IEnumerable<(long? Value, string? Parameter)> dimensions)
        {
            var shape = new TensorShapeProto();
            foreach (var (value, parameter) in dimensions)
            {
                var dimension = new TensorShapeProto.Types.Dimension();
                if (value != null)
                    dimension.DimValue = value.Value;
                else if (parameter != null)
                    dimension.DimParam = parameter;
                shape.Dim.Add(dimension);
            }
            var type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } };
            return new ValueInfoProto { Name = name, Type = type };
        }

        public static IEnumerable<long> Repeat(long value, int count) => Enumerable.Repeat(value, count);
    }
}
