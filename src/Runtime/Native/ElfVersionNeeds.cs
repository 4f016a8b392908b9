using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace CnnDsl.Native
{
    /// <summary>One symbol-version need of an ELF shared library: the library it is on, the version, and whether it is weak.</summary>
    public sealed record VersionNeed(string Library, string Version, bool IsWeak);

    /// <summary>
    /// Reads the version needs (<c>.gnu.version_r</c>) of a 64-bit little-endian ELF file, as <c>readelf -V</c> lists
    /// them: enough to tell why the dynamic loader refuses a library, without running it.
    /// </summary>
    public static class ElfVersionNeeds
    {
        const uint VerneedType = 0x6ffffffe;
        const ushort WeakFlag = 0x2;

        /// <summary>The version needs of <paramref name="path"/>; empty when it has none or is not a 64-bit ELF file.</summary>
        public static IReadOnlyList<VersionNeed> Read(string path)
        {
            var data = File.ReadAllBytes(path);
            var result = new List<VersionNeed>();
            if (data.Length < 64 || data[0] != 0x7f || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F' || data[4] != 2 || data[5] != 1)
                return result;
            long sectionTable = (long)U64(data, 0x28);
            int entrySize = U16(data, 0x3A), sectionCount = U16(data, 0x3C);
            for (int s = 0; s < sectionCount; s++)
            {
                long header = sectionTable + (long)s * entrySize;
                if (header + 64 > data.Length || U32(data, header + 4) != VerneedType)
                    continue;
                long offset = (long)U64(data, header + 24);
                uint count = U32(data, header + 44);
                long strings = (long)U64(data, sectionTable + (long)U32(data, header + 40) * entrySize + 24);
                long need = offset;
                for (uint n = 0; n < count && need + 16 <= data.Length; n++)
                {
                    string library = String(data, strings + U32(data, need + 4));
                    long aux = need + U32(data, need + 8);
                    for (int a = 0; a < U16(data, need + 2) && aux + 16 <= data.Length; a++)
                    {
                        result.Add(new VersionNeed(library, String(data, strings + U32(data, aux + 8)), (U16(data, aux + 4) & WeakFlag) != 0));
                        uint nextAux = U32(data, aux + 12);
                        if (nextAux == 0)
                            break;
                        aux += nextAux;
                    }
                    uint next = U32(data, need + 12);
                    if (next == 0)
                        break;
                    need += next;
                }
            }
            return result;
        }

        static ushort U16(byte[] d, long o) => (ushort)(d[o] | d[o + 1] << 8);
        static uint U32(byte[] d, long o) => (uint)(d[o] | d[o + 1] << 8 | d[o + 2] << 16 | d[o + 3] << 24);
        static ulong U64(byte[] d, long o) => U32(d, o) | (ulong)U32(d, o + 4) << 32;

        static string String(byte[] d, long o)
        {
            long end = o;
            while (end < d.Length && d[end] != 0)
                end++;
            return Encoding.ASCII.GetString(d, (int)o, (int)(end - o));
        }
    }
}
