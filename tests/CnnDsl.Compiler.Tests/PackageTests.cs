using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// The packages users install, packed once per test run with a unique version into a local feed, and restored into a
/// private packages folder (TorchSharp and libtorch are restored once for all the tests that use it).
/// </summary>
public sealed class LocalFeed : IDisposable
{
    public LocalFeed()
    {
        Folder = Directory.CreateTempSubdirectory("cnndsl-package-").FullName;
        Feed = Path.Combine(Folder, "feed");
        Packages = Path.Combine(Folder, "packages");
        Version = "0.0.1-test" + DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture);
        // CnnDsl depends on the language, the ONNX writer, the image pipeline, the diagram and the inference library, each a package.
        foreach (var project in new[] { "Dsl", "Onnx", "Vision", "Diagram", "Inference", "Runtime" }.Select(p => Path.Combine("src", p, $"CnnDsl.{p}.csproj"))
            .Append(Path.Combine("templates", "CnnDsl.Templates", "CnnDsl.Templates.csproj")))
            PackageTests.Run("dotnet", $"pack \"{Path.Combine(PackageTests.RepoRoot(), project)}\" -c Release -o \"{Feed}\" -p:Version={Version} -nologo", PackageTests.RepoRoot());
    }

    public string Folder { get; }
    public string Feed { get; }
    public string Packages { get; }
    public string Version { get; }

    /// <summary>The libtorch version this repository builds with, which the template and the package's advice name.</summary>
    public string LibTorchVersion { get; } = Regex.Match(File.ReadAllText(Path.Combine(PackageTests.RepoRoot(), "Directory.Packages.props")),
        "Include=\"libtorch-cpu-linux-x64\" Version=\"([^\"]+)\"").Groups[1].Value;

    /// <summary>A nuget.config that adds the local feed to the configured sources and keeps restored packages private.</summary>
    public void WriteNuGetConfig(string project) => File.WriteAllText(Path.Combine(project, "nuget.config"), $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <config><add key="globalPackagesFolder" value="{Packages}" /></config>
          <packageSources><add key="local" value="{Feed}" /></packageSources>
        </configuration>
        """);

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

/// <summary>
/// The one package users reference, consumed by a fresh project outside this repository that references it and its
/// platform's libtorch: its .cnn file is picked up, checked and generated; TorchSharp loads; a mistake is a compiler
/// error at the right place.
/// And the project template: <c>dotnet new cnndsl</c> makes a project that builds and trains with no edits.
/// </summary>
[Collection(BuildTests.Collection)]
public partial class PackageTests(LocalFeed feed) : IClassFixture<LocalFeed>
{
    [Fact]
    public void A_fresh_project_referencing_the_package_checks_generates_and_runs_its_models()
    {
        var project = Path.Combine(feed.Folder, "consumer");
        Directory.CreateDirectory(Path.Combine(project, "Models"));
        feed.WriteNuGetConfig(project);
        File.WriteAllText(Path.Combine(project, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><NoWarn>NU1603</NoWarn></PropertyGroup>
              <ItemGroup>
                <PackageReference Include="CnnDsl" Version="{feed.Version}" />
                <PackageReference Include="libtorch-cpu-linux-x64" Version="{feed.LibTorchVersion}" />
              </ItemGroup>
            </Project>
            """);
        var model = Path.Combine(project, "Models", "net.cnn");
        File.WriteAllText(model, "model Net\n  input 1x28x28\n  conv2d 8, kernel=3, activation=relu\n  flatten\n  dense 10\n");
        File.WriteAllText(Path.Combine(project, "Program.cs"),
            "using static TorchSharp.torch;\nusing var model = new Consumer.Net();\nSystem.Console.WriteLine(Consumer.Net.ParameterCount + \" \" + string.Join(\",\", model.call(zeros(2, 1, 28, 28)).shape));\n");

        var output = Run("dotnet", "run -nologo", project);
        Assert.EndsWith("54170 2,10", output.Trim());

        File.WriteAllText(model, "model Net\n  input 1x28x28\n  conv2d 8, kernal=3\n");
        var failed = Run("dotnet", "build -nologo", project, expectFailure: true);
        Assert.Contains($"{model}(3,13): error CNN2002: Layer 'conv2d' has no argument 'kernal'; did you mean 'kernel'?", failed);
        Assert.DoesNotContain("CNN8001", failed);
    }

    [Fact]
    public void An_application_referencing_only_the_inference_package_predicts_an_image_without_torchsharp()
    {
        var project = Path.Combine(feed.Folder, "server");
        Directory.CreateDirectory(project);
        feed.WriteNuGetConfig(project);
        File.WriteAllText(Path.Combine(project, "Server.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><NoWarn>NU1603</NoWarn></PropertyGroup>
              <ItemGroup><PackageReference Include="CnnDsl.Inference" Version="{feed.Version}" /></ItemGroup>
            </Project>
            """);
        // A model checked from its text, started with the plan's initialisation, shown a grey picture of another size:
        // the preprocessing resizes it to 1x16x16 and normalises it as the facts say.
        File.WriteAllText(Path.Combine(project, "Program.cs"), """
            using System.Linq;
            using CnnDsl;
            using CnnDsl.Dsl;
            using CnnDsl.Inference;
            using CnnDsl.Onnx;
            using CnnDsl.Vision;
            var model = CnnCompilation.Compile("model Net\n  input 1x16x16\n  conv2d 4, 3, activation=relu\n  flatten\n  dense 3\n", "net.cnn").Models[0];
            var facts = new SavedFacts { ClassNames = new[] { "cat", "dog", "owl" }, NormalizationMean = new[] { 0.5f }, NormalizationStd = new[] { 0.25f } };
            using var inference = InferenceModel.FromWeights(model, ModelWeights.Initialize(model, seed: 1), facts);
            var pixels = new float[3 * 20 * 30];
            for (int i = 0; i < pixels.Length; i++) pixels[i] = (i % 7) / 7f;
            new ImageData(3, 20, 30, pixels).SavePng("picture.png");
            var top = inference.PredictImage("picture.png", top: 3);
            System.Console.WriteLine(string.Join(" ", top.Select(c => c.Name)) + " " + top.Sum(c => c.Probability).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture));
            """);

        var output = Run("dotnet", "run -nologo", project).Trim();
        var words = output.Split('\n').Last().Split(' ');
        Assert.Equal(new[] { "cat", "dog", "owl" }, words.Take(3).Order());
        Assert.Equal("1.000", words[3]);
        var assets = File.ReadAllText(Path.Combine(project, "obj", "project.assets.json"));
        Assert.Contains("\"CnnDsl.Vision/", assets);
        Assert.DoesNotContain("TorchSharp", assets);
        Assert.DoesNotContain("libtorch", assets);
        Assert.Empty(Directory.GetFiles(Path.Combine(project, "bin"), "*torch*", SearchOption.AllDirectories));
    }

    [Fact]
    public void The_template_makes_a_project_that_builds_and_trains_with_no_edits()
    {
        var project = NewTemplateProject("MyNet");
        Assert.True(File.Exists(Path.Combine(project, "Models", "Net.cnn")));
        Assert.Contains($"Include=\"CnnDsl\" Version=\"{feed.Version}\"", File.ReadAllText(Path.Combine(project, "MyNet.csproj")));

        var output = Run("dotnet", "run -nologo", project);
        Assert.DoesNotContain("CNN8001", output);
        // The compiler's summary of the template's model, then four epochs and the test accuracy on images it made.
        Assert.Contains("Total params: 3,603", output);
        var accuracy = Regex.Match(output, @"Test accuracy: ([0-9.]+) % on 120 images");
        Assert.True(accuracy.Success, output);
        Assert.True(double.Parse(accuracy.Groups[1].Value, CultureInfo.InvariantCulture) >= 90, output);
    }

    /// <summary>The README's commands, with a private template hive instead of the user's; the project restores from the local feed.</summary>
    string NewTemplateProject(string name)
    {
        var hive = Path.Combine(feed.Folder, "hive-" + name);
        var templates = Path.Combine(feed.Feed, $"CnnDsl.Templates.{feed.Version}.nupkg");
        Run("dotnet", $"new install \"{templates}\" --debug:custom-hive \"{hive}\"", feed.Folder);
        var projects = Directory.CreateDirectory(Path.Combine(feed.Folder, "projects")).FullName;
        Run("dotnet", $"new cnndsl -n {name} --debug:custom-hive \"{hive}\"", projects);
        var project = Path.Combine(projects, name);
        feed.WriteNuGetConfig(project);
        return project;
    }

    internal static string Run(string file, string arguments, string directory, bool expectFailure = false)
    {
        var start = new ProcessStartInfo(file, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), $"{file} {arguments} timed out");
        var output = stdout.Result + stderr.Result;
        Assert.True(expectFailure ? process.ExitCode != 0 : process.ExitCode == 0, $"{file} {arguments} exited with {process.ExitCode}:\n{output}");
        return output;
    }

    internal static string RepoRoot([CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
