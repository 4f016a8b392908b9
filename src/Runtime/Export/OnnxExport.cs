using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace CnnDsl
{
    /// <summary>
    /// Writes a module and its current weights as an ONNX file (opset 17, IR version 8) for ONNX Runtime and other
    /// inference engines. The graph is written from the checked model the module was generated from; the weights are the
    /// module's state_dict. Batch size and the input's size variables stay dynamic.
    /// </summary>
    public static class OnnxExport
    {
        /// <summary>
        /// Exports a generated model: the model it was generated from is bound again from the .cnn text the compiler wrote
        /// into it (<see cref="CnnModelInfo.CnnSource"/>), so nothing is read from disk and the graph is the one checked.
        /// </summary>
        public static void ExportOnnx<TModel>(this TModel model, string path) where TModel : nn.Module<Tensor, Tensor>, ICnnModel =>
            model.ExportOnnx(path, CheckedModel(model.Info));

        /// <summary>The checked model a generated model comes from, bound again from the text it carries.</summary>
        public static BoundModel CheckedModel(CnnModelInfo info)
        {
            if (info.CnnSource == null)
                throw new OnnxExportException($"The model '{info.Name}' carries no .cnn text (its CnnModelInfo was not generated); pass its BoundModel or .cnn file");
            try
            {
                return CnnCompilation.BindWritten(info.CnnSource, info.Name, info.Name + ".cnn");
            }
            catch (System.InvalidOperationException e)
            {
                throw new OnnxExportException($"The model '{info.Name}' cannot be bound again: {e.Message}");
            }
        }

        /// <summary>Exports with the checked model the module was generated from.</summary>
        /// <remarks>The module's facts (class names, normalisation, ...) go into the file's <c>metadata_props</c> under <c>cnndsl.facts</c>.</remarks>
        public static void ExportOnnx(this nn.Module<Tensor, Tensor> module, string path, BoundModel model) =>
            OnnxExporter.ExportFile(model, Weights(module), path, "The module's state_dict",
                new Dictionary<string, string> { [ModelFacts.MetadataKey] = ModelFacts.Of(module).ToJson() });

        /// <summary>
        /// Exports a model generated from a .cnn file: the file is checked again to get the model (the one named after
        /// the module's class, or <paramref name="modelName"/>).
        /// </summary>
        public static void ExportOnnx(this nn.Module<Tensor, Tensor> module, string path, string cnnFile, string? modelName = null)
        {
            if (!File.Exists(cnnFile))
                throw new FileNotFoundException($"The model file '{cnnFile}' does not exist; pass the .cnn file the model was generated from", cnnFile);
            var compilation = CnnCompilation.Compile(File.ReadAllText(cnnFile), cnnFile);
            var errors = compilation.Diagnostics.Where(d => d.IsError).ToList();
            if (errors.Count > 0)
                throw new OnnxExportException(errors[0].ToString());
            var name = modelName ?? (module as ICnnModel)?.Info.Name;
            var model = name == null && compilation.Models.Count == 1 ? compilation.Models[0] : compilation.Models.FirstOrDefault(m => m.Name == name)
                ?? throw new OnnxExportException($"{cnnFile} has no model '{name}' (models: {string.Join(", ", compilation.Models.Select(m => m.Name))}); pass modelName");
            module.ExportOnnx(path, model);
        }

        /// <summary>The floating-point tensors of the state_dict (parameters and running statistics), copied to the CPU.</summary>
        public static Dictionary<string, WeightTensor> Weights(nn.Module module)
        {
            var weights = new Dictionary<string, WeightTensor>();
            foreach (var (key, value) in module.state_dict())
            {
                if (value.dtype != ScalarType.Float32)
                    continue;
                using var cpu = value.detach().cpu().contiguous();
                weights[key] = new WeightTensor(cpu.shape, cpu.data<float>().ToArray());
            }
            return weights;
        }
    }
}
