using System;
using System.Collections.Generic;

namespace CnnDsl.Tests.Shared;

/// <summary>Files that claim what they are not: a PNG whose header declares a size far beyond its few bytes.</summary>
public static class HostileImages
{
    /// <summary>
    /// A valid PNG signature and IHDR chunk (8-bit RGB, <paramref name="width"/> x <paramref name="height"/>, correct
    /// CRC), then a tiny IDAT and IEND: a decoder that trusts the header allocates width x height x 4 bytes.
    /// </summary>
    public static byte[] PngDeclaring(int width, int height)
    {
        var file = new List<byte> { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };
        void Chunk(string type, byte[] data)
        {
            file.AddRange(BigEndian((uint)data.Length));
            var typed = new List<byte>(System.Text.Encoding.ASCII.GetBytes(type));
            typed.AddRange(data);
            file.AddRange(typed);
            file.AddRange(BigEndian(Crc32(typed.ToArray())));
        }
        var header = new List<byte>();
        header.AddRange(BigEndian((uint)width));
        header.AddRange(BigEndian((uint)height));
        header.AddRange(new byte[] { 8, 2, 0, 0, 0 });
        Chunk("IHDR", header.ToArray());
        Chunk("IDAT", new byte[] { 0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01 });
        Chunk("IEND", Array.Empty<byte>());
        return file.ToArray();
    }

    static byte[] BigEndian(uint value) => new[] { (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value };

    // The CRC-32 of PNG chunks (ISO 3309, reflected polynomial 0xEDB88320).
    static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
