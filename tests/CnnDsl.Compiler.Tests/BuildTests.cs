using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using CnnDsl.Compiler.Tests.Infrastructure;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>A real <c>dotnet build</c> of a broken copy of the example prints our errors at the right file(line,col).</summary>
[Collection(Collection)]
public class BuildTests
{
    /// <summary>Tests that run dotnet build or pack on the repository's projects run one at a time.</summary>
    public const string Collection = "dotnet builds";

    [Fact]
    public void Dotnet_build_reports_model_errors_at_their_file_line_and_column()
    {
        var example = Path.Combine(RepoRoot(), "examples", "FashionMnist");
        var copy = Path.Combine(RepoRoot(), "tests", "CnnDsl.Compiler.Tests", "obj", "broken-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            CopyProject(example, copy);
            var cnnPath = Path.Combine(copy, "Models", "FashionCnn.cnn");
            var cnn = File.ReadAllText(cnnPath);
            int at = cnn.IndexOf("kernel=5", StringComparison.Ordinal);
            File.WriteAllText(cnnPath, cnn.Remove(at, "kernel".Length).Insert(at, "kernal"));
            var (cnnLine, cnnColumn) = LineColumn(cnn, at);

            var csPath = Path.Combine(copy, "Models", "SmallCnn.cs");
            var cs = File.ReadAllText(csPath);
            const string wide = "Conv2d(128, Kernel = 3, Activation = Activation.ReLU)";
            int attribute = cs.IndexOf(wide, StringComparison.Ordinal);
            File.WriteAllText(csPath, cs.Replace(wide, wide.Replace("Kernel = 3", "Kernel = 30")));
            var (csLine, csColumn) = LineColumn(cs, attribute);

            var output = Build(Path.Combine(copy, "FashionMnist.csproj"));

            Assert.Contains($"{cnnPath}({cnnLine},{cnnColumn}): error CNN2002: Layer 'conv2d' has no argument 'kernal'; did you mean 'kernel'?", output);
            Assert.Contains($"{csPath}({csLine},{csColumn}): error CNN2011: Layer 'conv2d_2' turns an input height of 5 into -24 (kernel 30, stride 1, padding 0, dilation 1); use padding=same or a smaller kernel; the model needs an input of at least 126x126 (it is 28x28)", output);
            Assert.DoesNotContain("CS8785", output);
        }
        finally
        {
            if (Directory.Exists(copy))
                Directory.Delete(copy, recursive: true);
        }
    }

    static string Build(string project)
    {
        var (exitCode, output) = DotNet.Build(project, "-p:TreatWarningsAsErrors=false");
        Assert.True(exitCode != 0, "The broken copy should not build:\n" + output);
        return output;
    }

    static void CopyProject(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.StartsWith("bin") || relative.StartsWith("obj"))
                continue;
            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        // The copy lives elsewhere in the repository, so its project references become absolute.
        var csproj = Path.Combine(to, "FashionMnist.csproj");
        var src = Path.Combine(RepoRoot(), "src");
        File.WriteAllText(csproj, File.ReadAllText(csproj).Replace("../../src", src));
    }

    static (int Line, int Column) LineColumn(string text, int position)
    {
        int line = text[..position].Count(c => c == '\n') + 1;
        int column = position - (text.LastIndexOf('\n', Math.Max(0, position - 1)) + 1) + 1;
        return (line, column);
    }

    static string RepoRoot([CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
