using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using CnnDsl.Data;
using CnnDsl.Training;
using CnnDsl.Weights;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CnnDsl.Runtime.Tests;

/// <summary>Malformed, truncated and damaged IDX, safetensors and weights files: each is refused with an error naming the file.</summary>
public class HostileFilesTests : IDisposable
{
    // Thousands of small files are written: in memory where the system offers a memory file system.
    readonly string folder = Directory.Exists("/dev/shm")
        ? Directory.CreateDirectory(Path.Combine("/dev/shm", "cnndsl-hostile-" + Guid.NewGuid().ToString("N"))).FullName
        : Directory.CreateTempSubdirectory("cnndsl-hostile-").FullName;
    readonly ITestOutputHelper output;

    public HostileFilesTests(ITestOutputHelper output) => this.output = output;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static InvalidFileException Refused(string path, Action load)
    {
        var error = Assert.Throws<InvalidFileException>(load);
        Assert.Equal(path, error.FilePath);
        Assert.StartsWith(path, error.Message);
        return error;
    }

    static byte[] Idx(int magic, params int[] dimensions)
    {
        var bytes = new byte[4 + 4 * dimensions.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < dimensions.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dimensions[i]);
        return bytes;
    }

    [Fact]
    public void An_idx_header_of_0_by_65536_by_65536_is_refused_with_the_file_name()
    {
        var path = Path.Combine(folder, "huge-images");
        File.WriteAllBytes(path, Idx(IdxReader.ImagesMagic, 0, 65536, 65536));
        var error = Refused(path, () => IdxReader.ReadImages(path));
        Assert.Equal($"{path} declares images of 65536 x 65536 = 4294967296 bytes each, more than the {Array.MaxLength} an array can hold; the file is damaged or not an IDX file.", error.Message);

        // Three sizes of 2^31 - 1 overflow even a long.
        File.WriteAllBytes(path, Idx(IdxReader.ImagesMagic, int.MaxValue, 1, 1).Concat(new byte[5]).ToArray());
        Assert.Contains("declares 2147483647 x 1 x 1 = 2147483647 bytes of images, but holds 5 (the file is truncated)", Refused(path, () => IdxReader.ReadImages(path)).Message);
    }

    [Fact]
    public void Every_truncated_prefix_and_every_damaged_header_byte_of_idx_files_is_refused_or_read_consistently()
    {
        var images = Idx(IdxReader.ImagesMagic, 3, 4, 5).Concat(Enumerable.Range(0, 60).Select(i => (byte)i)).ToArray();
        var labels = Idx(IdxReader.LabelsMagic, 3).Concat(new byte[] { 1, 2, 3 }).ToArray();
        var path = Path.Combine(folder, "file");
        int refused = 0, read = 0;
        void Check(byte[] content, bool isImages, bool gzip)
        {
            if (gzip)
            {
                using var memory = new MemoryStream();
                using (var zip = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
                    zip.Write(content);
                content = memory.ToArray();
            }
            File.WriteAllBytes(path, content);
            try
            {
                if (isImages)
                {
                    var (pixels, count, rows, columns) = IdxReader.ReadImages(path);
                    Assert.Equal((long)count * rows * columns, pixels.LongLength);
                }
                else
                {
                    IdxReader.ReadLabels(path);
                }
                read++;
            }
            catch (InvalidFileException error)
            {
                Assert.StartsWith(path, error.Message);
                refused++;
            }
        }
        foreach (var (content, isImages) in new[] { (images, true), (labels, false) })
        {
            for (int length = 0; length < content.Length; length++)
            {
                int before = refused;
                Check(content[..length], isImages, gzip: false);
                Check(content[..length], isImages, gzip: true);
                Assert.Equal(before + 2, refused); // a prefix never matches its header
            }
            int header = isImages ? 16 : 8;
            for (int position = 0; position < header; position++)
                foreach (byte value in new byte[] { 0x00, 0x01, 0x7f, 0x80, 0xff })
                {
                    var damaged = (byte[])content.Clone();
                    damaged[position] = value;
                    Check(damaged, isImages, gzip: false);
                }
        }
        Assert.True(refused > 0 && read > 0);
    }

    static void WriteSafeTensors(string path, string header, byte[] data) => WriteSafeTensors(path, Encoding.UTF8.GetBytes(header), data);

    static void WriteSafeTensors(string path, byte[] header, byte[] data)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        File.WriteAllBytes(path, bytes);
    }

