using System;
using CnnDsl.Inference;
using Microsoft.Extensions.Configuration;

namespace Serving
{
    /// <summary>The service's settings, from the command line (<c>--model x.onnx</c>), environment or appsettings.</summary>
    sealed record ServiceSettings(string? Model, string? Cnn, string? Weights, string? Name, long MaxUploadBytes, long MaxPixels, int? Threads)
    {
        public static ServiceSettings From(IConfiguration configuration) => new(
            configuration["model"], configuration["cnn"], configuration["weights"], configuration["name"],
            configuration.GetValue<long?>("max-upload-bytes") ?? 8 * 1024 * 1024,
            // 40 megapixels: any photograph, and far below what would exhaust memory when decoded (4 bytes a pixel).
            configuration.GetValue<long?>("max-pixels") ?? 40_000_000,
            configuration.GetValue<int?>("threads"));

        public InferenceModel Open()
        {
            var options = new InferenceOptions { IntraOpThreads = Threads };
            if (Model != null && Cnn == null && Weights == null)
                return InferenceModel.Load(Model, options);
            if (Model == null && Cnn != null && Weights != null)
                return InferenceModel.FromDefinition(Cnn, Weights, Name, options);
            throw new ArgumentException("Give the model to serve: --model FILE.onnx, or --cnn FILE.cnn --weights FILE.safetensors [--name MODEL].");
        }
    }
}
