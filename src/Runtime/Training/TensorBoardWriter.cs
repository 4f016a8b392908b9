using System;
using System.Collections.Generic;
using System.IO;
using System.Numerics;
using System.Text;
using System.Threading;
using SkiaSharp;
using static TorchSharp.torch;

namespace CnnDsl.Training
{
    /// <summary>
    /// Writes a TensorBoard event file (<c>events.out.tfevents.*</c>) in a folder: scalars, histograms and images, as
    /// PyTorch's <c>SummaryWriter</c> and Keras' TensorBoard callback do. Each event is a TFRecord (length, masked CRC-32C
    /// of the length, the <c>Event</c> protocol buffer, its masked CRC-32C); <c>tensorboard --logdir</c> on the folder (or
    /// a folder above it) shows them. Events reach the file on <see cref="Flush"/> and on <see cref="Dispose"/>.
    /// </summary>
    public sealed class TensorBoardWriter : IDisposable
    {
        static int fileCounter;
        readonly FileStream file;

        /// <param name="folder">The run's folder, created when missing; a new event file is added to what it holds.</param>
        public TensorBoardWriter(string folder)
        {
            Directory.CreateDirectory(folder);
            Folder = folder;
            long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            // TensorBoard reads every file whose name contains "tfevents"; the counter keeps two writers of one process apart.
            FilePath = Path.Combine(folder, $"events.out.tfevents.{now}.{SafeHostName()}.{Environment.ProcessId}.{Interlocked.Increment(ref fileCounter)}");
            file = new FileStream(FilePath, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            var header = new ProtoWriter();
            header.Double(1, WallTime());
            header.String(3, "brain.Event:2");
            WriteRecord(header.ToArray());
        }

        public string Folder { get; }

        /// <summary>The event file this writer adds to.</summary>
        public string FilePath { get; }

        /// <summary>One value of a curve (<c>tag</c>) at a step.</summary>
        public void AddScalar(string tag, double value, long step)
        {
            var summaryValue = new ProtoWriter();
            summaryValue.String(1, tag);
            summaryValue.Float(2, (float)value);
            WriteSummary(step, summaryValue);
        }

        /// <summary>
        /// The distribution of a tensor's values (a layer's weights) at a step, in <paramref name="buckets"/> equal-width
        /// buckets between its minimum and maximum. Non-finite values are an error: a histogram of them shows nothing.
        /// </summary>
        public void AddHistogram(string tag, Tensor values, long step, int buckets = 30)
        {
            if (buckets < 1)
                throw new ArgumentOutOfRangeException(nameof(buckets), buckets, "A histogram has at least one bucket.");
            using var scope = NewDisposeScope();
            var flat = values.detach().flatten().to_type(ScalarType.Float64);
            if (flat.numel() == 0)
                throw new ArgumentException($"The histogram '{tag}' has no values.", nameof(values));
            if (!flat.isfinite().all().item<bool>())
                throw new ArgumentException($"The histogram '{tag}' has values that are not finite (NaN or infinity).", nameof(values));
            // One trip to the host for all five statistics and the counts.
            double min = flat.min().item<double>(), max = flat.max().item<double>();
            if (min == max)
                buckets = 1;
            // Bucket i holds [min + i w, min + (i + 1) w), the last one also max.
            var counts = buckets == 1
                ? new[] { (double)flat.numel() }
                : flat.sub(min).div(max - min).mul(buckets).floor().clamp(0, buckets - 1).to_type(ScalarType.Int64)
                    .bincount(null, buckets).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
            var histogram = new ProtoWriter();
            histogram.Double(1, min);
            histogram.Double(2, max);
            histogram.Double(3, flat.numel());
            histogram.Double(4, flat.sum().item<double>());
            histogram.Double(5, flat.square().sum().item<double>());
            var limits = new double[buckets];
            for (int i = 0; i < buckets; i++)
                limits[i] = i == buckets - 1 ? max : min + (max - min) * (i + 1) / buckets;
            histogram.PackedDoubles(6, limits);
            histogram.PackedDoubles(7, counts);
            var summaryValue = new ProtoWriter();
            summaryValue.String(1, tag);
            summaryValue.Message(5, histogram);
            WriteSummary(step, summaryValue);
        }

        /// <summary>An image (C, H, W) with values in [0, 1], grey (C = 1) or RGB (C = 3), stored as a PNG.</summary>
        public void AddImage(string tag, Tensor image, long step)
        {
            if (image.dim() != 3 || (image.shape[0] != 1 && image.shape[0] != 3))
                throw new ArgumentException($"An image for TensorBoard is (1 or 3, H, W), not ({string.Join(", ", image.shape)}).", nameof(image));
            using var scope = NewDisposeScope();
            var pixels = image.detach().cpu().to_type(ScalarType.Float32);
            if (pixels.min().item<float>() < 0 || pixels.max().item<float>() > 1)
                throw new ArgumentException($"The image '{tag}' has values outside [0, 1]; undo its normalisation first (Normalize.Undo).", nameof(image));
            int height = (int)image.shape[1], width = (int)image.shape[2];
            var rgb = (pixels.shape[0] == 1 ? pixels.expand(3, height, width) : pixels).mul(255).round().to_type(ScalarType.Byte).permute(1, 2, 0).contiguous();
            var bytes = rgb.data<byte>().ToArray();
            var rgba = new byte[width * height * 4];
            for (int i = 0, j = 0; i < bytes.Length; i += 3, j += 4)
            {
                rgba[j] = bytes[i];
                rgba[j + 1] = bytes[i + 1];
                rgba[j + 2] = bytes[i + 2];
                rgba[j + 3] = 255;
            }
            using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            AddPng(tag, png.ToArray(), width, height, step);
        }

        /// <summary>A PNG file (a picture the library saved, such as a Grad-CAM grid) as an image at a step.</summary>
        public void AddImageFile(string tag, string pngPath, long step)
        {
            var bytes = File.ReadAllBytes(pngPath);
            // The PNG signature, then the IHDR chunk: width and height big-endian at bytes 16 and 20.
            if (bytes.Length < 24 || bytes[0] != 0x89 || bytes[1] != (byte)'P' || bytes[2] != (byte)'N' || bytes[3] != (byte)'G'
                || Encoding.ASCII.GetString(bytes, 12, 4) != "IHDR")
                throw new InvalidDataException($"{pngPath} is not a PNG file (TensorBoard images are PNGs here).");
            int width = (bytes[16] << 24) | (bytes[17] << 16) | (bytes[18] << 8) | bytes[19];
            int height = (bytes[20] << 24) | (bytes[21] << 16) | (bytes[22] << 8) | bytes[23];
            AddPng(tag, bytes, width, height, step);
        }

        void AddPng(string tag, byte[] png, int width, int height, long step)
        {
            var image = new ProtoWriter();
            image.Varint(1, (ulong)height);
            image.Varint(2, (ulong)width);
            image.Varint(3, 4); // RGBA colour space, as the PNG holds after decoding
            image.Bytes(4, png);
            var summaryValue = new ProtoWriter();
            summaryValue.String(1, tag);
            summaryValue.Message(4, image);
            WriteSummary(step, summaryValue);
        }

        /// <summary>Writes what is buffered to the file, so that a TensorBoard already open shows it.</summary>
        public void Flush() => file.Flush(flushToDisk: false);

        public void Dispose() => file.Dispose();

        void WriteSummary(long step, ProtoWriter summaryValue)
        {
            var summary = new ProtoWriter();
            summary.Message(1, summaryValue);
            var evnt = new ProtoWriter();
            evnt.Double(1, WallTime());
            evnt.Varint(2, unchecked((ulong)step));
            evnt.Message(5, summary);
            WriteRecord(evnt.ToArray());
        }

        // TFRecord framing: uint64 length, masked CRC of the length's 8 bytes, the data, masked CRC of the data (little-endian).
        void WriteRecord(byte[] data)
        {
            Span<byte> header = stackalloc byte[12];
            BitConverter.TryWriteBytes(header, (ulong)data.Length);
            BitConverter.TryWriteBytes(header.Slice(8), MaskedCrc(header.Slice(0, 8)));
            file.Write(header);
            file.Write(data);
            Span<byte> footer = stackalloc byte[4];
            BitConverter.TryWriteBytes(footer, MaskedCrc(data));
            file.Write(footer);
        }

        static uint MaskedCrc(ReadOnlySpan<byte> data)
        {
            uint crc = 0xFFFFFFFF;
            foreach (byte b in data)
                crc = BitOperations.Crc32C(crc, b);
            crc = ~crc;
            return unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8u);
        }