    [Theory]
    [InlineData("""{"w":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}""", "tensor 'w' has shape [\"2\"]; sizes must be whole numbers of at least 0")]
    [InlineData("""{"w":{"dtype":"F32","shape":[null],"data_offsets":[0,8]}}""", "tensor 'w' has shape [null]")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}""", "tensor 'w' has shape [2.5]")]
    [InlineData("""{"w":{"dtype":"F32","shape":"2","data_offsets":[0,8]}}""", "tensor 'w' needs \"dtype\" (a string), \"shape\" (an array)")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":["0",8]}}""", "tensor 'w' has data_offsets [\"0\",8]; offsets must be whole numbers")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,null]}}""", "tensor 'w' has data_offsets [0,null]")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", "its header lists 'w' twice")]
    [InlineData("""{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}}""", "tensor 'w' has shape [4611686018427387904, 4], more elements than a tensor can hold")]
    [InlineData("""{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}""", "more elements than a tensor can hold")]
    [InlineData("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", "tensor 'w' ends at byte 16 of the data, past its end at 8 (the file is truncated)")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", "tensor 'b' starts at byte 4 of the data, but the previous tensor ends at 8")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", "tensor 'a' starts at byte 4 of the data, but the previous tensor ends at 0")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", "its data_offsets [8, 0] give -8")]
    [InlineData("""{"w":{"dtype":"F8","shape":[2],"data_offsets":[0,8]}}""", "tensor 'w' has dtype F8, which is not one of")]
    [InlineData("""{"__metadata__":{"format":1},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", "its \"__metadata__\" entry 'format' is 1, not a string")]
    [InlineData("""{"__metadata__":[],"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", "its \"__metadata__\" is not a JSON object")]
    [InlineData("""[1, 2]""", "its header is not a JSON object")]
    [InlineData("""{"w":""", "its header is not valid JSON")]
    [InlineData("""{"__metadata__":{"cnndsl.sha256.w":"00"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", "tensor 'w' does not match its SHA-256 checksum (the file is damaged)")]
    [InlineData("""{"__metadata__":{"cnndsl.sha256.v":"00"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", "tensor 'w' has no checksum, though the file's other tensors have")]
    public void A_malformed_safetensors_header_is_refused_naming_the_file_and_the_problem(string header, string problem)
    {
        var path = Path.Combine(folder, "bad.safetensors");
        WriteSafeTensors(path, header, new byte[8]);
        var error = Refused(path, () => SafeTensors.Read(path));
        Assert.StartsWith($"{path} is not a valid safetensors file: ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void A_safetensors_header_that_is_not_utf8_or_does_not_fit_is_refused()
    {
        var path = Path.Combine(folder, "bad.safetensors");
        var header = Encoding.UTF8.GetBytes("""{"w\u00e9":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""");
        header[4] = 0xff; // the first byte of the two-byte "é"
        WriteSafeTensors(path, header, new byte[8]);
        Assert.Contains("its header is not UTF-8 (invalid byte at offset 12 of the file)", Refused(path, () => SafeTensors.Read(path)).Message);

        File.WriteAllBytes(path, new byte[5]);
        Assert.Contains("it has 5 bytes, fewer than the 8 of the header length", Refused(path, () => SafeTensors.Read(path)).Message);
        File.WriteAllBytes(path, BitConverter.GetBytes(-1L));
        Assert.Contains("its header length -1 does not fit", Refused(path, () => SafeTensors.Read(path)).Message);
        File.WriteAllBytes(path, BitConverter.GetBytes(100L).Concat(new byte[10]).ToArray());
        Assert.Contains("its header length 100 does not fit in its 18 bytes (the file is truncated)", Refused(path, () => SafeTensors.Read(path)).Message);
    }

    [Fact]
    public void A_file_without_checksums_as_pytorch_writes_it_loads_and_says_it_was_not_verified()
    {
        var path = Path.Combine(folder, "pytorch.safetensors");
        var data = new byte[24];
        BitConverter.GetBytes(1.5f).CopyTo(data, 0);
        BitConverter.GetBytes(-2f).CopyTo(data, 20);
        WriteSafeTensors(path, """{"__metadata__":{"format":"pt"},"weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"bias":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}}  """, data);
        using var linear = nn.Linear(2, 2);
        var report = linear.LoadSafeTensors(path);
        Assert.False(report.Verified);
        Assert.True(report.IsComplete);
        Assert.Equal(1.5f, linear.weight!.data<float>()[0]);
        Assert.Equal(-2f, linear.bias!.data<float>()[1]);

        linear.SaveSafeTensors(path);
        Assert.True(linear.LoadSafeTensors(path).Verified);
    }

    static nn.Module<Tensor, Tensor> Small()
    {
        manual_seed(7);
        return nn.Sequential(("conv", nn.Conv2d(1, 2, 2)), ("bn", nn.BatchNorm2d(2)), ("fc", nn.Linear(3, 2)));
    }

    // Each single-byte change of a saved file is either refused with the file's name, or loads exactly the saved
    // weights (a change inside metadata that no weight depends on). Never different weights.
    static (int Refused, List<int> Harmless, int Positions) FlipEveryByte(string path, IEnumerable<int> positions, nn.Module target, Action load, nn.Module saved, bool bothMasks = true)
    {
        var original = File.ReadAllBytes(path);
        int refused = 0, count = 0;
        var harmless = new List<int>();
        foreach (int position in positions)
        {
            count++;
            foreach (byte mask in bothMasks ? new byte[] { 0x01, 0xff } : new byte[] { position % 2 == 0 ? (byte)0x01 : (byte)0xff })
            {
                var damaged = (byte[])original.Clone();
                damaged[position] ^= mask;
                File.WriteAllBytes(path, damaged);
                using (no_grad())
                    foreach (var parameter in target.parameters())
                        parameter.fill_(42);
                try
                {
                    load();
                }
                catch (InvalidFileException error)
                {
                    Assert.StartsWith(path, error.Message);
                    refused++;
                    continue;
                }
                Assert.True(KillLoopTests.Same(saved, target), $"Changing byte {position} of {path} (^0x{mask:x2}) loaded different weights silently.");
                harmless.Add(position);
            }
        }
        File.WriteAllBytes(path, original);
        return (refused, harmless, count);
    }

    [Fact]
    public void Every_single_byte_change_of_a_saved_file_is_refused_or_loads_the_same_weights()
    {
        using var model = Small();
        using (no_grad())
            foreach (var (_, buffer) in model.named_buffers())
                if (buffer.is_floating_point())
                    buffer.add_(0.5);
                else
                    buffer.add_(3);

        using var target = Small();
        using var targetOptimizer = optim.Adam(target.parameters());
        var weights = Path.Combine(folder, "small.weights");
        model.SaveWeights(weights);
        var (refused, harmless, positions) = FlipEveryByte(weights, Enumerable.Range(0, (int)new FileInfo(weights).Length), target, () => target.LoadWeights(weights), model);
        Assert.Empty(harmless);
        Assert.Equal(2 * positions, refused);
        output.WriteLine($"TorchSharp weights: {refused} of {2 * positions} changes ({positions} bytes, ^0x01 and ^0xff) refused");

        var safetensors = Path.Combine(folder, "small.safetensors");
        model.SaveSafeTensors(safetensors);
        var bytes = File.ReadAllBytes(safetensors);
        (refused, harmless, positions) = FlipEveryByte(safetensors, Enumerable.Range(0, bytes.Length), target, () => target.LoadSafeTensors(safetensors), model);
        Assert.Equal(2 * positions, refused + harmless.Count);
        // Only the metadata entry "format":"pt", which no weight depends on and the checksums leave out, may change
        // without a refusal (into another valid name or value); every other change is refused.
        int format = Encoding.UTF8.GetString(bytes).IndexOf("\"format\":\"pt\"", StringComparison.Ordinal);
        Assert.All(harmless, position => Assert.InRange(position, format, format + "\"format\":\"pt\"".Length - 1));
        output.WriteLine($"safetensors: {refused} of {2 * positions} changes ({positions} bytes) refused, {harmless.Count} left the weights unchanged (inside \"format\":\"pt\")");

        var checkpoint = Path.Combine(folder, "small.ckpt");
        using (var optimizer = optim.Adam(model.parameters()))
            Checkpoints.SaveTrainingCheckpoint(checkpoint, model, optimizer, 3, 1);
        int length = (int)new FileInfo(checkpoint).Length;
        // A dense sample (every 17th byte, and the last) of the larger checkpoint, each with one of the two changes.
        (refused, harmless, positions) = FlipEveryByte(checkpoint, Enumerable.Range(0, length / 17).Select(i => i * 17).Append(length - 1), target,
            () => Checkpoints.LoadTrainingCheckpoint(checkpoint, target, targetOptimizer), model, bothMasks: false);
        Assert.Empty(harmless);
        Assert.Equal(positions, refused);
        Assert.True(positions >= 300);
        output.WriteLine($"training checkpoint ({length} bytes): {refused} of {positions} sampled changes refused");
    }

    // Random damage of 1 to 8 bytes (changed, inserted or removed) and random cuts, with a fixed seed: every damaged
    // weights file or checkpoint is refused with an InvalidFileException naming the file, or reads back exactly what was
    // written. IDX files have no checksum: a changed pixel reads as it is, but nothing but an InvalidFileException escapes.
    [Fact]
    public void Random_damage_to_every_format_is_refused_or_harmless()
    {
        var random = new Random(10);
        byte[] Mutate(byte[] original)
        {
            var bytes = original.ToList();
            int edits = random.Next(1, 9);
            for (int i = 0; i < edits && bytes.Count > 0; i++)
            {
                int at = random.Next(bytes.Count);
                switch (random.Next(4))
                {
                    case 0: bytes[at] = (byte)random.Next(256); break;
                    case 1: bytes.Insert(at, (byte)random.Next(256)); break;
                    case 2: bytes.RemoveAt(at); break;
                    default: bytes.RemoveRange(at, bytes.Count - at); break;
                }
            }
            return bytes.ToArray();
        }
        var counts = new List<string>();
        void Fuzz(string path, int mutants, Action load, Func<bool> unchanged)
        {
            int refused = 0, harmless = 0;
            var original = File.ReadAllBytes(path);
            for (int i = 0; i < mutants; i++)
            {
                var mutant = Mutate(original);
                File.WriteAllBytes(path, mutant);
                try
                {
                    load();
                }
                catch (InvalidFileException error)
                {
                    Assert.StartsWith(path, error.Message);
                    refused++;
                    continue;
                }
                Assert.True(unchanged(), $"A damaged copy of {path} loaded different content: {Convert.ToHexString(mutant)}");
                harmless++;
            }
            counts.Add($"{Path.GetFileName(path)} {refused} of {mutants} refused");
        }

        using var model = Small();
        using var target = Small();
        using var optimizer = optim.Adam(target.parameters());
        var weights = Path.Combine(folder, "fuzz.weights");
        model.SaveWeights(weights);
        Fuzz(weights, 300, () => target.LoadWeights(weights), () => KillLoopTests.Same(model, target));
        var safetensors = Path.Combine(folder, "fuzz.safetensors");
        model.SaveSafeTensors(safetensors);
        Fuzz(safetensors, 300, () => target.LoadSafeTensors(safetensors), () => KillLoopTests.Same(model, target));
        var checkpoint = Path.Combine(folder, "fuzz.ckpt");
        Checkpoints.SaveTrainingCheckpoint(checkpoint, model, optimizer, 1, 1, new Callback[] { new EarlyStopping(restoreBestWeights: true) });
        Fuzz(checkpoint, 300, () => Checkpoints.LoadTrainingCheckpoint(checkpoint, target, optimizer, new Callback[] { new EarlyStopping(restoreBestWeights: true) }),
            () => KillLoopTests.Same(model, target));
        var images = Path.Combine(folder, "fuzz-images");
        File.WriteAllBytes(images, Idx(IdxReader.ImagesMagic, 2, 3, 3).Concat(new byte[18]).ToArray());
        Fuzz(images, 300, () => IdxReader.ReadImages(images), () => true);
        output.WriteLine("Randomly damaged files: " + string.Join("; ", counts) + " (the rest read back unchanged; IDX: read as damaged)");
    }

    [Fact]
    public void Every_truncated_prefix_of_a_checkpoint_says_what_is_missing()
    {
        using var model = Small();
        var checkpoint = Path.Combine(folder, "small.ckpt");
        using (var optimizer = optim.Adam(model.parameters()))
        {
            using var loss = model.call(ones(2, 1, 4, 4)).sum();
            loss.backward();
            optimizer.step();
            Checkpoints.SaveTrainingCheckpoint(checkpoint, model, optimizer, 3, 1, new Callback[] { new ReduceLROnPlateau(), new EarlyStopping() });
        }
        var complete = File.ReadAllBytes(checkpoint);
        var missing = new HashSet<string>();
        using var target = Small();
        using var targetOptimizer = optim.Adam(target.parameters());
        for (int length = 0; length < complete.Length; length++)
        {
            File.WriteAllBytes(checkpoint, complete[..length]);
            var error = Refused(checkpoint, () => Checkpoints.LoadTrainingCheckpoint(checkpoint, target, targetOptimizer));
            Assert.Contains(" ends inside ", error.Message);
            Assert.EndsWith("(the file is truncated).", error.Message);
            missing.Add(error.Message[(checkpoint.Length + " ends inside ".Length)..error.Message.IndexOf(':', checkpoint.Length)]);
        }
        Assert.Equal(new[]
        {
            "the magic number at its start", "the number of epochs done", "the seed", "the length of its random generator state", "the random generator state",
            "the length of its weights", "the weights", "the length of its optimizer state", "the optimizer state", "the number of callbacks",
            "the name of callback 1", "the length of its state of callback ReduceLROnPlateau", "the state of callback ReduceLROnPlateau",
            "the name of callback 2", "the length of its state of callback EarlyStopping", "the state of callback EarlyStopping", "the model's facts", "its SHA-256 checksum",
        }, missing);

        // The reproducer: a checkpoint cut right after its magic number.
        File.WriteAllBytes(checkpoint, complete[..20]);
        Assert.Equal($"{checkpoint} ends inside the number of epochs done: 4 bytes are needed at byte 20, but the file has 0 left (the file is truncated).",
            Refused(checkpoint, () => Checkpoints.LoadTrainingCheckpoint(checkpoint, target, targetOptimizer)).Message);
    }

    [Fact]
    public void A_negative_random_state_length_and_other_damage_in_a_checkpoint_are_named()
    {
        using var model = Small();
        var checkpoint = Path.Combine(folder, "small.ckpt");
        using var optimizer = optim.Adam(model.parameters());
        Checkpoints.SaveTrainingCheckpoint(checkpoint, model, optimizer, 3, 1);
        var complete = File.ReadAllBytes(checkpoint);
        // 1 + 19 bytes of magic, 4 of epochs, 1 + 4 of seed: the random state's length is at byte 29.
        var damaged = (byte[])complete.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(damaged.AsSpan(29), -5);
        File.WriteAllBytes(checkpoint, damaged);
        Assert.Equal($"{checkpoint} gives its random generator state a length of -5 bytes (the file is damaged).",
            Refused(checkpoint, () => Checkpoints.LoadTrainingCheckpoint(checkpoint, model, optimizer)).Message);

        File.WriteAllBytes(checkpoint, complete.Append((byte)0).ToArray());
        Assert.Equal($"{checkpoint} has 1 bytes after its checksum (the file is damaged).", Refused(checkpoint, () => Checkpoints.LoadTrainingCheckpoint(checkpoint, model, optimizer)).Message);
        File.WriteAllBytes(checkpoint, Encoding.UTF8.GetBytes("\u0013CNNDSL-CHECKPOINT-9"));
        Assert.Contains("is not a CnnDsl training checkpoint", Refused(checkpoint, () => Checkpoints.LoadTrainingCheckpoint(checkpoint, model, optimizer)).Message);
        // A weights file given where a checkpoint belongs.
        model.SaveWeights(checkpoint);
        Assert.Equal($"{checkpoint} is not a CnnDsl training checkpoint (it does not start with CNNDSL-CHECKPOINT-3).",
            Refused(checkpoint, () => Checkpoints.LoadTrainingCheckpoint(checkpoint, model, optimizer)).Message);
    }

    [Fact]
    public void A_version_1_checkpoint_still_loads_and_its_truncations_are_named()
    {
        using var model = Small();
        using var optimizer = optim.Adam(model.parameters());
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write("CNNDSL-CHECKPOINT-1");
            writer.Write(4);
            writer.Write(true);
            writer.Write(9);
            var rng = random.get_rng_state().bytes.ToArray();
            writer.Write(rng.Length);
            writer.Write(rng);
            model.save(writer);
            ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(writer);
        }
        var path = Path.Combine(folder, "v1.ckpt");
        var complete = memory.ToArray();
        File.WriteAllBytes(path, complete);
        using var loaded = Small();
        using (no_grad())
            foreach (var parameter in loaded.parameters())
                parameter.fill_(3);
        using var loadedOptimizer = optim.Adam(loaded.parameters());
        Assert.Equal((4, (int?)9), Checkpoints.LoadTrainingCheckpoint(path, loaded, loadedOptimizer));
        Assert.True(KillLoopTests.Same(model, loaded));

        foreach (int length in new[] { 0, 10, 20, 26, 40, 5100, complete.Length - 10 })
        {
            File.WriteAllBytes(path, complete[..length]);
            Refused(path, () => Checkpoints.LoadTrainingCheckpoint(path, loaded, loadedOptimizer));
        }
    }

    [Fact]
    public void Weights_file_truncations_and_trailing_bytes_are_named()
    {
        using var model = Small();
        var path = Path.Combine(folder, "small.weights");
        model.SaveWeights(path);
        var complete = File.ReadAllBytes(path);
        // TorchSharp's data, then the model's facts (CNNDSL-FACTS, length, JSON), then the checksum.
        int dataEnd = complete.AsSpan().IndexOf("CNNDSL-FACTS"u8);
        Assert.True(dataEnd > 0 && dataEnd < complete.Length - 13 - 32);
        for (int length = 0; length < complete.Length; length++)
        {
            File.WriteAllBytes(path, complete[..length]);
            using var target = Small();
            if (length == dataEnd)
            {
                // Cut exactly before the facts: what TorchSharp's own save writes; the weights are complete.
                target.LoadWeights(path);
                Assert.True(KillLoopTests.Same(model, target));
                continue;
            }
            var message = Refused(path, () => target.LoadWeights(path)).Message;
            Assert.True(message.Contains("truncated") || message.Contains("after its last tensor"), message);
        }
        // TorchSharp's own loader still reads a file with a checksum.
        File.WriteAllBytes(path, complete);
        using var plain = Small();
        plain.load(path);
        Assert.True(KillLoopTests.Same(model, plain));
    }
}
