using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Weights
{
    /// <summary>
    /// Reads and writes safetensors files, the format PyTorch and Hugging Face use for state_dicts: an 8-byte
    /// little-endian header length, a JSON header naming each tensor's dtype, shape and byte range, then the raw data.
    /// Every problem in a file is an <see cref="InvalidDataException"/> naming the file and, where it applies, the tensor.
    /// </summary>
    public static class SafeTensors
    {
        const long MaxHeaderBytes = 100L * 1024 * 1024;

        static readonly Dictionary<string, (ScalarType Type, int Size)> DTypes = new()
        {
            ["F64"] = (ScalarType.Float64, 8),
            ["F32"] = (ScalarType.Float32, 4),
            ["F16"] = (ScalarType.Float16, 2),
            ["BF16"] = (ScalarType.BFloat16, 2),
            ["I64"] = (ScalarType.Int64, 8),
            ["I32"] = (ScalarType.Int32, 4),
            ["I16"] = (ScalarType.Int16, 2),
            ["I8"] = (ScalarType.Int8, 1),
            ["U8"] = (ScalarType.Byte, 1),
            ["BOOL"] = (ScalarType.Bool, 1),
        };

        /// <summary>Reads every tensor of a file, in the file's order, as CPU tensors.</summary>
        public static IReadOnlyList<(string Name, Tensor Tensor)> Read(string path)
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length < 8)
                throw Invalid(path, $"it has {bytes.Length} bytes, fewer than the 8 of the header length");
            long headerLength = BitConverter.ToInt64(bytes, 0);
            if (headerLength < 2 || headerLength > MaxHeaderBytes || 8 + headerLength > bytes.Length)
                throw Invalid(path, $"its header length {headerLength} does not fit in its {bytes.Length} bytes");
            JsonDocument header;
            try
            {
                header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
            }
            catch (JsonException exception)
            {
                throw Invalid(path, "its header is not valid JSON: " + exception.Message);
            }
            long dataStart = 8 + headerLength;
            long dataLength = bytes.Length - dataStart;
            var entries = new List<(string Name, ScalarType Type, long[] Shape, long Begin, long End)>();
            using (header)
            {
                if (header.RootElement.ValueKind != JsonValueKind.Object)
                    throw Invalid(path, "its header is not a JSON object");
                foreach (var property in header.RootElement.EnumerateObject())
                {
                    if (property.Name == "__metadata__")
                        continue;
                    entries.Add(ReadEntry(path, property));
                }
            }
            long expectedBegin = 0;
            foreach (var entry in entries.OrderBy(e => e.Begin))
            {
                if (entry.Begin != expectedBegin)
                    throw Invalid(path, $"tensor '{entry.Name}' starts at byte {entry.Begin} of the data, but the previous tensor ends at {expectedBegin} (tensors must not overlap or leave gaps)");
                if (entry.End > dataLength)
                    throw Invalid(path, $"tensor '{entry.Name}' ends at byte {entry.End} of the data, past its end at {dataLength} (the file is truncated)");
                expectedBegin = entry.End;
            }
            if (expectedBegin != dataLength)
                throw Invalid(path, $"the tensors cover {expectedBegin} bytes of data, but the file holds {dataLength}");

            var result = new List<(string, Tensor)>();
            foreach (var (name, type, shape, begin, end) in entries)
            {
                var raw = new ReadOnlySpan<byte>(bytes, (int)(dataStart + begin), (int)(end - begin));
                using var flat = FromBytes(raw, type);
                result.Add((name, flat.reshape(shape).clone()));
            }
            return result;
        }

        static (string, ScalarType, long[], long, long) ReadEntry(string path, JsonProperty property)
        {
            var name = property.Name;
            var value = property.Value;
            if (value.ValueKind != JsonValueKind.Object
                || !value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
                || !value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
                || !value.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array || offsetsElement.GetArrayLength() != 2)
                throw Invalid(path, $"tensor '{name}' needs \"dtype\", \"shape\" and two \"data_offsets\" in the header");
            var dtype = dtypeElement.GetString()!;
            if (!DTypes.TryGetValue(dtype, out var type))
                throw Invalid(path, $"tensor '{name}' has dtype {dtype}, which is not one of {string.Join(", ", DTypes.Keys)}");
            var shape = shapeElement.EnumerateArray().Select(d => d.TryGetInt64(out var size) && size >= 0 ? size : -1).ToArray();
            if (shape.Any(d => d < 0))
                throw Invalid(path, $"tensor '{name}' has shape {shapeElement.GetRawText()}; sizes must be whole numbers of at least 0");
            var offsets = offsetsElement.EnumerateArray().Select(o => o.TryGetInt64(out var offset) ? offset : -1).ToArray();
            long elements = shape.Aggregate(1L, (a, b) => a * b);
            if (offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] - offsets[0] != elements * type.Size)
                throw Invalid(path, $"tensor '{name}' ({dtype}, shape [{string.Join(", ", shape)}]) needs {elements * type.Size} bytes, but its data_offsets [{offsets[0]}, {offsets[1]}] give {offsets[1] - offsets[0]}");
            return (name, type.Type, shape, offsets[0], offsets[1]);
        }

        // The data is little-endian, as is every platform .NET and libtorch run on here.
        static Tensor FromBytes(ReadOnlySpan<byte> raw, ScalarType type) => type switch
        {
            ScalarType.Float64 => tensor(MemoryMarshal.Cast<byte, double>(raw).ToArray()),
            ScalarType.Float32 => tensor(MemoryMarshal.Cast<byte, float>(raw).ToArray()),
            ScalarType.Float16 => tensor(MemoryMarshal.Cast<byte, Half>(raw).ToArray().Select(h => (float)h).ToArray()).to(ScalarType.Float16),
            ScalarType.BFloat16 => tensor(MemoryMarshal.Cast<byte, ushort>(raw).ToArray().Select(b => BitConverter.Int32BitsToSingle(b << 16)).ToArray()).to(ScalarType.BFloat16),
            ScalarType.Int64 => tensor(MemoryMarshal.Cast<byte, long>(raw).ToArray()),
            ScalarType.Int32 => tensor(MemoryMarshal.Cast<byte, int>(raw).ToArray()),
            ScalarType.Int16 => tensor(MemoryMarshal.Cast<byte, short>(raw).ToArray()),
            ScalarType.Int8 => tensor(MemoryMarshal.Cast<byte, sbyte>(raw).ToArray()),
            ScalarType.Bool => tensor(raw.ToArray().Select(b => b != 0).ToArray()),
            _ => tensor(raw.ToArray()),
        };

        /// <summary>Writes tensors in the given order, atomically: a crash leaves either the old file or the new one.</summary>
        public static void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
        {
            var header = new Dictionary<string, object>();
            if (metadata != null && metadata.Count > 0)
                header["__metadata__"] = metadata;
            var blobs = new List<byte[]>();
            long offset = 0;
            foreach (var (name, value) in tensors)
            {
                var dtype = DTypes.FirstOrDefault(d => d.Value.Type == value.dtype).Key
                    ?? throw new ArgumentException($"Tensor '{name}' has dtype {value.dtype}, which safetensors cannot store.");
                using var contiguous = value.detach().cpu().contiguous();
                var data = contiguous.bytes.ToArray();
                header[name] = new Dictionary<string, object> { ["dtype"] = dtype, ["shape"] = value.shape, ["data_offsets"] = new[] { offset, offset + data.Length } };
                blobs.Add(data);
                offset += data.Length;
            }
            var json = JsonSerializer.SerializeToUtf8Bytes(header);
            // The header is padded with spaces to a multiple of 8 bytes, as the format's own writer does.
            int padded = (json.Length + 7) / 8 * 8;
            AtomicFile.Write(path, stream =>
            {
                stream.Write(BitConverter.GetBytes((long)padded));
                stream.Write(json);
                for (int i = json.Length; i < padded; i++)
                    stream.WriteByte((byte)' ');
                foreach (var blob in blobs)
                    stream.Write(blob);
            });
        }

        static InvalidDataException Invalid(string path, string problem) =>
            new InvalidDataException($"{path} is not a valid safetensors file: {problem}.");
    }
}
