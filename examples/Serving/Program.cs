using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Tasks;
using CnnDsl.Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serving;

// Serves a trained model: POST /predict with an image answers its five most probable classes; / is a page to try it.
//   dotnet run --project examples/Serving -- --model output/fashion-cnn.onnx
//   dotnet run --project examples/Serving -- --cnn model.cnn --weights model.safetensors [--name Model]
var builder = WebApplication.CreateSlimBuilder(args);
var settings = ServiceSettings.From(builder.Configuration);
// Kestrel reads up to four times the limit, so that an upload somewhat over it gets a 413 answer that the client can
// read; beyond that it cuts the connection, as it should for a client that sends without end.
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 4 * settings.MaxUploadBytes + Uploads.MultipartAllowance);
builder.Services.Configure<FormOptions>(form => form.MultipartBodyLengthLimit = settings.MaxUploadBytes + Uploads.MultipartAllowance);
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ServingJson.Default));

// One model, and so one ONNX Runtime session, for every request: its Run is safe to call from many threads at once.
using var model = settings.Open();
var app = builder.Build();
var page = new StreamReader(typeof(ServiceSettings).Assembly.GetManifestResourceStream("index.html")!).ReadToEnd();
app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));

app.MapGet("/model", () => new ModelDescription(model.Facts.Model ?? model.Source, model.InputShape.ToArray(), model.Facts.ClassNames?.ToArray(),
    string.Join(", ", CnnDsl.TransformStep.Record(model.Preprocessing)), settings.MaxUploadBytes, settings.MaxPixels));

app.MapPost("/predict", async (HttpRequest request) =>
{
    var (bytes, name, problem) = await Uploads.Read(request, settings.MaxUploadBytes);
    if (problem != null)
        return problem;
    try
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var classes = model.PredictImage(bytes!, name!, top: Math.Min(5, model.Facts.ClassNames?.Count ?? 5), maxPixels: settings.MaxPixels);
        var milliseconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return Results.Ok(new Prediction(name!, classes.Select(c => new PredictedClass(c.Index, c.Name, c.Probability)).ToArray(), Math.Round(milliseconds, 2)));
    }
    catch (InvalidDataException e)
    {
        // Not an image, a truncated one, or one that declares more pixels than the service decodes.
        return Results.BadRequest(new Problem(e.Message));
    }
});

await app.StartAsync();
// The address, with the port the system chose for --urls http://127.0.0.1:0: scripts and tests read this line.
Console.WriteLine("Serving " + (model.Facts.Model ?? model.Source) + " on " + string.Join(" ", app.Urls));
await app.WaitForShutdownAsync();
return 0;

namespace Serving
{
    public sealed record PredictedClass(int Index, string Name, float Probability);

    public sealed record Prediction(string File, PredictedClass[] Classes, double Milliseconds);

    public sealed record Problem(string Error);

    public sealed record ModelDescription(string Model, long[] Input, string[]? Classes, string Preprocessing, long MaxUploadBytes, long MaxPixels);

    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
    [JsonSerializable(typeof(Prediction))]
    [JsonSerializable(typeof(Problem))]
    [JsonSerializable(typeof(ModelDescription))]
    internal sealed partial class ServingJson : JsonSerializerContext
    {
    }

    /// <summary>An upload: a multipart form's <c>image</c> file (the page's), or a request body of type <c>image/*</c> (curl --data-binary).</summary>
    static class Uploads
    {
        /// <summary>A multipart body's boundaries and headers around the file itself.</summary>
        public const long MultipartAllowance = 16 * 1024;

        public static async Task<(byte[]? Bytes, string? Name, IResult? Problem)> Read(HttpRequest request, long maxBytes)
        {
            if (request.ContentLength > maxBytes + (request.HasFormContentType ? MultipartAllowance : 0))
                return (null, null, TooLarge(request.ContentLength.Value, maxBytes));
            if (request.HasFormContentType)
            {
                IFormCollection form;
                try
                {
                    form = await request.ReadFormAsync();
                }
                catch (Exception e) when (e is InvalidDataException || e is IOException || e is Microsoft.AspNetCore.Http.BadHttpRequestException)
                {
                    return (null, null, Results.BadRequest(new Problem("The form cannot be read: " + e.Message)));
                }
                var file = form.Files.GetFile("image") ?? form.Files.FirstOrDefault();
                if (file == null)
                    return (null, null, Results.BadRequest(new Problem("The form has no file: send the image as the form field 'image'.")));
                if (file.Length > maxBytes)
                    return (null, null, TooLarge(file.Length, maxBytes));
                using var stream = new MemoryStream((int)file.Length);
                await file.CopyToAsync(stream);
                return (stream.ToArray(), Path.GetFileName(file.FileName), null);
            }
            if (request.ContentType?.StartsWith("image/", StringComparison.OrdinalIgnoreCase) == true)
            {
                using var stream = new MemoryStream();
                try
                {
                    await request.Body.CopyToAsync(stream);
                }
                catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    return (null, null, TooLarge(null, maxBytes));
                }
                if (stream.Length > maxBytes)
                    return (null, null, TooLarge(stream.Length, maxBytes));
                return (stream.ToArray(), "the uploaded " + request.ContentType, null);
            }
            return (null, null, Results.Json(new Problem($"Send an image: a multipart form with the field 'image', or a body of type image/png, image/jpeg, ... (not {request.ContentType ?? "no content type"})."),
                ServingJson.Default.Problem, statusCode: StatusCodes.Status415UnsupportedMediaType));
        }

        static IResult TooLarge(long? length, long maxBytes) => Results.Json(
            new Problem((length is long l ? $"The upload is {l:N0} bytes" : "The upload is larger than the limit") + $"; this service takes images up to {maxBytes:N0} bytes."),
            ServingJson.Default.Problem, statusCode: StatusCodes.Status413PayloadTooLarge);
    }
}
