using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Text;

namespace CnnDsl.Fuzz;

/// <summary>One layer of a random model, in a form both the .cnn text and the attribute form can be written from.</summary>
public sealed record LayerSpec(string Kind, BigInteger[] Numbers, bool Same = false, bool Bias = true, bool CeilMode = false, BigInteger Groups = default);

/// <summary>
/// A random model of the layer kinds whose sizes and counts are simple to recompute (convolution, dense, batch norm,
/// flatten, pooling, zero padding, dropout, activations). <see cref="Expect"/> recomputes its shapes and counts in
/// arbitrary precision, from the PyTorch formulas, without any code of the compiler.
/// </summary>
public sealed class ModelSpec
{
    public ModelSpec(string name, BigInteger[] input, List<LayerSpec> layers)
    {
        Name = name;
        Input = input;
        Layers = layers;
    }

    public string Name { get; }
    public BigInteger[] Input { get; }
    public List<LayerSpec> Layers { get; }

    static readonly BigInteger LongMax = long.MaxValue;

    /// <summary>
    /// The expected facts, or <see cref="Expectation.MustFail"/> when a size is not positive or a size, element count or
    /// parameter count does not fit a 64-bit integer (libtorch's sizes and numel are int64).
    /// </summary>
    public Expectation Expect()
    {
        var shape = Input.ToArray();
        BigInteger parameters = 0, state = 0;
        string? failure = Check(shape, "input");
        foreach (var layer in Layers)
        {
            if (failure != null)
                break;
            var n = layer.Numbers;
            int rank = shape.Length;
            switch (layer.Kind)
            {
                case "conv1d" or "conv2d":
                {
                    var filters = n[0];
                    var kernel = n[1];
                    var stride = n[2];
                    var padding = n[3];
                    var dilation = n[4];
                    var groups = layer.Groups.IsZero ? BigInteger.One : layer.Groups;
                    var spatial = shape.Skip(1).Select(size => layer.Same ? CeilDiv(size, stride) : Floor(size + 2 * padding - dilation * (kernel - 1) - 1, stride) + 1);
                    parameters += filters * (shape[0] / groups) * BigInteger.Pow(kernel, rank - 1) + (layer.Bias ? filters : 0);
                    shape = new[] { filters }.Concat(spatial).ToArray();
                    break;
                }
                case "maxpool1d" or "maxpool2d" or "avgpool1d" or "avgpool2d":
                {
                    var kernel = n[0];
                    var stride = n[1];
                    var padding = n[2];
                    shape = new[] { shape[0] }.Concat(shape.Skip(1).Select(size => PoolSize(size, kernel, stride, padding, layer.CeilMode))).ToArray();
                    break;
                }
                case "zeropad1d" or "zeropad2d":
                    shape = new[] { shape[0] }.Concat(shape.Skip(1).Select(size => size + 2 * n[0])).ToArray();
                    break;
                case "batchnorm1d" or "batchnorm2d":
                    parameters += 2 * shape[0];
                    state += 2 * shape[0] + 1;
                    break;
                case "flatten":
                    shape = new[] { Product(shape) };
                    break;
                case "dense":
                    parameters += shape[0] * n[0] + (layer.Bias ? n[0] : 0);
                    shape = new[] { n[0] };
                    break;
            }
            failure = Check(shape, layer.Kind);
            if (failure == null && (parameters > LongMax || state > LongMax))
                failure = "a count above 2^63-1 after " + layer.Kind;
        }
        // What is derived from the counts must fit too: their size in bytes as float32.
        if (failure == null && (parameters + state) * 4 > LongMax)
            failure = "parameters and state of more than 2^63-1 bytes";
        return new Expectation(failure, parameters, state, shape);
    }

    static string? Check(BigInteger[] shape, string after)
    {
        if (shape.Any(size => size < 1))
            return "a size below 1 after " + after;
        if (Product(shape) > LongMax)
            return "more than 2^63-1 elements after " + after;
        return null;
    }

    // PyTorch's pooling_output_shape (aten/src/ATen/native/Pool.h), dilation 1: floor division of the span (plus
    // stride - 1 in ceil mode), and in ceil mode one less if the last window would start past the input and its left padding.
    static BigInteger PoolSize(BigInteger size, BigInteger kernel, BigInteger stride, BigInteger padding, bool ceilMode)
    {
        var output = Floor(size + 2 * padding - (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0), stride) + 1;
        if (ceilMode && (output - 1) * stride >= size + padding)
            output -= 1;
        return output;
    }

    static BigInteger Product(IEnumerable<BigInteger> values) => values.Aggregate(BigInteger.One, (a, b) => a * b);

    static BigInteger Floor(BigInteger a, BigInteger b)
    {
        var quotient = BigInteger.DivRem(a, b, out var remainder);
        return remainder != 0 && (a < 0) != (b < 0) ? quotient - 1 : quotient;
    }

    static BigInteger CeilDiv(BigInteger a, BigInteger b) => -Floor(-a, b);

    public string ToCnn(string? ns)
    {
        var text = new StringBuilder();
        if (ns != null)
            text.Append("namespace ").Append(ns).Append('\n');
        text.Append("model ").Append(Name).Append('\n');
        text.Append("  input ").Append(string.Join("x", Input)).Append('\n');
        foreach (var layer in Layers)
            text.Append("  ").Append(CnnLine(layer)).Append('\n');
        return text.ToString();
    }