        static double WallTime() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

        static string SafeHostName()
        {
            var name = Environment.MachineName;
            var safe = new StringBuilder();
            foreach (char c in name)
                safe.Append(char.IsLetterOrDigit(c) || c == '-' ? c : '_');
            return safe.Length > 0 ? safe.ToString() : "host";
        }

        // The few protocol-buffer encodings the Event, Summary, HistogramProto and Image messages need.
        sealed class ProtoWriter
        {
            readonly MemoryStream buffer = new();

            public void Varint(int field, ulong value)
            {
                Key(field, 0);
                Raw(value);
            }

            public void Double(int field, double value)
            {
                Key(field, 1);
                Span<byte> bytes = stackalloc byte[8];
                BitConverter.TryWriteBytes(bytes, value);
                buffer.Write(bytes);
            }

            public void Float(int field, float value)
            {
                Key(field, 5);
                Span<byte> bytes = stackalloc byte[4];
                BitConverter.TryWriteBytes(bytes, value);
                buffer.Write(bytes);
            }

            public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

            public void Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

            public void PackedDoubles(int field, IReadOnlyList<double> values)
            {
                var bytes = new byte[values.Count * 8];
                for (int i = 0; i < values.Count; i++)
                    BitConverter.TryWriteBytes(bytes.AsSpan(i * 8), values[i]);
                Bytes(field, bytes);
            }

            public void Bytes(int field, byte[] value)
            {
                Key(field, 2);
                Raw((ulong)value.Length);
                buffer.Write(value);
            }

            public byte[] ToArray() => buffer.ToArray();

            void Key(int field, int wireType) => Raw((ulong)((field << 3) | wireType));

            void Raw(ulong value)
            {
                while (value >= 0x80)
                {
                    buffer.WriteByte((byte)(value | 0x80));
                    value >>= 7;
                }
                buffer.WriteByte((byte)value);
            }
        }
    }
}
