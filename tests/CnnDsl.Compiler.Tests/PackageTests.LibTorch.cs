using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// Which libtorch an application runs on: the package brings none, the template's project picks the CPU one for its
/// runtime identifier, and an application that has none is told at build time with the line to add.
/// </summary>
public partial class PackageTests
{
    [Fact]
    public void The_package_depends_on_torchsharp_but_on_no_libtorch()
    {
        using var package = ZipFile.OpenRead(Path.Combine(feed.Feed, $"CnnDsl.{feed.Version}.nupkg"));
        using var reader = new StreamReader(package.GetEntry("CnnDsl.nuspec")!.Open());
        var nuspec = reader.ReadToEnd();

        Assert.Contains("<dependency id=\"TorchSharp\"", nuspec);
        Assert.DoesNotContain("libtorch", nuspec, StringComparison.OrdinalIgnoreCase);
        var buildFiles = package.Entries.Select(e => e.FullName).Where(n => n.StartsWith("buildTransitive/", StringComparison.Ordinal)).Order();
        Assert.Equal(["buildTransitive/CnnDsl.props", "buildTransitive/CnnDsl.targets", "buildTransitive/TorchSharpNativeFix.targets"], buildFiles);
    }

    [Theory]
    [InlineData(null, "libtorch-cpu-linux-x64")]
    [InlineData("win-x64", "libtorch-cpu-win-x64")]
    [InlineData("osx-arm64", "libtorch-cpu-osx-arm64")]
    public void The_template_project_restores_the_cpu_libtorch_of_its_runtime_identifier(string? runtimeIdentifier, string expected)
    {
        var project = NewTemplateProject("Rid" + (runtimeIdentifier ?? "Default").Replace("-", ""));

        Run("dotnet", "restore -nologo" + (runtimeIdentifier is null ? "" : $" -p:RuntimeIdentifier={runtimeIdentifier}"), project);

        using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(project, "obj", "project.assets.json")));
        var libTorches = assets.RootElement.GetProperty("libraries").EnumerateObject()
            .Select(library => library.Name).Where(name => name.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase));
        Assert.Equal([$"{expected}/{feed.LibTorchVersion}"], libTorches);
    }

    [Fact]
    public void An_application_without_libtorch_is_warned_with_the_line_to_add()
    {
        var project = Path.Combine(feed.Folder, "no-libtorch");
        Directory.CreateDirectory(project);
        feed.WriteNuGetConfig(project);
        File.WriteAllText(Path.Combine(project, "NoLibTorch.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><NoWarn>NU1603</NoWarn></PropertyGroup>
              <ItemGroup><PackageReference Include="CnnDsl" Version="{feed.Version}" /></ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "net.cnn"), "model Net\n  input 1x28x28\n  flatten\n  dense 10\n");
        File.WriteAllText(Path.Combine(project, "Program.cs"), "using var model = new NoLibTorch.Net();\nSystem.Console.WriteLine(\"constructed\");\n");

        var output = Run("dotnet", "build -nologo", project);
        Assert.Contains("warning CNN8001: NoLibTorch references no libtorch, so TorchSharp will fail at its first tensor: add "
            + $"<PackageReference Include=\"libtorch-cpu-linux-x64\" Version=\"{feed.LibTorchVersion}\" /> for linux-x64", output);

        // Run anyway, the generated model's constructor (the program's first TorchSharp call) explains what is missing,
        // instead of TorchSharp's DllNotFoundException.
        var run = Run("dotnet", "run -nologo --no-build", project, expectFailure: true);
        Assert.Contains("CnnDsl.TorchLoadException: libtorch could not be loaded.", run);
        Assert.Contains("the libtorch package (libtorch-cpu-linux-x64) is missing from the application's references", run);
        Assert.DoesNotContain("constructed", run);

        var silenced = Run("dotnet", "build -nologo -p:CnnDslNoLibTorchCheck=true", project);
        Assert.DoesNotContain("CNN8001", silenced);
        var cuda = Run("dotnet", "build -nologo -p:CudaFromPyTorch=true", project);
        Assert.DoesNotContain("CNN8001", cuda);
    }

    [Fact]
    public void A_project_importing_the_source_build_file_checks_generates_and_runs_its_models()
    {
        // From a clone instead of the package: the project lies outside the repository (no Directory.Build files reach
        // it) and restores from the machine's own sources, like the repository's projects it builds.
        var project = Path.Combine(feed.Folder, "from-source");
        Directory.CreateDirectory(Path.Combine(project, "Models"));
        File.WriteAllText(Path.Combine(project, "FromSource.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <Import Project="{Path.Combine(RepoRoot(), "build", "CnnDsl.Source.targets")}" />
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework></PropertyGroup>
              <ItemGroup><PackageReference Include="libtorch-cpu-linux-x64" Version="{feed.LibTorchVersion}" /></ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "Models", "net.cnn"), "model Net\n  input 1x28x28\n  conv2d 8, kernel=3, activation=relu\n  flatten\n  dense 10\n");
        File.WriteAllText(Path.Combine(project, "Program.cs"),
            "using static TorchSharp.torch;\nusing var model = new FromSource.Net();\nSystem.Console.WriteLine(FromSource.Net.ParameterCount + \" \" + string.Join(\",\", model.call(zeros(2, 1, 28, 28)).shape));\n");

        // Running at all needs the libstdc++ fix on systems older than libtorch's build (this one).
        var output = Run("dotnet", "run -nologo", project);
        Assert.EndsWith("54170 2,10", output.Trim());
        Assert.DoesNotContain("CNN8001", output);
    }
}
