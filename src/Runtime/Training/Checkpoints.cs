using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using CnnDsl.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Training
{
    /// <summary>Weights in TorchSharp's format, written atomically, and loaded with errors that name what does not fit.</summary>
    public static class Checkpoints
    {
        /// <summary>Saves the weights (TorchSharp's format) so that a crash leaves the previous file intact.</summary>
        public static void SaveWeights(this nn.Module model, string path)
        {
            AtomicFile.Write(path, stream =>
            {
                // TorchSharp's save(Stream) closes the stream; the writer overload leaves it open for the flush to disk.
                using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
                model.save(writer);
                writer.Flush();
            });
            ClassNameFile.Save(model, path);
        }

        /// <summary>
        /// Loads weights saved by <see cref="SaveWeights"/> (or TorchSharp's <c>save</c>). A file that does not fit the
        /// model is an error naming the first mismatching key and both shapes (or element types), or the missing and
        /// unexpected keys; the file is checked before TorchSharp reads any of it, so the model is left unchanged.
        /// </summary>
        public static void LoadWeights(this nn.Module model, string path)
        {
            if (ClassNameFile.IsSafeTensors(path))
                throw new ArgumentException($"{path} is a safetensors file; load it with model.LoadSafeTensors(\"{path}\") "
                    + "(LoadWeights reads TorchSharp's format, which SaveWeights writes).", nameof(path));
            CheckFits(model, ReadKeys(path), path);
            using (var stream = File.OpenRead(path))
            using (var reader = new BinaryReader(stream, Encoding.UTF8))
                model.load(reader);
            ClassNameFile.Load(model, path);
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
        // element type, a LEB128 rank, LEB128 dimensions, then the raw data.
        static IReadOnlyList<StoredTensor> ReadKeys(BinaryReader reader, string path)
        {
            var result = new List<StoredTensor>();
            try
            {
                long count = ReadLeb128(reader);
                if (count < 0 || count > 1_000_000)
                    throw new InvalidDataException($"{path} is not a TorchSharp weights file (it claims {count} tensors).");
                for (long i = 0; i < count; i++)
                {
                    long length = ReadLeb128(reader);
                    if (length < 0 || length > 65536)
                        throw new InvalidDataException($"{path} is not a TorchSharp weights file (entry {i} has a {length}-byte name).");
                    var key = Encoding.UTF8.GetString(reader.ReadBytes((int)length));
                    long type = ReadLeb128(reader);
                    long rank = ReadLeb128(reader);
                    if (rank < 0 || rank > 64)
                        throw new InvalidDataException($"{path}: '{key}' has rank {rank}; the file is corrupt or not a TorchSharp weights file.");
                    var shape = new long[rank];
                    for (int d = 0; d < shape.Length; d++)
                        shape[d] = ReadLeb128(reader);
                    if (!ElementSizes.TryGetValue(type, out int size))
                        throw new InvalidDataException($"{path}: '{key}' has element type {type}, which TorchSharp's format does not define.");
                    long bytes = shape.Aggregate(1L, (a, b) => a * b) * size;
                    if (reader.BaseStream.Position + bytes > reader.BaseStream.Length)
                        throw new InvalidDataException($"{path} ends inside the data of '{key}' (the file is truncated).");
                    reader.BaseStream.Seek(bytes, SeekOrigin.Current);
                    result.Add(new StoredTensor(key, shape, (ScalarType)type));
                }
            }
            catch (EndOfStreamException)
            {
                throw new InvalidDataException($"{path} ends early (the file is truncated or not a TorchSharp weights file).");
            }
            return result;
        }

        static long ReadLeb128(BinaryReader reader)
        {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                byte b = reader.ReadByte();
                result |= (long)(b & 0x7f) << shift;
                if ((b & 0x80) == 0)
                    return result;
            }
            throw new InvalidDataException("A length in the file is malformed.");
        }

        const string CheckpointMagic = "CNNDSL-CHECKPOINT-1";

        /// <summary>
        /// Saves everything needed to resume training: weights, optimizer state, the epochs done, the random number
        /// generator's state and the seed, in one file written atomically.
        /// </summary>
        public static void SaveTrainingCheckpoint(string path, nn.Module model, optim.Optimizer optimizer, int epochsDone, int? seed)
        {
            AtomicFile.Write(path, stream =>
            {
                using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
                writer.Write(CheckpointMagic);
                writer.Write(epochsDone);
                writer.Write(seed.HasValue);
                writer.Write(seed ?? 0);
                using var rng = random.get_rng_state();
                var rngBytes = rng.bytes.ToArray();
                writer.Write(rngBytes.Length);
                writer.Write(rngBytes);
                model.save(writer);
                ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(writer);
                writer.Flush();
            });
        }

        /// <summary>Restores a training checkpoint into a model and optimizer of the same shape; returns the epochs done and the seed.</summary>
        public static (int EpochsDone, int? Seed) LoadTrainingCheckpoint(string path, nn.Module model, optim.Optimizer optimizer)
        {
            using var stream = File.OpenRead(path);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            string magic;
            try
            {
                magic = reader.ReadString();
            }
            catch (Exception exception) when (exception is EndOfStreamException || exception is IOException)
            {
                throw new InvalidDataException($"{path} is not a CnnDsl training checkpoint.", exception);
            }
            if (magic != CheckpointMagic)
                throw new InvalidDataException($"{path} is not a CnnDsl training checkpoint.");
            int epochs = reader.ReadInt32();
            bool hasSeed = reader.ReadBoolean();
            int seed = reader.ReadInt32();
            var rngBytes = reader.ReadBytes(reader.ReadInt32());
            long weightsStart = stream.Position;
            CheckFits(model, ReadKeys(reader, path), path);
            stream.Position = weightsStart;
            model.load(reader);
            ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(reader);
            using (var state = tensor(rngBytes))
                random.set_rng_state(state);
            return (epochs, hasSeed ? seed : null);
        }
    }

    /// <summary>A tensor's entry in a TorchSharp weights file.</summary>
    public sealed record StoredTensor(string Key, long[] Shape, ScalarType Type);

    /// <summary>A weights file does not fit the model it is loaded into; the message names the key and both shapes.</summary>
    public sealed class WeightsMismatchException : ArgumentException
    {
        public WeightsMismatchException(string message)
            : base(message)
        {
        }
    }
}
