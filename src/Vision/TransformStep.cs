using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CnnDsl.Vision;

namespace CnnDsl
{
    /// <summary>
    /// One step of an evaluation pipeline as data: the library's transforms by name and their numbers (<c>Resize</c>
    /// [size] or [height, width], <c>CenterCrop</c> [height, width], <c>ToTensor</c> [], <c>Normalize</c> [means...,
    /// deviations...]); a transform of the user's own by its type name, not restorable.
    /// </summary>
    public sealed record TransformStep(string Name, IReadOnlyList<double> Values, bool Restorable = true)
    {
        public bool Equals(TransformStep? other) => other != null && Name == other.Name && Restorable == other.Restorable && Values.SequenceEqual(other.Values);

        public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);

        public override string ToString() => Restorable
            ? $"{Name}({string.Join(", ", Values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))})"
            : $"{Name} (not restorable)";

        /// <summary>
        /// Recorded steps as a pipeline again, to apply to new images as in training. <paramref name="model"/> names the
        /// model in errors: a transform of the user's own cannot be restored from its name, nor a step this version does
        /// not know.
        /// </summary>
        public static Transform Restore(IEnumerable<TransformStep> steps, string? model)
        {
            var transforms = new List<Transform>();
            foreach (var step in steps)
            {
                var values = step.Values;
                bool Count(int n) => values.Count == n;
                transforms.Add(step.Name switch
                {
                    _ when !step.Restorable => throw new InvalidOperationException(
                        $"The evaluation transforms of {model ?? "the model"} include {step.Name}, a transform of the user's own that cannot be restored from its name; build the pipeline yourself."),
                    "Resize" when Count(1) => new Resize((int)values[0]),
                    "Resize" when Count(2) => new Resize((int)values[0], (int)values[1]),
                    "CenterCrop" when Count(2) => new CenterCrop((int)values[0], (int)values[1]),
                    "ToTensor" when Count(0) => new ToTensor(),
                    "Normalize" when values.Count % 2 == 0 && values.Count > 0 => new Normalize(
                        values.Take(values.Count / 2).Select(v => (float)v).ToArray(), values.Skip(values.Count / 2).Select(v => (float)v).ToArray()),
                    _ => throw new InvalidOperationException($"The evaluation transform {step} of {model ?? "the model"} is not one this version knows."),
                });
            }
            return new Compose(transforms.ToArray());
        }

        /// <summary>The steps of a pipeline as data (random transforms as they evaluate); a transform of the user's own by name.</summary>
        public static IReadOnlyList<TransformStep> Record(Transform transform)
        {
            var steps = new List<TransformStep>();
            void Add(Transform t)
            {
                switch (t)
                {
                    case Compose compose:
                        foreach (var inner in compose.Transforms)
                            Add(inner);
                        break;
                    case Identity:
                        break;
                    case Resize or CenterCrop or ToTensor or Normalize:
                        steps.Add(t.Step()!);
                        break;
                    default:
                        var evaluation = t.ForEvaluation();
                        if (!ReferenceEquals(evaluation, t))
                            Add(evaluation);
                        else
                            steps.Add(new TransformStep(t.GetType().Name, Array.Empty<double>(), Restorable: false));
                        break;
                }
            }
            Add(transform);
            return steps;
        }
    }
}
