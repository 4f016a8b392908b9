using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace CnnDsl.Dsl.Summary
{
    /// <summary>
    /// Writes a model summary in Keras' <c>model.summary()</c> layout, with shapes in NCHW order as TorchSharp has them.
    /// The compile-time summary (from the generator) and the run-time summary (from a live module) both go through here,
    /// so that equal facts always print as equal text.
    /// </summary>
    public static class ModelSummaryFormatter
    {
        const int NameWidth = 40;
        const int ShapeWidth = 26;
        const int ParamWidth = 12;
        const int Width = NameWidth + ShapeWidth + ParamWidth;

        /// <param name="modelName">The model's name, printed in the title.</param>
        /// <param name="rows">The layers in forward order.</param>
        /// <param name="totalParameters">Elements of all parameters.</param>
        /// <param name="trainableParameters">Elements of the parameters that require gradients.</param>
        /// <param name="stateElements">Elements of buffers such as batch-norm running statistics (never trained).</param>
        /// <param name="bytesPerElement">Size of one element (4 for float32), for the sizes in parentheses.</param>
        public static string Format(string modelName, IReadOnlyList<SummaryRow> rows, long totalParameters,
            long trainableParameters, long stateElements, int bytesPerElement = 4)
        {
            var text = new StringBuilder();
            text.Append("Model: \"").Append(modelName).Append('"').Append('\n');
            text.Append('_', Width).Append('\n');
            AppendRow(text, " Layer (type)", "Output Shape", "Param #");
            text.Append('=', Width).Append('\n');
            for (int i = 0; i < rows.Count; i++)
            {
                var row = rows[i];
                AppendRow(text, " " + row.Name + " (" + row.TypeName + ")", FormatShape(row.OutputShape), FormatCount(row.Parameters));
                text.Append(i == rows.Count - 1 ? '=' : '_', Width).Append('\n');
            }
            if (rows.Count == 0)
                text.Append('=', Width).Append('\n');
            AppendTotal(text, "Total params: ", totalParameters, bytesPerElement);
            AppendTotal(text, "Trainable params: ", trainableParameters, bytesPerElement);
            AppendTotal(text, "Non-trainable params: ", totalParameters - trainableParameters, bytesPerElement);
            if (stateElements != 0)
                AppendTotal(text, "Non-trainable state: ", stateElements, bytesPerElement);
            text.Append('_', Width).Append('\n');
            return text.ToString();
        }

        /// <summary>A shape as Keras prints it, with <c>None</c> for the batch dimension: <c>(None, 32, 28, 28)</c>.</summary>
        public static string FormatShape(IReadOnlyList<long> shapeWithoutBatch)
        {
            var text = new StringBuilder("(None");
            foreach (var dimension in shapeWithoutBatch)
                text.Append(", ").Append(dimension.ToString(CultureInfo.InvariantCulture));
            return text.Append(')').ToString();
        }

        /// <summary>The same for sizes already written out, some of them expressions.</summary>
        public static string FormatShape(IReadOnlyList<string> shapeWithoutBatch) => "(None" + string.Concat(shapeWithoutBatch.Select(d => ", " + d)) + ")";

        /// <summary>A count with thousands separators: <c>3,199,106</c>.</summary>
        public static string FormatCount(long count) => count.ToString("#,0", CultureInfo.InvariantCulture);

        /// <summary>A byte size in Keras' manner: <c>12.20 MB</c>.</summary>
        public static string FormatBytes(long bytes) => FormatBytes((double)bytes);

        /// <summary>The same for a size computed in floating point, which no product of counts can wrap.</summary>
        public static string FormatBytes(double bytes)
        {
            string[] units = { "B", "KB", "MB", "GB", "TB", "PB", "EB" };
            double value = bytes;
            int unit = 0;
            while (value >= 1024 && unit < units.Length - 1)
            {
                value /= 1024;
                unit++;
            }
            return unit == 0
                ? bytes.ToString("0", CultureInfo.InvariantCulture) + " B"
                : value.ToString("0.00", CultureInfo.InvariantCulture) + " " + units[unit];
        }

        static void AppendRow(StringBuilder text, string name, string shape, string parameters)
        {
            text.Append(Pad(name, NameWidth)).Append(Pad(shape, ShapeWidth)).Append(parameters.TrimEnd());
            text.Append('\n');
        }

        static void AppendTotal(StringBuilder text, string label, long count, int bytesPerElement) =>
            text.Append(label).Append(FormatCount(count)).Append(" (").Append(FormatBytes((double)count * bytesPerElement)).Append(')').Append('\n');

        // A column that overflows keeps one space before the next, as Keras does.
        static string Pad(string value, int width) => value.Length >= width ? value + " " : value.PadRight(width);
    }
}
