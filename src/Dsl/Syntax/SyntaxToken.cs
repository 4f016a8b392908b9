using CnnDsl.Dsl.Text;

namespace CnnDsl.Dsl.Syntax
{
    public sealed class SyntaxToken
    {
        public SyntaxToken(SyntaxKind kind, TextSpan span, string text)
        {
            Kind = kind;
            Span = span;
            Text = text;
        }

        public SyntaxKind Kind { get; }
        public TextSpan Span { get; }
        public string Text { get; }

        public string Describe() =>
            Kind == SyntaxKind.EndOfFileToken || Kind == SyntaxKind.NewLineToken ? SyntaxFacts.Describe(Kind) : "'" + Text + "'";
    }
}
