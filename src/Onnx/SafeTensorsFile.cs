using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace CnnDsl.Onnx
{
    /// <summary>
    /// Reads the float tensors of a safetensors file (8-byte little-endian header length, a JSON header, then the data)
    /// without libtorch, for exporting trained weights. Integer tensors (batch norm's batch counter) are skipped: ONNX
    /// inference does not use them.
    /// </summary>
    public static class SafeTensorsFile
    {
        public static IReadOnlyDictionary<string, WeightTensor> ReadFloats(string path) => ReadFloats(path, out _);

        /// <summary>The float tensors and the file's metadata (<c>__metadata__</c>, string to string; empty when it has none).</summary>
        public static IReadOnlyDictionary<string, WeightTensor> ReadFloats(string path, out IReadOnlyDictionary<string, string> metadata)
        {
            var found = new Dictionary<string, string>();
            metadata = found;
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new OnnxExportException($"Cannot read the weights file '{path}': {e.Message}");
            }
            if (bytes.Length < 8)
                throw Invalid(path, $"it has {bytes.Length} bytes, fewer than the 8-byte header length");
            long headerLength = BitConverter.ToInt64(bytes, 0);
            if (headerLength <= 0 || headerLength > bytes.Length - 8)
                throw Invalid(path, $"its header length {headerLength} does not fit in its {bytes.Length} bytes");
            JsonElement header;
            try
            {
                // JsonDocument rather than the serializer: no reflection, so a trimmed application reads weights as well.
                using var document = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
                header = document.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw Invalid(path, "its header is not JSON (" + e.Message + ")");
            }
            if (header.ValueKind != JsonValueKind.Object)
                throw Invalid(path, "its header is not a JSON object");
            long dataStart = 8 + headerLength;
            var result = new Dictionary<string, WeightTensor>();
            foreach (var entry in header.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    if (entry.Value.ValueKind == JsonValueKind.Object)
                        foreach (var item in entry.Value.EnumerateObject().Where(i => i.Value.ValueKind == JsonValueKind.String))
                            found[item.Name] = item.Value.GetString()!;
                    continue;
                }
                var value = entry.Value;
                if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty("dtype", out var dtype) || !value.TryGetProperty("shape", out var shapeElement)
                    || !value.TryGetProperty("data_offsets", out var offsetsElement) || shapeElement.ValueKind != JsonValueKind.Array || offsetsElement.ValueKind != JsonValueKind.Array)
                    throw Invalid(path, $"tensor '{entry.Name}' needs \"dtype\", \"shape\" and \"data_offsets\" in the header");
                if (dtype.GetString() != "F32")
                    continue;
                var shape = shapeElement.EnumerateArray().Select(d => d.GetInt64()).ToArray();
                var offsets = offsetsElement.EnumerateArray().Select(d => d.GetInt64()).ToArray();
                long count = shape.Aggregate(1L, (a, b) => checked(a * b));
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] - offsets[0] != count * 4 || dataStart + offsets[1] > bytes.Length)
                    throw Invalid(path, $"tensor '{entry.Name}' (shape [{string.Join(", ", shape)}]) has data_offsets [{string.Join(", ", offsets)}] that do not hold {count * 4} bytes inside the file");
                var values = MemoryMarshal.Cast<byte, float>(bytes.AsSpan((int)(dataStart + offsets[0]), (int)(count * 4))).ToArray();
                result[entry.Name] = new WeightTensor(shape, values);
            }
            return result;
        }

        static OnnxExportException Invalid(string path, string problem) => new OnnxExportException($"'{path}' is not a valid safetensors file: {problem}");
    }
}
