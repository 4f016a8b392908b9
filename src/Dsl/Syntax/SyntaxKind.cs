namespace CnnDsl.Dsl.Syntax
{
    public enum SyntaxKind
    {
        BadToken,
        EndOfFileToken,
        NewLineToken,
        IdentifierToken,
        NumberToken,
        ShapeToken,
        CommaToken,
        EqualsToken,
        ColonToken,
        DotToken,
        MinusToken,
        OpenParenToken,
        CloseParenToken,
    }

    public static class SyntaxFacts
    {
        public static string Describe(SyntaxKind kind)
        {
            switch (kind)
            {
                case SyntaxKind.EndOfFileToken: return "end of file";
                case SyntaxKind.NewLineToken: return "end of line";
                case SyntaxKind.IdentifierToken: return "a name";
                case SyntaxKind.NumberToken: return "a number";
                case SyntaxKind.ShapeToken: return "a shape";
                case SyntaxKind.CommaToken: return "','";
                case SyntaxKind.EqualsToken: return "'='";
                case SyntaxKind.ColonToken: return "':'";
                case SyntaxKind.DotToken: return "'.'";
                case SyntaxKind.MinusToken: return "'-'";
                case SyntaxKind.OpenParenToken: return "'('";
                case SyntaxKind.CloseParenToken: return "')'";
                default: return "an invalid token";
            }
        }
    }
}