    static string CnnLine(LayerSpec layer)
    {
        var n = layer.Numbers;
        switch (layer.Kind)
        {
            case "conv1d" or "conv2d":
                return layer.Kind + " " + n[0] + ", " + n[1]
                    + (n[2] != 1 ? ", stride=" + n[2] : "")
                    + (layer.Same ? ", padding=same" : n[3] != 0 ? ", padding=" + n[3] : "")
                    + (n[4] != 1 ? ", dilation=" + n[4] : "")
                    + (!layer.Groups.IsZero && layer.Groups != 1 ? ", groups=" + layer.Groups : "")
                    + (layer.Bias ? "" : ", bias=false");
            case "maxpool1d" or "maxpool2d" or "avgpool1d" or "avgpool2d":
                return layer.Kind + " " + n[0] + (n[1] != n[0] ? ", " + n[1] : "") + (n[2] != 0 ? ", padding=" + n[2] : "") + (layer.CeilMode ? ", ceil_mode=true" : "");
            case "zeropad1d" or "zeropad2d":
                return layer.Kind + " " + n[0];
            case "dense":
                return "dense " + n[0] + (layer.Bias ? "" : ", bias=false");
            case "dropout":
                return "dropout 0.25";
            default:
                return layer.Kind;
        }
    }

    /// <summary>The same model as a <c>[CnnModel]</c> class; null when a number does not fit the attribute's type.</summary>
    public string? ToAttributes(string ns)
    {
        var text = new StringBuilder();
        text.Append("namespace ").Append(ns).Append("\n{\n");
        text.Append("    [global::CnnDsl.CnnModel(Input = \"").Append(string.Join("x", Input)).Append("\")]\n");
        foreach (var layer in Layers)
        {
            var line = AttributeLine(layer);
            if (line == null)
                return null;
            text.Append("    [").Append(line).Append("]\n");
        }
        text.Append("    public partial class ").Append(Name).Append(";\n}\n");
        return text.ToString();
    }

    static string? AttributeLine(LayerSpec layer)
    {
        var n = layer.Numbers;
        // Constructor arguments are int; object-typed properties take a long as well.
        bool Int(BigInteger value) => value >= int.MinValue && value <= int.MaxValue;
        bool Long(BigInteger value) => value >= long.MinValue && value <= long.MaxValue;
        string Object(BigInteger value) => Int(value) ? value.ToString() : value + "L";
        const string Ns = "global::CnnDsl.";
        switch (layer.Kind)
        {
            case "conv1d" or "conv2d":
                if (!Int(n[0]) || !Int(layer.Groups) || !n.Skip(1).All(Long))
                    return null;
                return Ns + (layer.Kind == "conv1d" ? "Conv1d" : "Conv2d") + "(" + n[0] + ", Kernel = " + Object(n[1])
                    + (n[2] != 1 ? ", Stride = " + Object(n[2]) : "")
                    + (layer.Same ? ", Padding = " + Ns + "Padding.Same" : n[3] != 0 ? ", Padding = " + Object(n[3]) : "")
                    + (n[4] != 1 ? ", Dilation = " + Object(n[4]) : "")
                    + (!layer.Groups.IsZero && layer.Groups != 1 ? ", Groups = " + layer.Groups : "")
                    + (layer.Bias ? "" : ", Bias = false") + ")";
            case "maxpool1d" or "maxpool2d" or "avgpool1d" or "avgpool2d":
                if (!Int(n[0]) || !n.All(Long))
                    return null;
                var name = (layer.Kind.StartsWith("max") ? "MaxPool" : "AvgPool") + layer.Kind[^2..^1] + "d";
                return Ns + name + "(" + n[0] + ", Stride = " + Object(n[1]) + (n[2] != 0 ? ", Padding = " + Object(n[2]) : "") + (layer.CeilMode ? ", CeilMode = true" : "") + ")";
            case "zeropad1d" or "zeropad2d":
                return Int(n[0]) ? Ns + "ZeroPad" + layer.Kind[^2..^1] + "d(" + n[0] + ")" : null;
            case "dense":
                return Int(n[0]) ? Ns + "Dense(" + n[0] + (layer.Bias ? "" : ", Bias = false") + ")" : null;
            case "batchnorm1d":
                return Ns + "BatchNorm1d";
            case "batchnorm2d":
                return Ns + "BatchNorm2d";
            case "flatten":
                return Ns + "Flatten";
            case "dropout":
                return Ns + "Dropout(0.25)";
            case "relu":
                return Ns + "ReLU";
            default:
                throw new InvalidOperationException(layer.Kind);
        }
    }
}

/// <summary>What the compiler must say about a model: an error (<see cref="MustFail"/>), or exactly these facts.</summary>
public sealed record Expectation(string? MustFail, BigInteger Parameters, BigInteger State, BigInteger[] OutputShape)
{
    public string Describe() => MustFail != null
        ? "an error (" + MustFail + ")"
        : "ParameterCount " + Parameters.ToString(CultureInfo.InvariantCulture) + ", StateCount " + State + ", OutputShape (" + string.Join(", ", OutputShape) + ")";
}
