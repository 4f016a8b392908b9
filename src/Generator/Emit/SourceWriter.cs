using System;
using System.Text;

namespace CnnDsl.Generator
{
    /// <summary>Writes indented C#: the generated code is built line by line, never through SyntaxFactory.</summary>
    internal sealed class SourceWriter
    {
        const string IndentUnit = "    ";
        readonly StringBuilder text = new StringBuilder();
        int indentation;

        public void WriteLine(string line = "")
        {
            if (line.Length > 0)
                for (int i = 0; i < indentation; i++)
                    text.Append(IndentUnit);
            text.Append(line).Append('\n');
        }

        /// <summary>Writes <paramref name="line"/> and an opening brace, then indents.</summary>
        public void OpenBlock(string line)
        {
            if (line.Length > 0)
                WriteLine(line);
            WriteLine("{");
            indentation++;
        }

        public void CloseBlock(string suffix = "")
        {
            indentation--;
            WriteLine("}" + suffix);
        }

        public void Indent() => indentation++;

        public void Unindent() => indentation--;

        public override string ToString()
        {
            if (indentation != 0)
                throw new InvalidOperationException("Unbalanced indentation in generated code.");
            return text.ToString();
        }
    }
}
