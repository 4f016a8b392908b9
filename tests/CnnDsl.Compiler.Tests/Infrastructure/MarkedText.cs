using System.Collections.Generic;
using System.Text;

namespace CnnDsl.Compiler.Tests.Infrastructure;

/// <summary>Text with expected diagnostic spans marked inline as <c>[|...|]</c>; the markers are removed.</summary>
public sealed class MarkedText
{
    public MarkedText(string marked)
    {
        var text = new StringBuilder();
        var spans = new List<(int, int)>();
        var starts = new Stack<int>();
        for (int i = 0; i < marked.Length; i++)
        {
            if (i + 1 < marked.Length && marked[i] == '[' && marked[i + 1] == '|')
            {
                starts.Push(text.Length);
                i++;
            }
            else if (i + 1 < marked.Length && marked[i] == '|' && marked[i + 1] == ']')
            {
                spans.Add((starts.Pop(), text.Length));
                i++;
            }
            else
            {
                text.Append(marked[i]);
            }
        }
        spans.Sort();
        Text = text.ToString();
        Spans = spans;
    }

    public string Text { get; }
    public IReadOnlyList<(int Start, int End)> Spans { get; }
}
