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
            for (int i = 0; matches && i < expected.Count; i++)
                matches = actual[i + 1] == expected[i];
            if (!matches)
                throw new InputShapeException(
                    $"{model.Name} expects input of shape {Describe(expected)}, but got ({string.Join(", ", actual)}).{Hint(expected, actual)}");
        }

        static string Describe(IReadOnlyList<long> sample) =>
            "(N, " + string.Join(", ", sample) + ")" + (sample.Count == 3 ? " (N, C, H, W)" : "");

        static string Hint(IReadOnlyList<long> expected, long[] actual)
        {
            if (actual.Length == expected.Count && actual.SequenceEqual(expected))
                return " Add a batch dimension, e.g. input.unsqueeze(0).";
            if (expected.Count == 3 && actual.Length == 4 && actual[3] == expected[0] && actual[1] == expected[1] && actual[2] == expected[2])
                return " The input looks channels-last (N, H, W, C); permute it with input.permute(0, 3, 1, 2).";
            return "";
        }
    }
}
