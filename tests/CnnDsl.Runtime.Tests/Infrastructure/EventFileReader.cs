using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace CnnDsl.Runtime.Tests.Infrastructure;

/// <summary>
/// Reads TensorBoard event files from the format's description alone, sharing no code with the writer: TFRecord framing
/// (little-endian uint64 length, masked CRC-32C of it, the data, masked CRC-32C of the data; CRC-32C from its polynomial)
/// and the protocol buffers tensorflow/core/util/event.proto and summary.proto define (Event: wall_time = 1, step = 2,
/// file_version = 3, summary = 5; Summary.value = 1; Value: tag = 1, simple_value = 2, image = 4, histo = 5).
/// </summary>
static class EventFileReader
{
    public sealed record Histogram(double Min, double Max, double Count, double Sum, double SumSquares, double[] BucketLimits, double[] Buckets);
    public sealed record Image(int Height, int Width, int Colorspace, byte[] Encoded);
    public sealed record Value(string Tag, float? Scalar, Histogram? Histogram, Image? Image);
    public sealed record Event(double WallTime, long Step, string? FileVersion, IReadOnlyList<Value> Values);

    /// <summary>Every event of every event file in a folder, file by file.</summary>
    public static List<Event> ReadFolder(string folder) =>
        Directory.GetFiles(folder).Where(f => Path.GetFileName(f).Contains("tfevents")).OrderBy(f => f).SelectMany(ReadFile).ToList();

    public static List<Event> ReadFile(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var events = new List<Event>();
        int at = 0;
        while (at < bytes.Length)
        {
            if (bytes.Length - at < 12)
                throw new InvalidDataException($"{path}: {bytes.Length - at} bytes at {at} are too few for a record header.");
            ulong length = BitConverter.ToUInt64(bytes, at);
            if (Masked(Crc32C(bytes, at, 8)) != BitConverter.ToUInt32(bytes, at + 8))
                throw new InvalidDataException($"{path}: the length's CRC at {at} is wrong.");
            at += 12;
            if ((ulong)(bytes.Length - at) < length + 4)
                throw new InvalidDataException($"{path}: a record of {length} bytes at {at} runs past the end.");
            int size = (int)length;
            if (Masked(Crc32C(bytes, at, size)) != BitConverter.ToUInt32(bytes, at + size))
                throw new InvalidDataException($"{path}: the data's CRC of the record at {at} is wrong.");
            events.Add(ParseEvent(bytes.AsSpan(at, size).ToArray()));
            at += size + 4;
        }
        return events;
    }

    /// <summary>(step, value) of a scalar tag, in the order written.</summary>
    public static List<(long Step, float Value)> Scalars(IEnumerable<Event> events, string tag) =>
        events.SelectMany(e => e.Values.Where(v => v.Tag == tag && v.Scalar != null).Select(v => (e.Step, v.Scalar!.Value))).ToList();

    static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++)
            c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1; // Castagnoli's polynomial, reflected
        return c;
    }).ToArray();

    public static uint Crc32C(byte[] data, int offset, int count)
    {
        uint crc = 0xFFFFFFFFu;
        for (int i = offset; i < offset + count; i++)
            crc = Table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }

    static uint Masked(uint crc) => unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8u);

    static Event ParseEvent(byte[] data)
    {
        double wallTime = 0;
        long step = 0;
        string? version = null;
        var values = new List<Value>();
        foreach (var field in Fields(data))
        {
            switch (field.Number)
            {
                case 1: wallTime = BitConverter.ToDouble(field.Bytes); break;
                case 2: step = (long)field.Varint; break;
                case 3: version = Encoding.UTF8.GetString(field.Bytes); break;
                case 5:
                    foreach (var summaryField in Fields(field.Bytes).Where(f => f.Number == 1))
                        values.Add(ParseValue(summaryField.Bytes));
                    break;
            }
        }
        return new Event(wallTime, step, version, values);
    }

    static Value ParseValue(byte[] data)
    {
        string tag = "";
        float? scalar = null;
        Histogram? histogram = null;
        Image? image = null;
        foreach (var field in Fields(data))
        {
            switch (field.Number)
            {
                case 1: tag = Encoding.UTF8.GetString(field.Bytes); break;
                case 2: scalar = BitConverter.ToSingle(field.Bytes); break;
                case 4:
                    {
                        int height = 0, width = 0, colorspace = 0;
                        byte[] encoded = Array.Empty<byte>();
                        foreach (var f in Fields(field.Bytes))
                            switch (f.Number)
                            {
                                case 1: height = (int)f.Varint; break;
                                case 2: width = (int)f.Varint; break;
                                case 3: colorspace = (int)f.Varint; break;
                                case 4: encoded = f.Bytes; break;
                            }
                        image = new Image(height, width, colorspace, encoded);
                        break;
                    }
                case 5:
                    {
                        var numbers = new double[5];
                        double[] limits = Array.Empty<double>(), buckets = Array.Empty<double>();
                        foreach (var f in Fields(field.Bytes))
                        {
                            if (f.Number is >= 1 and <= 5)
                                numbers[f.Number - 1] = BitConverter.ToDouble(f.Bytes);
                            else if (f.Number == 6)
                                limits = Doubles(f.Bytes);
                            else if (f.Number == 7)
                                buckets = Doubles(f.Bytes);
                        }
                        histogram = new Histogram(numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], limits, buckets);
                        break;
                    }
            }
        }
        return new Value(tag, scalar, histogram, image);
    }

    static double[] Doubles(byte[] packed) => Enumerable.Range(0, packed.Length / 8).Select(i => BitConverter.ToDouble(packed, i * 8)).ToArray();

    sealed record Field(int Number, ulong Varint, byte[] Bytes);

    // Wire types 0 (varint), 1 (8 bytes), 2 (length-delimited) and 5 (4 bytes).
    static IEnumerable<Field> Fields(byte[] data)
    {
        int at = 0;
        while (at < data.Length)
        {
            ulong key = ReadVarint(data, ref at);
            int number = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: yield return new Field(number, ReadVarint(data, ref at), Array.Empty<byte>()); break;
                case 1: yield return new Field(number, 0, data.AsSpan(at, 8).ToArray()); at += 8; break;
                case 5: yield return new Field(number, 0, data.AsSpan(at, 4).ToArray()); at += 4; break;
                case 2:
                    int length = (int)ReadVarint(data, ref at);
                    yield return new Field(number, 0, data.AsSpan(at, length).ToArray());
                    at += length;
                    break;
                default: throw new InvalidDataException($"Wire type {wire} of field {number} is not one an event file uses.");
            }
        }
    }

    static ulong ReadVarint(byte[] data, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return value;
        }
    }
}
