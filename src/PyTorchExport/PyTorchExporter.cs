using System.Collections.Generic;
using System.IO;
using CnnDsl.Dsl.Binding;

namespace CnnDsl.PyTorchExport
{
    /// <summary>
    /// <c>cnn export --pytorch</c>: a checked model as a Python module with its <c>nn.Module</c>, and a training script for
    /// PyTorch's DistributedDataParallel under <c>torchrun</c> whose safetensors output CnnDsl loads back.
    /// </summary>
    public static class PyTorchExporter
    {
        public const string TrainingScriptName = "train_ddp.py";

        /// <summary>Writes <c>&lt;model&gt;.py</c> and <c>train_ddp.py</c> into <paramref name="folder"/>; returns their paths.</summary>
        public static IReadOnlyList<string> Export(BoundModel model, string folder)
        {
            Directory.CreateDirectory(folder);
            var paths = new List<string>();
            foreach (var (name, text) in Files(model))
            {
                var path = Path.Combine(folder, name);
                File.WriteAllText(path, text);
                paths.Add(path);
            }
            return paths;
        }

        /// <summary>The files of the export by name: the model's module (<c>fashion_cnn.py</c>) and <c>train_ddp.py</c>.</summary>
        public static IReadOnlyList<(string Name, string Text)> Files(BoundModel model)
        {
            var module = PyTorchModuleWriter.ModuleName(model);
            return new[]
            {
                (module + ".py", PyTorchModuleWriter.Write(model)),
                (TrainingScriptName, TrainingScript(module, model.Name.TrimStart('@'))),
            };
        }

        /// <summary>The training script for the model's module and class.</summary>
        public static string TrainingScript(string module, string className)
        {
            using var stream = typeof(PyTorchExporter).Assembly.GetManifestResourceStream("CnnDsl.PyTorchExport." + TrainingScriptName)!;
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd().Replace("{{MODULE}}", module).Replace("{{CLASS}}", className);
        }
    }
}
