using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Tasks;
using CnnDsl.Data;
using CnnDsl.Dsl;
using CnnDsl.Export.Tests.Infrastructure;
using CnnDsl.Inference;
using CnnDsl.Tests.Shared;
using CnnDsl.Training;
using CnnDsl.Vision;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CnnDsl.Export.Tests;

/// <summary>
/// A small CNN trained here on the Fashion-MNIST subset the repository ships, exported to ONNX with its class names, and
/// served by the example service (examples/Serving) as a real process on loopback.
/// </summary>
public sealed class ServedModel : IDisposable
{
    public static readonly string[] Classes = { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };

    public ServedModel()
    {
        Folder = Directory.CreateTempSubdirectory("cnndsl-serving-").FullName;
        var bound = CnnCompilation.Compile("""
            model Garments
              input 1x28x28
              conv2d 8, 3, padding=same, activation=relu
              maxpool2d 2
              conv2d 16, 3, padding=same, activation=relu
              maxpool2d 2
              flatten
              dense 10
            """, "garments.cnn").Models.Single();
        var data = Path.Combine(ModelService.RepoRoot(), "examples", "data", "fashion-mnist-subset");
        var (train, test) = Dataset.FromIdxFolder(data, testLimit: 200);
        manual_seed(1);
        using var module = new RuntimeModule(bound);
        module.Fit(new Dataset(train.Inputs, train.Targets) { ClassNames = Classes }, new FitOptions { Epochs = 2, BatchSize = 64, Optimizer = OptimizerSpec.Adam(2e-3), Progress = ProgressMode.None });
        Onnx = Path.Combine(Folder, "garments.onnx");
        module.ExportOnnx(Onnx, bound);

        // Test images the model names rightly, written as the PNG files a user would upload: grey 28x28, and the same
        // picture as a 56x56 colour file that the service must bring back to 1x28x28.
        Library = InferenceModel.Load(Onnx, new InferenceOptions { IntraOpThreads = 1 });
        var labels = test.Labels!;
        for (int i = 0; i < labels.Length && Pictures.Count < 4; i++)
        {
            var pixels = test.Inputs[i].data<float>().ToArray();
            var path = Path.Combine(Folder, $"{Classes[labels[i]].Replace('/', '-')}-{i}.png");
            new ImageData(1, 28, 28, pixels).SavePng(path);
            if (Library.PredictImage(path, top: 1)[0].Index == labels[i] && Pictures.All(p => p.Label != labels[i]))
                Pictures.Add((path, (int)labels[i]));
        }
        var first = Pictures[0];
        var colour = new ImageData(3, 56, 56, Enumerable.Range(0, 3).SelectMany(_ => ImageFunctions.Resize(ImageData.Decode(first.Path, 1), 56, 56).Pixels).ToArray());
        ColourPicture = Path.Combine(Folder, "colour-56.png");
        colour.SavePng(ColourPicture);

        Service = new ModelService("--model", Onnx, "--max-upload-bytes", "100000", "--threads", "1");
    }

    public string Folder { get; }
    public string Onnx { get; }
    public InferenceModel Library { get; }
    public List<(string Path, int Label)> Pictures { get; } = new();
    public string ColourPicture { get; }
    public ModelService Service { get; }

    public void Dispose()
    {
        Service.Dispose();
        Library.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}

public sealed class ServingTests(ServedModel served, ITestOutputHelper output) : IClassFixture<ServedModel>
{
    HttpClient Client => served.Service.Client;

    static MultipartFormDataContent Form(byte[] bytes, string name, string type = "image/png")
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(type);
        return new MultipartFormDataContent { { file, "image", name } };
    }

