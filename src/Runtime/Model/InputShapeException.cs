using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace CnnDsl
{
    /// <summary>
    /// Thrown by a generated model's forward when its input does not have the declared shape or an element type the
    /// model can take, before any libtorch call sees the tensor (a shape error inside some libtorch calls aborts the
    /// process instead of throwing, and a type error there names neither the model nor the fix).
    /// </summary>
    public sealed class InputShapeException : ArgumentException
    {
        public InputShapeException(string message)
            : base(message, "input")
        {
        }

        /// <summary>
        /// Throws unless <paramref name="input"/> is a batch of samples of the model's input shape with floating-point
        /// elements. Without the module the exact type of its parameters is unknown; the overload that takes the module
        /// checks it.
        /// </summary>
        public static void ThrowIfMismatch(CnnModelInfo model, Tensor input)
        {
            ThrowIfShapeMismatch(model, input);
            if (!input.is_floating_point())
                throw new InputShapeException(
                    $"{model.Name} expects float32 input (the type of its parameters, unless the model was converted), but got {Name(input.dtype)}.{Fix(input.dtype, ScalarType.Float32)}");
        }

        /// <summary>
        /// Throws unless <paramref name="input"/> is a batch of samples of the model's input shape whose element type is
        /// that of <paramref name="module"/>'s parameters (float32 unless the module was converted).
        /// </summary>
        public static void ThrowIfMismatch(CnnModelInfo model, Tensor input, nn.Module module)
        {
            ThrowIfShapeMismatch(model, input);
            var expected = module.parameters().FirstOrDefault()?.dtype ?? (input.is_floating_point() ? input.dtype : ScalarType.Float32);
            if (input.dtype != expected)
                throw new InputShapeException(
                    $"{model.Name} expects {Name(expected)} input (the type of its parameters), but got {Name(input.dtype)}.{Fix(input.dtype, expected)}");
        }

        static void ThrowIfShapeMismatch(CnnModelInfo model, Tensor input)
        {
            var expected = model.InputShape;
            var actual = input.shape;
            bool matches = actual.Length == expected.Count + 1;
            // -1 marks a size variable: any size the model's accepted-size rule allows.
            for (int i = 0; matches && i < expected.Count; i++)
                matches = expected[i] < 0 || actual[i + 1] == expected[i];
            if (!matches)
                throw new InputShapeException(
                    $"{model.Name} expects input of shape {Describe(model)}, but got ({string.Join(", ", actual)}).{Hint(expected, actual)}");
            if (model.HasSizeVariables && model.Accepts != null)
            {
                var sizes = model.SizeVariableDimensions!.Select(d => actual[d + 1]).ToArray();
                if (!model.Accepts(sizes))
                    throw new InputShapeException(
                        $"{model.Name} does not accept input of shape ({string.Join(", ", actual)}): it needs {model.AcceptedSizeRule}"
                        + (model.MinimumInputSize == null ? "" : $" (at least {string.Join("x", model.MinimumInputSize)})")
                        + "; resize the input to an accepted size.");
            }
        }

        static string Describe(CnnModelInfo model) =>
            model.InputShapeText == null ? Describe(model.InputShape) : "(N, " + model.InputShapeText.TrimStart('(');

        // PyTorch's names, which users see in their own code and in libtorch's messages.
        static string Name(ScalarType type) => type switch
        {
            ScalarType.Float32 => "float32",
            ScalarType.Float64 => "float64",
            ScalarType.Float16 => "float16",
            ScalarType.BFloat16 => "bfloat16",
            ScalarType.Byte => "uint8",
            ScalarType.Int8 => "int8",
            ScalarType.Int16 => "int16",
            ScalarType.Int32 => "int32",
            ScalarType.Int64 => "int64",
            ScalarType.Bool => "bool",
            _ => type.ToString().ToLowerInvariant(),
        };

        static string Fix(ScalarType actual, ScalarType expected)
        {
            var shorthand = expected switch
            {
                ScalarType.Float32 => " or input.@float()",
                ScalarType.Float64 => " or input.@double()",
                ScalarType.Float16 => " or input.half()",
                ScalarType.BFloat16 => " or input.bfloat16()",
                _ => "",
            };
            var fix = $" Convert it with input.to_type(ScalarType.{expected}){shorthand}";
            return actual == ScalarType.Byte
                ? fix + $"; uint8 pixels are usually also scaled to [0, 1]: input.to_type(ScalarType.{expected}).div(255)."
                : fix + ".";
        }

        static string Describe(IReadOnlyList<long> sample) =>
            "(N, " + string.Join(", ", sample) + ")" + (sample.Count == 3 ? " (N, C, H, W)" : "");

        static string Hint(IReadOnlyList<long> expected, long[] actual)
        {
            if (actual.Length == expected.Count && actual.Select((a, i) => expected[i] < 0 || a == expected[i]).All(m => m))
                return " Add a batch dimension, e.g. input.unsqueeze(0).";
            if (expected.Count == 3 && actual.Length == 4 && actual[3] == expected[0] && actual[1] != expected[0] && (expected[1] < 0 || actual[1] == expected[1]) && (expected[2] < 0 || actual[2] == expected[2]))
                return " The input looks channels-last (N, H, W, C); permute it with input.permute(0, 3, 1, 2).";
            return "";
        }
    }
}
