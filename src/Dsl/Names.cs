using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace CnnDsl.Dsl
{
    /// <summary>Name conversions and lookups shared by the binder and the generator.</summary>
    public static class Names
    {
        static readonly HashSet<string> CSharpKeywords = new HashSet<string>
        {
            "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
            "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
            "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
            "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
            "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
            "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
            "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
            "__arglist", "__makeref", "__reftype", "__refvalue",
        };

        /// <summary><c>ceil_mode</c> to <c>CeilMode</c>.</summary>
        public static string ToPascalCase(string snake) =>
            string.Concat(snake.Split('_').Where(part => part.Length > 0).Select(part => char.ToUpperInvariant(part[0]) + part.Substring(1)));

        /// <summary><c>BasicBlock</c> to <c>basic_block</c>, for default layer names.</summary>
        public static string ToSnakeCase(string pascal)
        {
            var text = new StringBuilder();
            for (int i = 0; i < pascal.Length; i++)
            {
                if (char.IsUpper(pascal[i]) && i > 0 && !char.IsUpper(pascal[i - 1]))
                    text.Append('_');
                text.Append(char.ToLowerInvariant(pascal[i]));
            }
            return text.ToString();
        }

        /// <summary>A spelling-insensitive key: <c>LogSoftmax</c>, <c>log_softmax</c> and <c>logsoftmax</c> are the same name.</summary>
        public static string Fold(string name) => name.Replace("_", "").ToLowerInvariant();

        public static bool IsCSharpKeyword(string name) => CSharpKeywords.Contains(name);

        public static bool IsIdentifier(string name)
        {
            if (name.Length == 0 || !(char.IsLetter(name[0]) || name[0] == '_'))
                return false;
            return name.All(c => char.IsLetterOrDigit(c) || c == '_');
        }

        /// <summary>The candidate closest to <paramref name="name"/> by edit distance, if it is close enough to be a likely typo.</summary>
        public static string? ClosestMatch(string name, IEnumerable<string> candidates)
        {
            // Only a match within the limit is offered, and an edit distance is at least the difference in length, so most
            // candidates are skipped without a distance: a "did you mean" over thousands of tensor names stays cheap.
            int limit = System.Math.Max(2, name.Length / 3);
            var folded = Fold(name);
            string? best = null;
            int bestDistance = limit + 1;
            foreach (var candidate in candidates)
            {
                var other = Fold(candidate);
                if (System.Math.Abs(other.Length - folded.Length) >= bestDistance)
                    continue;
                int distance = EditDistance(folded, other);
                if (distance < bestDistance)
                {
                    bestDistance = distance;
                    best = candidate;
                    if (distance == 0)
                        break;
                }
            }
            return best;
        }

        public static string DidYouMean(string? suggestion) => suggestion == null ? "" : "; did you mean '" + suggestion + "'?";

        static int EditDistance(string a, string b)
        {
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (int j = 0; j <= b.Length; j++)
                previous[j] = j;
            for (int i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (int j = 1; j <= b.Length; j++)
                {
                    int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                    current[j] = System.Math.Min(substitution, System.Math.Min(previous[j] + 1, current[j - 1] + 1));
                }
                var swap = previous;
                previous = current;
                current = swap;
            }
            return previous[b.Length];
        }

        public static string JoinOr(IEnumerable<string> items)
        {
            var list = items.ToList();
            if (list.Count <= 1)
                return string.Join("", list);
            var text = new StringBuilder();
            text.Append(string.Join(", ", list.Take(list.Count - 1)));
            text.Append(" or ").Append(list[list.Count - 1]);
            return text.ToString();
        }
    }
}
