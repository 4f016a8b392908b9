using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Compiler.Tests.Infrastructure;

/// <summary>Compiles generated code with Roslyn, loads it, and measures the modules at run time with real tensors.</summary>
public static class LoadedModels
{
    /// <summary>Emits the compilation (generated code included) and loads it; fails on any compiler error or warning.</summary>
    public static Assembly Load(GeneratorResult result)
    {
        var problems = result.CompilerDiagnostics;
        Assert.True(problems.Count == 0, "The generated code does not compile cleanly:\n" + string.Join("\n", problems.Take(20)));
        using var stream = new MemoryStream();
        var emit = result.Output.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        return Assembly.Load(stream.ToArray());
    }

    public static nn.Module<Tensor, Tensor> Create(Assembly assembly, string typeName) =>
        (nn.Module<Tensor, Tensor>)Activator.CreateInstance(assembly.GetType(typeName, throwOnError: true)!, new object?[] { null })!;

    /// <summary>What the live module says about itself: shapes from a real forward pass, counts from parameters() and buffers().</summary>
    public static RuntimeFacts Measure(nn.Module<Tensor, Tensor> module, long[] inputShape)
    {
        var layerShapes = new List<(string Name, long[] Shape, long Parameters)>();
        var handles = new List<Action>();
        foreach (var (name, child) in module.named_children())
        {
            if (child is not nn.Module<Tensor, Tensor> layer)
                continue;
            long parameters = child.parameters().Sum(p => p.numel());
            var hook = layer.register_forward_hook((_, _, output) =>
            {
                layerShapes.Add((name, output.shape.Skip(1).ToArray(), parameters));
                return output;
            });
            handles.Add(hook.remove);
        }
        module.eval();
        long[] outputShape;
        using (no_grad())
        using (var input = rand(new[] { 2L }.Concat(inputShape).ToArray()))
        using (var output = module.call(input))
            outputShape = output.shape.Skip(1).ToArray();
        foreach (var remove in handles)
            remove();
        return new RuntimeFacts(
            outputShape,
            layerShapes,
            module.parameters().Sum(p => p.numel()),
            module.buffers().Sum(b => b.numel()),
            module.state_dict().Keys.ToList());
    }
}

public sealed record RuntimeFacts(long[] OutputShape, List<(string Name, long[] Shape, long Parameters)> Layers, long Parameters, long State, List<string> StateDictKeys);
