using System.Collections.Generic;

namespace CnnDsl.Dsl.Text
{
    /// <summary>The text of one source file with its line table, built once; lines are found by binary search.</summary>
    public sealed class SourceText
    {
        readonly int[] lineStarts;

        SourceText(string path, string text)
        {
            Path = path;
            Text = text;
            lineStarts = ComputeLineStarts(text);
        }

        public string Path { get; }
        public string Text { get; }
        public int Length => Text.Length;
        public int LineCount => lineStarts.Length;

        public char this[int index] => Text[index];

        public static SourceText From(string text, string path = "") => new SourceText(path, text);

        public string ToString(TextSpan span) => Text.Substring(span.Start, span.Length);

        /// <summary>The offset where a zero-based line starts.</summary>
        public int GetLineStart(int line) => lineStarts[line];

        public int GetLineIndex(int position)
        {
            int lower = 0, upper = lineStarts.Length - 1;
            while (lower <= upper)
            {
                int middle = lower + (upper - lower) / 2;
                if (lineStarts[middle] == position)
                    return middle;
                if (lineStarts[middle] > position)
                    upper = middle - 1;
                else
                    lower = middle + 1;
            }
            return lower - 1;
        }

        public LinePosition GetLinePosition(int position)
        {
            int line = GetLineIndex(position);
            return new LinePosition(line, position - lineStarts[line]);
        }

        public SourceLocation GetLocation(TextSpan span) =>
            new SourceLocation(Path, span, new LinePositionSpan(GetLinePosition(span.Start), GetLinePosition(span.End)));

        // \r\n, \r and \n each end a line, as in Roslyn, so that line numbers agree with the compiler's.
        static int[] ComputeLineStarts(string text)
        {
            var starts = new List<int> { 0 };
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '\r')
                {
                    if (i + 1 < text.Length && text[i + 1] == '\n')
                        i++;
                    starts.Add(i + 1);
                }
                else if (c == '\n' || c == '\u2028' || c == '\u2029' || c == '\u0085')
                {
                    starts.Add(i + 1);
                }
            }
            return starts.ToArray();
        }
    }
}
