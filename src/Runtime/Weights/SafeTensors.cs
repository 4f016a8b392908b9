using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Weights
{
    /// <summary>
    /// Reads and writes safetensors files, the format PyTorch and Hugging Face use for state_dicts: an 8-byte
    /// little-endian header length, a JSON header naming each tensor's dtype, shape and byte range, then the raw data.
    /// Every problem in a file is an <see cref="InvalidFileException"/> naming the file and, where it applies, the tensor.
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
        public static IReadOnlyList<(string Name, Tensor Tensor)> Read(string path) => Read(path, out _);

        /// <summary>
        /// Reads every tensor of a file, in the file's order, as CPU tensors. A file this library wrote carries a SHA-256
        /// checksum per tensor in its metadata; a tensor that does not match it is an error, so a damaged file is never
        /// loaded. A file without checksums (written by PyTorch, say) is read with <paramref name="verified"/> false.
        /// </summary>
        public static IReadOnlyList<(string Name, Tensor Tensor)> Read(string path, out bool verified) => Read(path, out verified, out _);

        /// <summary>As <see cref="Read(string, out bool)"/>, with the file's metadata (<c>__metadata__</c>: string to string).</summary>
        public static IReadOnlyList<(string Name, Tensor Tensor)> Read(string path, out bool verified, out IReadOnlyDictionary<string, string> metadataRead)
        {
            long fileLength = new FileInfo(path).Length;
            if (fileLength > Array.MaxLength)
                throw Invalid(path, $"it has {fileLength} bytes, more than the {Array.MaxLength} this reader can hold in memory");
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length < 8)
                throw Invalid(path, $"it has {bytes.Length} bytes, fewer than the 8 of the header length (the file is truncated)");
            long headerLength = BitConverter.ToInt64(bytes, 0);
            if (headerLength < 2 || headerLength > MaxHeaderBytes || 8 + headerLength > bytes.Length)
                throw Invalid(path, $"its header length {headerLength} does not fit in its {bytes.Length} bytes"
                    + (headerLength >= 2 && headerLength <= MaxHeaderBytes ? " (the file is truncated)" : ""));
            var headerBytes = bytes.AsMemory(8, (int)headerLength);
            try
            {
                StrictUtf8.GetCharCount(headerBytes.Span);
            }
            catch (DecoderFallbackException exception)
            {
                throw Invalid(path, $"its header is not UTF-8 (invalid byte at offset {8 + exception.Index} of the file)");
            }
            JsonDocument header;
            try
            {
                header = JsonDocument.Parse(headerBytes);
            }
            catch (JsonException exception)
            {
                throw Invalid(path, "its header is not valid JSON: " + exception.Message);
            }
            long dataStart = 8 + headerLength;
            long dataLength = bytes.Length - dataStart;
            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>();
            using (header)
            {
                if (header.RootElement.ValueKind != JsonValueKind.Object)
                    throw Invalid(path, "its header is not a JSON object");
                var names = new HashSet<string>();
                foreach (var property in header.RootElement.EnumerateObject())
                {
                    if (!names.Add(property.Name))
                        throw Invalid(path, $"its header lists '{property.Name}' twice");
                    if (property.Name == "__metadata__")
                        ReadMetadata(path, property.Value, metadata);
                    else
                        entries.Add(ReadEntry(path, property));
                }
            }
            long expectedBegin = 0;
            foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
            {
                if (entry.Begin != expectedBegin)
                    throw Invalid(path, $"tensor '{entry.Name}' starts at byte {entry.Begin} of the data, but the previous tensor ends at {expectedBegin} (tensors must not overlap or leave gaps)");
                if (entry.End > dataLength)
                    throw Invalid(path, $"tensor '{entry.Name}' ends at byte {entry.End} of the data, past its end at {dataLength} (the file is truncated)");
                expectedBegin = entry.End;
            }
            if (expectedBegin != dataLength)
                throw Invalid(path, $"the tensors cover {expectedBegin} bytes of data, but the file holds {dataLength}");
            verified = Verify(path, entries, metadata, bytes, dataStart);
            metadataRead = metadata;

            var result = new List<(string, Tensor)>();
            foreach (var entry in entries)
            {
                var raw = new ReadOnlySpan<byte>(bytes, (int)(dataStart + entry.Begin), (int)(entry.End - entry.Begin));
                using var flat = FromBytes(raw, DTypes[entry.DType].Type);
                result.Add((entry.Name, flat.reshape(entry.Shape).clone()));
            }
            return result;
        }

        /// <summary>The hex SHA-256 of a text's UTF-8 bytes, as metadata checksums are written.</summary>
        public static string Sha256(string text) =>
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));

        /// <summary>The metadata key that holds a tensor's checksum.</summary>
        public static string ChecksumKey(string tensorName) => ChecksumPrefix + tensorName;

        const string ChecksumPrefix = "cnndsl.sha256.";

        static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        sealed record Entry(string Name, string DType, long[] Shape, long Begin, long End);

        static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
        {
            if (value.ValueKind != JsonValueKind.Object)
                throw Invalid(path, "its \"__metadata__\" is not a JSON object");
            foreach (var property in value.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String)
                    throw Invalid(path, $"its \"__metadata__\" entry '{property.Name}' is {property.Value.GetRawText()}, not a string");
                if (!metadata.TryAdd(property.Name, property.Value.GetString()!))
                    throw Invalid(path, $"its \"__metadata__\" lists '{property.Name}' twice");
            }
        }

        static Entry ReadEntry(string path, JsonProperty property)
        {
            var name = property.Name;
            var value = property.Value;
            if (value.ValueKind != JsonValueKind.Object
                || !value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
                || !value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
                || !value.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array || offsetsElement.GetArrayLength() != 2)
                throw Invalid(path, $"tensor '{name}' needs \"dtype\" (a string), \"shape\" (an array) and \"data_offsets\" (two numbers) in the header, but has {Shorten(value.GetRawText())}");
            var dtype = dtypeElement.GetString()!;
            if (!DTypes.TryGetValue(dtype, out var type))
                throw Invalid(path, $"tensor '{name}' has dtype {dtype}, which is not one of {string.Join(", ", DTypes.Keys)}");
            if (shapeElement.GetArrayLength() > MaxRank)
                throw Invalid(path, $"tensor '{name}' has {shapeElement.GetArrayLength()} dimensions; a tensor has at most {MaxRank}");
            var shape = shapeElement.EnumerateArray().Select(WholeNumber).ToArray();
            if (shape.Any(d => d < 0))
                throw Invalid(path, $"tensor '{name}' has shape {shapeElement.GetRawText()}; sizes must be whole numbers of at least 0");
            var offsets = offsetsElement.EnumerateArray().Select(WholeNumber).ToArray();
            if (offsets.Any(o => o < 0))
                throw Invalid(path, $"tensor '{name}' has data_offsets {offsetsElement.GetRawText()}; offsets must be whole numbers of at least 0");
            long bytes;
            try
            {
                bytes = checked(shape.Aggregate(1L, (a, b) => a * b) * type.Size);
            }
            catch (OverflowException)
            {
                throw Invalid(path, $"tensor '{name}' has shape [{string.Join(", ", shape)}], more elements than a tensor can hold");
            }
            if (offsets[1] < offsets[0] || offsets[1] - offsets[0] != bytes)
                throw Invalid(path, $"tensor '{name}' ({dtype}, shape [{string.Join(", ", shape)}]) needs {bytes} bytes, but its data_offsets [{offsets[0]}, {offsets[1]}] give {offsets[1] - offsets[0]}");
            return new Entry(name, dtype, shape, offsets[0], offsets[1]);
        }

        const int MaxRank = 64;

        // -1 for anything that is not a whole number of at least 0 (a string, null, 1.5, -3, 1e99).
        static long WholeNumber(JsonElement element) =>
            element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var value) && value >= 0 ? value : -1;

        static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "...";

        // With checksums, every tensor has one and every checksum names a tensor: a damaged name or key is refused too.
        static bool Verify(string path, List<Entry> entries, Dictionary<string, string> metadata, byte[] bytes, long dataStart)
        {
            var checksums = metadata.Where(m => m.Key.StartsWith(ChecksumPrefix, StringComparison.Ordinal))
                .ToDictionary(m => m.Key[ChecksumPrefix.Length..], m => m.Value);
            if (checksums.Count == 0)
                return false;
            foreach (var entry in entries)
            {
                if (!checksums.Remove(entry.Name, out var expected))
                    throw Invalid(path, $"tensor '{entry.Name}' has no checksum, though the file's other tensors have (the file is damaged)");
                var actual = Checksum(entry.DType, entry.Shape, new ReadOnlySpan<byte>(bytes, (int)(dataStart + entry.Begin), (int)(entry.End - entry.Begin)));
                if (actual != expected)
                    throw Invalid(path, $"tensor '{entry.Name}' does not match its SHA-256 checksum (the file is damaged)");
            }
            if (checksums.Count > 0)
                throw Invalid(path, $"it has a checksum for '{checksums.Keys.First()}', which is not a tensor of the file (the file is damaged)");
            return true;
        }

        // Covers the tensor's dtype and shape as well as its bytes, so a damaged header entry is caught too.
        static string Checksum(string dtype, long[] shape, ReadOnlySpan<byte> data)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(Encoding.UTF8.GetBytes(dtype + " [" + string.Join(",", shape) + "]\n"));
            hash.AppendData(data);
            return Convert.ToHexStringLower(hash.GetHashAndReset());
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

        /// <summary>
        /// Writes tensors in the given order, atomically: a crash leaves either the old file or the new one. Each tensor's
        /// SHA-256 checksum goes into the metadata, which PyTorch's readers ignore.
        /// </summary>
        public static void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
        {
            var header = new Dictionary<string, object>();
            var allMetadata = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>());
            header["__metadata__"] = allMetadata;
            var blobs = new List<byte[]>();
            long offset = 0;
            foreach (var (name, value) in tensors)
            {
                var dtype = DTypes.FirstOrDefault(d => d.Value.Type == value.dtype).Key
                    ?? throw new ArgumentException($"Tensor '{name}' has dtype {value.dtype}, which safetensors cannot store.");
                using var contiguous = value.detach().cpu().contiguous();
                var data = contiguous.bytes.ToArray();
                header[name] = new Dictionary<string, object> { ["dtype"] = dtype, ["shape"] = value.shape, ["data_offsets"] = new[] { offset, offset + data.Length } };
                allMetadata[ChecksumKey(name)] = Checksum(dtype, value.shape, data);
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

        static InvalidFileException Invalid(string path, string problem) =>
            new(path, $"{path} is not a valid safetensors file: {problem}.");
    }
}