    async Task<(HttpStatusCode Status, JsonElement Body)> Post(HttpContent content)
    {
        using var response = await Client.PostAsync("predict", content);
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
        }
        catch (JsonException)
        {
            throw new Xunit.Sdk.XunitException($"{(int)response.StatusCode}: not JSON: {text}\n{served.Service.Log}");
        }
    }

    static (string Name, int Index, float Probability)[] Classes(JsonElement body) => body.GetProperty("classes").EnumerateArray()
        .Select(c => (c.GetProperty("name").GetString()!, c.GetProperty("index").GetInt32(), c.GetProperty("probability").GetSingle())).ToArray();

    [Fact]
    public async Task An_uploaded_image_is_answered_with_the_libraries_top_five_classes_as_a_form_or_as_a_raw_body()
    {
        foreach (var (path, label) in served.Pictures)
        {
            var bytes = File.ReadAllBytes(path);
            var expected = served.Library.PredictImage(path, top: 5);
            var (status, body) = await Post(Form(bytes, Path.GetFileName(path)));
            Assert.True(status == HttpStatusCode.OK, body.ToString());
            var classes = Classes(body);
            Assert.Equal(5, classes.Length);
            Assert.Equal(ServedModel.Classes[label], classes[0].Name);
            Assert.Equal(expected.Select(c => (c.Name, c.Index)), classes.Select(c => (c.Name, c.Index)));
            Assert.Equal(expected.Select(c => c.Probability), classes.Select(c => c.Probability), (a, b) => Math.Abs(a - b) < 1e-6);
            Assert.Equal(Path.GetFileName(path), body.GetProperty("file").GetString());

            var raw = new ByteArrayContent(bytes);
            raw.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            var (rawStatus, rawBody) = await Post(raw);
            Assert.Equal(HttpStatusCode.OK, rawStatus);
            Assert.Equal(classes.Select(c => c.Index), Classes(rawBody).Select(c => c.Index));
        }

        // A colour picture of twice the size is read grey and resized to 28x28 by the model's preprocessing, as in training.
        var (colourStatus, colourBody) = await Post(Form(File.ReadAllBytes(served.ColourPicture), "colour-56.png"));
        Assert.Equal(HttpStatusCode.OK, colourStatus);
        var colourExpected = served.Library.PredictImage(served.ColourPicture, top: 5);
        Assert.Equal(colourExpected.Select(c => c.Index), Classes(colourBody).Select(c => c.Index));
        Assert.Equal(ServedModel.Classes[served.Pictures[0].Label], Classes(colourBody)[0].Name);

        using var description = JsonDocument.Parse(await Client.GetStringAsync("model"));
        Assert.Equal(ServedModel.Classes, description.RootElement.GetProperty("classes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("Garments", description.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task Requests_that_are_not_images_too_large_or_bombs_get_a_4xx_answer_with_the_reason()
    {
        async Task Refused(HttpContent content, HttpStatusCode expected, string reason)
        {
            var (status, body) = await Post(content);
            Assert.True(status == expected, $"{(int)status} instead of {(int)expected}: {body}");
            Assert.Contains(reason, body.GetProperty("error").GetString());
        }
        var png = File.ReadAllBytes(served.Pictures[0].Path);
        await Refused(Form(System.Text.Encoding.UTF8.GetBytes("just some text"), "notes.txt", "text/plain"), HttpStatusCode.BadRequest, "notes.txt cannot be decoded as an image");
        await Refused(Form(png.Take(png.Length / 2).ToArray(), "half.png"), HttpStatusCode.BadRequest, "half.png");
        await Refused(Form(HostileImages.PngDeclaring(100_000, 100_000), "bomb.png"), HttpStatusCode.BadRequest, "bomb.png declares 100000x100000 = 10,000,000,000 pixels, more than the limit of 40,000,000");
        await Refused(Form(new byte[150_000], "large.png"), HttpStatusCode.RequestEntityTooLarge, "this service takes images up to 100,000 bytes");
        var large = new ByteArrayContent(new byte[150_000]);
        large.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        await Refused(large, HttpStatusCode.RequestEntityTooLarge, "up to 100,000 bytes");
        await Refused(new StringContent("{\"image\": 1}", System.Text.Encoding.UTF8, "application/json"), HttpStatusCode.UnsupportedMediaType, "not application/json");
        await Refused(new MultipartFormDataContent { { new StringContent("x"), "comment" } }, HttpStatusCode.BadRequest, "The form has no file");

        // The service is still well after them.
        var (status, _) = await Post(Form(png, "again.png"));
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Concurrent_requests_share_one_session_and_get_the_answers_of_requests_made_one_at_a_time()
    {
        var files = served.Pictures.Select(p => File.ReadAllBytes(p.Path)).ToArray();
        var alone = new List<int[]>();
        foreach (var bytes in files)
            alone.Add(Classes((await Post(Form(bytes, "alone.png"))).Body).Select(c => c.Index).ToArray());
        var requests = Enumerable.Range(0, 96).Select(async i =>
        {
            var (status, body) = await Post(Form(files[i % files.Length], $"{i}.png"));
            Assert.Equal(HttpStatusCode.OK, status);
            return (i, Classes(body));
        });
        var answers = await Task.WhenAll(requests);
        foreach (var (i, classes) in answers)
            Assert.Equal(alone[i % files.Length], classes.Select(c => c.Index).ToArray());
    }

    [BrowserFact]
    public void The_page_in_a_real_browser_uploads_a_png_and_shows_its_class()
    {
        var (path, label) = served.Pictures[0];
        var screenshot = Path.Combine(served.Folder, "page.png");
        var json = Browser.Run("serving-page.js", served.Service.Address + "/", path, screenshot);
        using var shown = JsonDocument.Parse(json);
        var root = shown.RootElement;
        Assert.True(root.GetProperty("state").GetString() == "done", json);
        var classes = root.GetProperty("classes").EnumerateArray().ToList();
        Assert.Equal(5, classes.Count);
        var expected = served.Library.PredictImage(path, top: 5);
        Assert.Equal(ServedModel.Classes[label], classes[0].GetProperty("name").GetString());
        Assert.Equal($"{100 * expected[0].Probability:0.0} %", classes[0].GetProperty("percent").GetString());
        Assert.StartsWith("Garments: input 1x28x28, 10 classes", root.GetProperty("about").GetString());
        Assert.Equal(28, root.GetProperty("previewWidth").GetInt32());
        Assert.Empty(root.GetProperty("consoleErrors").EnumerateArray());
        Assert.True(new FileInfo(screenshot).Length > 1000);
        var kept = Environment.GetEnvironmentVariable("CNNDSL_KEEP_SCREENSHOTS");
        if (kept != null)
            File.Copy(screenshot, Path.Combine(kept, "serving-page.png"), overwrite: true);

        // An upload that is not an image shows the service's reason on the page.
        var text = Path.Combine(served.Folder, "notes.png");
        File.WriteAllText(text, "not a picture");
        using var refused = JsonDocument.Parse(Browser.Run("serving-page.js", served.Service.Address + "/", text));
        Assert.Equal("error", refused.RootElement.GetProperty("state").GetString());
        Assert.StartsWith("400: notes.png cannot be decoded as an image", refused.RootElement.GetProperty("error").GetString());
        output.WriteLine(json);
    }
}
