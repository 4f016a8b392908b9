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
        public static void SaveWeights(this nn.Module model, string path) =>
            AtomicFile.Write(path, stream =>
            {
                // TorchSharp's save(Stream) closes the stream; the writer overload leaves it open for the flush to disk.
                using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
                model.save(writer);
                writer.Flush();
            });

        /// <summary>
        /// Loads weights saved by <see cref="SaveWeights"/> (or TorchSharp's <c>save</c>). A file that does not fit the
        /// model is an error naming the first mismatching key and both shapes, or the missing and unexpected keys.
        /// </summary>
        public static void LoadWeights(this nn.Module model, string path)
        {
            var file = ReadKeys(path);
            var expected = model.state_dict().ToDictionary(e => e.Key, e => e.Value.shape);
            foreach (var (key, shape) in file)
                if (expected.TryGetValue(key, out var modelShape) && !modelShape.SequenceEqual(shape))
                    throw new ArgumentException($"{path}: '{key}' has shape [{string.Join(", ", shape)}] in the file but [{string.Join(", ", modelShape)}] in the model.");
            var missing = expected.Keys.Except(file.Select(f => f.Key)).ToList();
            var unexpected = file.Select(f => f.Key).Except(expected.Keys).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new ArgumentException($"{path} does not fit the model: "
                    + string.Join("; ", new[] { missing.Count > 0 ? "missing " + string.Join(", ", missing.Take(5)) : null, unexpected.Count > 0 ? "unexpected " + string.Join(", ", unexpected.Take(5)) : null }.Where(s => s != null)) + ".");
            using var stream = File.OpenRead(path);
            model.load(stream);
        }

        /// <summary>The keys and shapes in a TorchSharp weights file, read without loading the data.</summary>
        public static IReadOnlyList<(string Key, long[] Shape)> ReadKeys(string path)
        {
            using var stream = File.OpenRead(path);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            return ReadKeys(reader, path);
        }

        static readonly Dictionary<long, int> ElementSizes = new() { [0] = 1, [1] = 1, [2] = 2, [3] = 4, [4] = 8, [5] = 2, [6] = 4, [7] = 8, [11] = 1, [15] = 2 };

        static IReadOnlyList<(string, long[])> ReadKeys(BinaryReader reader, string path)
        {
            var result = new List<(string, long[])>();
            try
            {
                long count = ReadLeb128(reader);
                for (long i = 0; i < count; i++)
                {
                    var key = Encoding.UTF8.GetString(reader.ReadBytes((int)ReadLeb128(reader)));
                    long type = ReadLeb128(reader);
                    var shape = new long[ReadLeb128(reader)];
                    for (int d = 0; d < shape.Length; d++)
                        shape[d] = ReadLeb128(reader);
                    if (!ElementSizes.TryGetValue(type, out int size))
                        throw new InvalidDataException($"{path}: '{key}' has element type {type}, which TorchSharp's format does not define.");
                    long bytes = shape.Aggregate(1L, (a, b) => a * b) * size;
                    if (reader.BaseStream.Position + bytes > reader.BaseStream.Length)
                        throw new InvalidDataException($"{path} ends inside the data of '{key}' (the file is truncated).");
                    reader.BaseStream.Seek(bytes, SeekOrigin.Current);
                    result.Add((key, shape));
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
                var rng = random.get_rng_state();
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
            model.load(reader);
            ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(reader);
            random.set_rng_state(tensor(rngBytes));
            return (epochs, hasSeed ? seed : null);
        }
    }
}
