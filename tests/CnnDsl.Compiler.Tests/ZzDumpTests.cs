using System.IO;
using System.Linq;
using CnnDsl.Compiler.Tests.Infrastructure;
using Xunit;
namespace CnnDsl.Compiler.Tests;
public class ZzDumpTests
{
    [Fact]
    public void Dump()
    {
        var r = GeneratorHarness.RunCnn(File.ReadAllText("/tmp/gen/dump.cnn"));
        File.WriteAllText("/tmp/gen/dump.txt", string.Join("\n", r.CnnDiagnostics) + "\n" + string.Join("\n//====\n", r.HintNames.Select(h => "// " + h + "\n" + r.GeneratedSource(h))));
    }
}
