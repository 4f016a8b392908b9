using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using CnnDsl.Compiler.Tests.Infrastructure;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using Xunit;

namespace CnnDsl.Export.Tests.Infrastructure;

/// <summary>
/// A .cnn text checked by the Dsl and run through the real generator and Roslyn once per test run, however many tests
/// use it: compiling hundreds of models is the slow part of setting up a test.
/// </summary>
public static class CompiledModels
{
    static readonly ConcurrentDictionary<string, Lazy<(IReadOnlyList<BoundModel> Models, Assembly Assembly)>> Cache = new();

    public static (IReadOnlyList<BoundModel> Models, Assembly Assembly) Get(string text, string path) =>
        Cache.GetOrAdd(text, t => new Lazy<(IReadOnlyList<BoundModel>, Assembly)>(() =>
        {
            var compiled = CnnCompilation.Compile(t, path);
            Assert.True(compiled.Diagnostics.Count == 0, string.Join("\n", compiled.Diagnostics.Take(5)));
            return (compiled.Models, LoadedModels.Load(GeneratorHarness.RunCnn(t)));
        })).Value;
}
