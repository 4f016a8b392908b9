using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace CnnDsl
{
    /// <summary>
    /// Thrown by a generated model's forward when its input does not have the declared shape, before any libtorch call
    /// sees the tensor (a shape error inside some libtorch calls aborts the process instead of throwing).
    /// </summary>
    public sealed class InputShapeException : ArgumentException
    {
        public InputShapeException(string message)
            : base(message, "input")
        {
        }

        /// <summary>Throws unless <paramref name="input"/> is a batch of samples of the model's input shape.</summary>
        public static void ThrowIfMismatch(CnnModelInfo model, Tensor input)
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
