using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using CnnDsl.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Training
{
    /// <summary>
    /// Weights in TorchSharp's format and training checkpoints, written atomically with a SHA-256 checksum, and loaded
    /// with errors that name the file and what is wrong with it or what does not fit.
    /// </summary>
    public static class Checkpoints
    {
        // Appended after TorchSharp's own data, which TorchSharp's reader stops before: the file stays loadable by
        // TorchSharp's Module.load, and a damaged one is refused here.
        static readonly byte[] ChecksumMagic = Encoding.ASCII.GetBytes("CNNDSL-SHA256");
        const int HashBytes = 32;

        /// <summary>
        /// Saves the weights (TorchSharp's format), then the model's facts (<see cref="ModelFacts"/>: class names,
        /// normalisation, the loss it was trained with), then a SHA-256 checksum of both, so that a crash leaves the
        /// previous file intact and damage is found when loading. TorchSharp's <c>load</c> still reads the weights.
        /// </summary>
        public static void SaveWeights(this nn.Module model, string path)
        {
            var facts = Encoding.UTF8.GetBytes(ModelFacts.Of(model).ToJson());
            AtomicFile.Write(path, stream =>
            {
                using var hashing = new HashingStream(stream);
                // TorchSharp's save(Stream) closes the stream; the writer overload leaves it open for the checksum.
                using (var writer = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true))
                {
                    model.save(writer);
                    writer.Write(FactsMagic);
                    writer.Write(facts.Length);
                    writer.Write(facts);
                }
                stream.Write(ChecksumMagic);
                stream.Write(hashing.Hash());
            });
            // A names file left beside the weights by an earlier version would describe other weights.
            ClassNameFile.Delete(path);
        }

        static readonly byte[] FactsMagic = Encoding.ASCII.GetBytes("CNNDSL-FACTS");

        /// <summary>
        /// Loads weights saved by <see cref="SaveWeights"/> (or TorchSharp's <c>save</c>, which writes no checksum). A
        /// file that does not fit the model is an error naming the first mismatching key and both shapes (or element
        /// types), or the missing and unexpected keys, and so are weights saved from another model or another definition
        /// of it (naming both); a damaged or truncated file is an <see cref="InvalidFileException"/>. The file is checked
        /// before TorchSharp reads any of it, so the model is left unchanged. The model then has the file's facts.
        /// </summary>
        public static void LoadWeights(this nn.Module model, string path)
        {
            if (ClassNameFile.IsSafeTensors(path))
                throw new ArgumentException($"{path} is a safetensors file; load it with model.LoadSafeTensors(\"{path}\") "
                    + "(LoadWeights reads TorchSharp's format, which SaveWeights writes).", nameof(path));
            ModelFacts? saved;
            using (var stream = File.OpenRead(path))
            using (var reader = new BinaryReader(stream, Encoding.UTF8))
            {
                var keys = ReadKeys(reader, path);
                saved = VerifyTrailer(stream, path);
                CheckSameModel(model, saved, path, () => CheckFits(model, keys, path));
                stream.Position = 0;
                model.load(reader);
            }
            var facts = ModelFacts.Of(model);
            ModelFacts.Set(model, saved != null ? facts.WithTrainingFactsOf(saved) : ClassNameFile.Load(path) is { } names ? facts with { ClassNames = names } : facts);
        }

        /// <summary>
        /// Weights saved from another model, or another definition of it, are an error naming both, with what
        /// <paramref name="checkKeys"/> finds wrong with the tensors, if anything.
        /// </summary>
        internal static void CheckSameModel(nn.Module model, ModelFacts? saved, string path, Action? checkKeys = null)
        {
            var facts = ModelFacts.Of(model);
            var difference = saved == null ? null : facts.DifferenceFrom(saved);
            if (difference == null)
            {
                checkKeys?.Invoke();
                return;
            }
            string tensors = "";
            try
            {
                checkKeys?.Invoke();
            }
            catch (WeightsMismatchException exception)
            {
                tensors = " The tensors differ too: " + exception.Message;
            }
            throw new WeightsMismatchException($"{path} does not fit {facts.Model}: {difference}.{tensors} Load them into {saved!.Model}, "
                + "or load part of them (LoadSafeTensors with strict: false or skip:) to start from them.");
        }

        // After ReadKeys the stream stands at the end of TorchSharp's data: either the file ends there (as TorchSharp
        // writes it), or the checksum follows (an earlier version), or the facts and then the checksum; anything else
        // means damage. Returns the facts, if any.
        static ModelFacts? VerifyTrailer(Stream stream, string path)
        {
            long end = stream.Position;
            long rest = stream.Length - end;
            if (rest == 0)
                return null;
            string damaged = $"{path} has {rest} bytes after its last tensor, which are not CnnDsl's facts and checksum (the file is damaged).";
            ModelFacts? facts = null;
            long hashedEnd = end;
            var head = new byte[FactsMagic.Length];
            if (rest > FactsMagic.Length + 4 + ChecksumMagic.Length + HashBytes)
            {
                stream.ReadExactly(head);
                if (head.AsSpan().SequenceEqual(FactsMagic))
                {
                    var lengthBytes = new byte[4];
                    stream.ReadExactly(lengthBytes);
                    int length = BitConverter.ToInt32(lengthBytes);
                    if (length < 0 || length > stream.Length - stream.Position - ChecksumMagic.Length - HashBytes)
                        throw new InvalidFileException(path, damaged);
                    var json = new byte[length];
                    stream.ReadExactly(json);
                    hashedEnd = stream.Position;
                    facts = ModelFacts.FromJson(Encoding.UTF8.GetString(json), path);
                }
                else
                {
                    stream.Position = end;
                }
            }
            var trailer = new byte[ChecksumMagic.Length + HashBytes];
            if (stream.Length - hashedEnd != trailer.Length)
                throw new InvalidFileException(path, damaged);
            stream.ReadExactly(trailer);
            if (!trailer.AsSpan(0, ChecksumMagic.Length).SequenceEqual(ChecksumMagic))
                throw new InvalidFileException(path, damaged);
            stream.Position = 0;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[(int)Math.Min(1 << 20, Math.Max(1, hashedEnd))];
            for (long left = hashedEnd; left > 0;)
            {
                int read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                hash.AppendData(buffer, 0, read);
                left -= read;
            }
            if (!hash.GetHashAndReset().AsSpan().SequenceEqual(trailer.AsSpan(ChecksumMagic.Length)))
                throw new InvalidFileException(path, $"{path} does not match its SHA-256 checksum (the file is damaged).");
            return facts;
        }

        static void CheckFits(nn.Module model, IReadOnlyList<StoredTensor> file, string path)
        {
            var expected = model.state_dict();
            foreach (var stored in file)
            {
                if (!expected.TryGetValue(stored.Key, out var tensor))
                    continue;
                if (!tensor.shape.SequenceEqual(stored.Shape))
                    throw new WeightsMismatchException($"{path}: '{stored.Key}' has shape [{string.Join(", ", stored.Shape)}] in the file but [{string.Join(", ", tensor.shape)}] in the model.");
                if (tensor.dtype != stored.Type)
                    throw new WeightsMismatchException($"{path}: '{stored.Key}' is {stored.Type} in the file but {tensor.dtype} in the model.");
            }
            var keys = file.Select(f => f.Key).ToList();
            var missing = expected.Keys.Except(keys).ToList();
            var unexpected = keys.Except(expected.Keys).ToList();
            string List(List<string> names) => string.Join(", ", names.Take(5).Select(n => $"'{n}'")) + (names.Count > 5 ? $" and {names.Count - 5} more" : "");
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new WeightsMismatchException($"{path} does not fit the model: "
                    + string.Join("; ", new[]
                    {
                        missing.Count > 0 ? $"the model's {List(missing)} {(missing.Count == 1 ? "is" : "are")} missing from the file" : null,
                        unexpected.Count > 0 ? $"the file's {List(unexpected)} {(unexpected.Count == 1 ? "is" : "are")} not in the model" : null,
                    }.Where(s => s != null)) + ".");
        }

        /// <summary>The keys, shapes and element types in a TorchSharp weights file, read without loading the data.</summary>
        public static IReadOnlyList<StoredTensor> ReadKeys(string path)
        {
            using var stream = File.OpenRead(path);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            return ReadKeys(reader, path);
        }

        static readonly Dictionary<long, int> ElementSizes = new()
        {
            [0] = 1, [1] = 1, [2] = 2, [3] = 4, [4] = 8, [5] = 2, [6] = 4, [7] = 8, [8] = 4, [9] = 8, [10] = 16, [11] = 1, [15] = 2,
        };

        // TorchSharp's format (Module.save): a LEB128 count, then per entry a length-prefixed UTF-8 name, a LEB128
        // element type, a LEB128 rank, LEB128 dimensions, then the raw data. Leaves the stream after the last entry.
        static IReadOnlyList<StoredTensor> ReadKeys(BinaryReader reader, string path)
        {
            var result = new List<StoredTensor>();
            string where = "its tensor count";
            try
            {
                long count = ReadLeb128(reader, path);
                if (count < 0 || count > 1_000_000)
                    throw new InvalidFileException(path, $"{path} is not a TorchSharp weights file (it claims {count} tensors).");
                for (long i = 0; i < count; i++)
                {
                    where = $"the name of entry {i}";
                    long length = ReadLeb128(reader, path);
                    if (length < 0 || length > 65536)
                        throw new InvalidFileException(path, $"{path} is not a TorchSharp weights file (entry {i} has a {length}-byte name).");
                    var name = reader.ReadBytes((int)length);
                    if (name.Length < length)
                        throw new EndOfStreamException();
                    var key = Encoding.UTF8.GetString(name);
                    where = $"the header of '{key}'";
                    long type = ReadLeb128(reader, path);
                    long rank = ReadLeb128(reader, path);
                    if (rank < 0 || rank > 64)
                        throw new InvalidFileException(path, $"{path}: '{key}' has rank {rank}; the file is damaged or not a TorchSharp weights file.");
                    var shape = new long[rank];
                    for (int d = 0; d < shape.Length; d++)
                        if ((shape[d] = ReadLeb128(reader, path)) < 0)
                            throw new InvalidFileException(path, $"{path}: '{key}' has a negative size in its shape; the file is damaged or not a TorchSharp weights file.");
                    if (!ElementSizes.TryGetValue(type, out int size))
                        throw new InvalidFileException(path, $"{path}: '{key}' has element type {type}, which TorchSharp's format does not define.");
                    long bytes;
                    try
                    {
                        bytes = checked(shape.Aggregate(1L, (a, b) => a * b) * size);
                    }
                    catch (OverflowException)
                    {
                        throw new InvalidFileException(path, $"{path}: '{key}' has shape [{string.Join(", ", shape)}], more elements than a tensor can hold; the file is damaged.");
                    }
                    if (bytes > reader.BaseStream.Length - reader.BaseStream.Position)
                        throw new InvalidFileException(path, $"{path} ends inside the data of '{key}' (the file is truncated).");
                    reader.BaseStream.Seek(bytes, SeekOrigin.Current);
                    result.Add(new StoredTensor(key, shape, (ScalarType)type));
                }
            }
            catch (EndOfStreamException)
            {
                throw new InvalidFileException(path, $"{path} ends inside {where} (the file is truncated or not a TorchSharp weights file).");
            }
            return result;
        }

        static long ReadLeb128(BinaryReader reader, string path)
        {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                byte b = reader.ReadByte();
                result |= (long)(b & 0x7f) << shift;
                if ((b & 0x80) == 0)
                    return result;
            }
            throw new InvalidFileException(path, $"{path} has a malformed length at byte {reader.BaseStream.Position}; the file is damaged or not a TorchSharp weights file.");
        }

        const string LegacyCheckpointMagic = "CNNDSL-CHECKPOINT-1";
        const string PreviousCheckpointMagic = "CNNDSL-CHECKPOINT-2";
        const string CheckpointMagic = "CNNDSL-CHECKPOINT-3";

        /// <summary>
        /// Saves everything needed to resume training: weights, optimizer state, the epochs done, the random number
        /// generator's state, the seed and the state of the given callbacks, in one file written atomically and ending in
        /// a SHA-256 checksum. Each part is length-prefixed, so a truncated file says which part it ends in.
        /// </summary>
        public static void SaveTrainingCheckpoint(string path, nn.Module model, optim.Optimizer optimizer, int epochsDone, int? seed,
            IReadOnlyList<Callback>? callbacks = null)
        {
            AtomicFile.Write(path, stream =>
            {
                using var hashing = new HashingStream(stream);
                using (var writer = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true))
                {
                    writer.Write(CheckpointMagic);
                    writer.Write(epochsDone);
                    writer.Write(seed.HasValue);
                    writer.Write(seed ?? 0);
                    using (var rng = random.get_rng_state())
                    {
                        var rngBytes = rng.bytes.ToArray();
                        writer.Write(rngBytes.Length);
                        writer.Write(rngBytes);
                    }
                    WriteSection(writer, w => model.save(w));
                    WriteSection(writer, w => ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(w));
                    callbacks ??= Array.Empty<Callback>();
                    writer.Write(callbacks.Count);
                    foreach (var callback in callbacks)
                    {
                        writer.Write(callback.GetType().FullName ?? callback.GetType().Name);
                        WriteSection(writer, callback.SaveState);
                    }
                    writer.Write(ModelFacts.Of(model).ToJson());
                }
                stream.Write(hashing.Hash());
            });
        }

        // A part is held in memory only until its length is known: one part at a time, never the whole file.
        static void WriteSection(BinaryWriter writer, Action<BinaryWriter> write)
        {
            using var section = new MemoryStream();
            using (var sectionWriter = new BinaryWriter(section, Encoding.UTF8, leaveOpen: true))
                write(sectionWriter);
            writer.Write(section.Length);
            writer.Write(section.GetBuffer(), 0, (int)section.Length);
        }

        /// <summary>
        /// Restores a training checkpoint into a model and optimizer of the same shape, and into the callbacks if given
        /// (each takes the saved state of its type, in order); returns the epochs done and the seed.
        /// A truncated or damaged file is an <see cref="InvalidFileException"/> naming the file and the part at fault,
        /// raised before the model, optimizer or callbacks change.
        /// </summary>
        public static (int EpochsDone, int? Seed) LoadTrainingCheckpoint(string path, nn.Module model, optim.Optimizer optimizer,
            IReadOnlyList<Callback>? callbacks = null)
        {
            long length = new FileInfo(path).Length;
            if (length > Array.MaxLength)
                throw new InvalidFileException(path, $"{path} has {length} bytes, more than a training checkpoint read into memory may hold.");
            var parts = ParseCheckpoint(path, File.ReadAllBytes(path));
            var savedFacts = parts.Facts == null ? null : ModelFacts.FromJson(parts.Facts, path);

            using (var state = random.get_rng_state())
                if (parts.Rng.Count != state.shape[0])
                    throw new InvalidFileException(path, $"{path}: its random generator state has {parts.Rng.Count} bytes, but libtorch's CPU generator has {state.shape[0]} (the file is damaged or from another libtorch).");
            using (var weights = new BinaryReader(Open(parts.Weights), Encoding.UTF8))
            {
                var keys = ReadKeys(weights, path);
                CheckSameModel(model, savedFacts, path, () => CheckFits(model, keys, path));
                weights.BaseStream.Position = 0;
                model.load(weights);
            }
            LoadSection(path, "optimizer state", parts.Optimizer, reader => ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(reader),
                $"the {optimizer.GetType().Name} optimizer given");
            using (var state = tensor(parts.Rng.ToArray()))
                random.set_rng_state(state);
            // Each callback takes the next saved state of its own type, so the same callbacks in the same order resume
            // exactly; a callback added since starts afresh, and the state of one left out is ignored.
            if (callbacks != null && parts.Callbacks != null)
            {
                var saved = parts.Callbacks.ToList();
                foreach (var callback in callbacks)
                {
                    var type = callback.GetType().FullName ?? callback.GetType().Name;
                    int index = saved.FindIndex(c => c.Type == type);
                    if (index < 0)
                        continue;
                    LoadSection(path, $"state of callback {callback.GetType().Name}", saved[index].State, callback.LoadState, "this callback");
                    saved.RemoveAt(index);
                }
            }
            if (savedFacts != null)
                ModelFacts.Set(model, ModelFacts.Of(model).WithTrainingFactsOf(savedFacts));
            return (parts.EpochsDone, parts.HasSeed ? parts.Seed : null);
        }

        static string ShortName(string typeName) => typeName[(typeName.LastIndexOf('.') + 1)..];

        // A part that its reader does not consume exactly, or that it cannot read, does not belong to its reader.
        static void LoadSection(string path, string what, ArraySegment<byte> bytes, Action<BinaryReader> load, string reader)
        {
            using var stream = Open(bytes);
            using var binary = new BinaryReader(stream, Encoding.UTF8);
            try
            {
                load(binary);
            }
            catch (Exception exception) when (exception is not InvalidFileException and not OutOfMemoryException)
            {
                throw new InvalidFileException(path, $"{path}: its {what} cannot be read by {reader}: {exception.Message}", exception);
            }
            if (stream.Position != stream.Length)
                throw new InvalidFileException(path, $"{path}: its {what} ({stream.Length} bytes) does not fit {reader}, which read {stream.Position} of them.");
        }

        static MemoryStream Open(ArraySegment<byte> bytes) => new(bytes.Array!, bytes.Offset, bytes.Count, writable: false);

        // Parts are views of the file's bytes, read once into memory.
        sealed record CheckpointParts(int EpochsDone, bool HasSeed, int Seed, ArraySegment<byte> Rng, ArraySegment<byte> Weights, ArraySegment<byte> Optimizer,
            IReadOnlyList<(string Type, ArraySegment<byte> State)>? Callbacks, string? Facts = null);

        // Reads the structure without applying anything. Every read names the part it is in, so a truncated file says
        // where it ends; the checksum is checked once the structure is known to be complete.
        static CheckpointParts ParseCheckpoint(string path, byte[] file)
        {
            var cursor = new Cursor(path, file);
            // Both magic numbers are strings of 19 bytes, which BinaryWriter prefixes with their length.
            if (cursor.Byte("the magic number at its start") != CheckpointMagic.Length)
                throw new InvalidFileException(path, $"{path} is not a CnnDsl training checkpoint (it does not start with {CheckpointMagic}).");
            var magic = Encoding.UTF8.GetString(cursor.Bytes(CheckpointMagic.Length, "the magic number at its start"));
            if (magic == LegacyCheckpointMagic)
                return ParseLegacy(path, cursor);
            if (magic != CheckpointMagic && magic != PreviousCheckpointMagic)
                throw new InvalidFileException(path, $"{path} is not a CnnDsl training checkpoint (it does not start with {CheckpointMagic}).");
            int epochs = cursor.Int32("the number of epochs done");
            bool hasSeed = cursor.Bool("the seed");
            int seed = cursor.Int32("the seed");
            var rng = cursor.Bytes(cursor.Length32("random generator state"), "the random generator state");
            var weights = cursor.Bytes(cursor.Length64("weights"), "the weights");
            var optimizer = cursor.Bytes(cursor.Length64("optimizer state"), "the optimizer state");
            int count = cursor.Int32("the number of callbacks");
            if (count < 0 || count > 10_000)
                throw new InvalidFileException(path, $"{path} claims {count} callbacks (the file is damaged).");
            var callbacks = new List<(string, ArraySegment<byte>)>();
            for (int i = 0; i < count; i++)
            {
                var type = cursor.String($"the name of callback {i + 1}");
                callbacks.Add((type, cursor.Bytes(cursor.Length64($"state of callback {ShortName(type)}"), $"the state of callback {ShortName(type)}")));
            }
            // Version 3 adds the model's facts.
            var facts = magic == CheckpointMagic ? cursor.String("the model's facts", maxLength: 1 << 26) : null;
            int end = cursor.Position;
            var expected = cursor.Bytes(HashBytes, "its SHA-256 checksum");
            if (cursor.Position != file.Length)
                throw new InvalidFileException(path, $"{path} has {file.Length - cursor.Position} bytes after its checksum (the file is damaged).");
            if (!SHA256.HashData(file.AsSpan(0, end)).AsSpan().SequenceEqual(expected.AsSpan()))
                throw new InvalidFileException(path, $"{path} does not match its SHA-256 checksum (the file is damaged).");
            return new CheckpointParts(epochs, hasSeed, seed, rng, weights, optimizer, callbacks, facts);
        }

        // Version 1 had no checksum, no part lengths and no callback state: the weights end where TorchSharp's format
        // says, the optimizer state runs to the end of the file.
        static CheckpointParts ParseLegacy(string path, Cursor cursor)
        {
            int epochs = cursor.Int32("the number of epochs done");
            bool hasSeed = cursor.Bool("the seed");
            int seed = cursor.Int32("the seed");
            var rng = cursor.Bytes(cursor.Length32("random generator state"), "the random generator state");
            int weightsStart = cursor.Position;
            using var reader = new BinaryReader(new MemoryStream(cursor.File, weightsStart, cursor.File.Length - weightsStart, writable: false), Encoding.UTF8);
            ReadKeys(reader, path);
            var weights = cursor.Bytes((int)reader.BaseStream.Position, "the weights");
            var optimizer = cursor.Bytes(cursor.File.Length - cursor.Position, "the optimizer state");
            return new CheckpointParts(epochs, hasSeed, seed, rng, weights, optimizer, null);
        }

        sealed class Cursor(string path, byte[] file)
        {
            public byte[] File => file;
            public int Position { get; private set; }

            public ArraySegment<byte> Bytes(long count, string what)
            {
                if (count > file.Length - Position)
                    throw new InvalidFileException(path, $"{path} ends inside {what}: {count} bytes are needed at byte {Position}, but the file has {file.Length - Position} left (the file is truncated).");
                var result = new ArraySegment<byte>(file, Position, (int)count);
                Position += (int)count;
                return result;
            }

            public byte Byte(string what) => Bytes(1, what)[0];

            // BinaryWriter's string: a 7-bit encoded length, then UTF-8.
            public string String(string what, int maxLength = 4096)
            {
                int length = 0;
                for (int shift = 0; ; shift += 7)
                {
                    byte b = Byte(what);
                    length |= (b & 0x7f) << shift;
                    if ((b & 0x80) == 0)
                        break;
                    if (shift >= 21)
                        throw new InvalidFileException(path, $"{path}: {what} has a malformed length (the file is damaged).");
                }
                if (length > maxLength)
                    throw new InvalidFileException(path, $"{path}: {what} claims {length} bytes (the file is damaged).");
                return Encoding.UTF8.GetString(Bytes(length, what));
            }
            public bool Bool(string what) => Byte(what) != 0;
            public int Int32(string what) => BitConverter.ToInt32(Bytes(4, what).AsSpan());

            public int Length32(string what)
            {
                int length = Int32($"the length of its {what}");
                if (length < 0)
                    throw new InvalidFileException(path, $"{path} gives its {what} a length of {length} bytes (the file is damaged).");
                return length;
            }

            public long Length64(string what)
            {
                long length = BitConverter.ToInt64(Bytes(8, $"the length of its {what}").AsSpan());
                if (length < 0)
                    throw new InvalidFileException(path, $"{path} gives its {what} a length of {length} bytes (the file is damaged).");
                return length;
            }
        }
    }

    /// <summary>A tensor's entry in a TorchSharp weights file.</summary>
    public sealed record StoredTensor(string Key, long[] Shape, ScalarType Type);

    /// <summary>
    /// A weights file or checkpoint does not fit the model it is loaded into; the message names the key and both shapes.
    /// </summary>
    public sealed class WeightsMismatchException : ArgumentException
    {
        public WeightsMismatchException(string message)
            : base(message)
        {
        }
    }
}
