using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// The one package users reference: packed from the runtime project, consumed by a fresh project outside this
/// repository with no csproj editing. Its .cnn file is picked up, checked and generated; TorchSharp loads; a mistake
/// is a compiler error at the right place.
/// </summary>
[Collection(BuildTests.Collection)]
public class PackageTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("cnndsl-package-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void A_fresh_project_referencing_the_package_checks_generates_and_runs_its_models()
    {
        var feed = Path.Combine(folder, "feed");
        var version = "0.0.1-test" + DateTime.UtcNow.Ticks;
        Run("dotnet", $"pack \"{Path.Combine(RepoRoot(), "src", "Runtime", "CnnDsl.Runtime.csproj")}\" -c Release -o \"{feed}\" -p:Version={version} -nologo", RepoRoot());

        var project = Path.Combine(folder, "consumer");
        Directory.CreateDirectory(Path.Combine(project, "Models"));
        File.WriteAllText(Path.Combine(project, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{Path.Combine(folder, "packages")}" /></config>
              <packageSources><add key="local" value="{feed}" /></packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(project, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><NoWarn>NU1603</NoWarn></PropertyGroup>
              <ItemGroup><PackageReference Include="CnnDsl" Version="{version}" /></ItemGroup>
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
    }

    static string Run(string file, string arguments, string directory, bool expectFailure = false)
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

    static string RepoRoot([CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
