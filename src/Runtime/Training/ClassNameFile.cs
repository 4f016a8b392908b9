using System;
using System.IO;
using System.Linq;
using System.Text;
using CnnDsl.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl.Training
{
    /// <summary>
    /// Class names beside weights, one per line in <c>WEIGHTS.classes.txt</c>, as earlier versions wrote them: read for
    /// weights without facts; the weights formats now carry the names in the model's facts.
    /// </summary>
    internal static class ClassNameFile
    {
        public static string PathFor(string weightsPath) => weightsPath + ".classes.txt";

        /// <summary>Removes a names file an earlier version wrote beside these weights: the weights file now carries them.</summary>
        public static void Delete(string weightsPath)
        {
            var path = PathFor(weightsPath);
            if (File.Exists(path))
                File.Delete(path);
        }

        /// <summary>The names of a file an earlier version wrote beside weights without facts, or null.</summary>
        public static string[]? Load(string weightsPath)
        {
            var path = PathFor(weightsPath);
            return File.Exists(path) ? File.ReadAllText(path, Encoding.UTF8).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray() : null;
        }

        // The safetensors layout: an 8-byte little-endian header length, then a JSON object.
        public static bool IsSafeTensors(string path)
        {
            if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                return true;
            if (!File.Exists(path))
                return false;
            using var stream = File.OpenRead(path);
            var head = new byte[9];
            if (stream.Read(head, 0, 9) < 9)
                return false;
            long length = BitConverter.ToInt64(head, 0);
            return head[8] == (byte)'{' && length > 1 && length <= stream.Length - 8;
        }
    }
}
