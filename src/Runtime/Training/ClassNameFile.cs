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
    /// Class names travel beside the weights, one per line in <c>WEIGHTS.classes.txt</c>, so that a model loaded
    /// elsewhere can say "sneaker" instead of 7.
    /// </summary>
    internal static class ClassNameFile
    {
        public static string PathFor(string weightsPath) => weightsPath + ".classes.txt";

        public static void Save(nn.Module model, string weightsPath)
        {
            var names = ModelMemory.ClassNames(model);
            var path = PathFor(weightsPath);
            if (names == null)
            {
                // A names file left from an earlier save would describe other weights.
                if (File.Exists(path))
                    File.Delete(path);
                return;
            }
            if (names.Any(n => n.Contains('\n') || n.Contains('\r')))
                throw new ArgumentException("Class names must not contain line breaks.");
            AtomicFile.Write(path, stream =>
            {
                var bytes = Encoding.UTF8.GetBytes(string.Join("\n", names) + "\n");
                stream.Write(bytes);
            });
        }

        public static void Load(nn.Module model, string weightsPath)
        {
            var path = PathFor(weightsPath);
            if (File.Exists(path))
                ModelMemory.SetClassNames(model, File.ReadAllText(path, Encoding.UTF8).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray());
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
