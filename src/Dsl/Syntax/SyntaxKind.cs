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
        PlusToken,
        StarToken,
        SlashToken,
        SlashSlashToken,
        PercentToken,
        LessToken,
        LessEqualsToken,
        GreaterToken,
        GreaterEqualsToken,
        EqualsEqualsToken,
        BangEqualsToken,
        OpenBraceToken,
        CloseBraceToken,
    }

    public static class SyntaxFacts
    {
        /// <summary>Whether a token ends an operand, so that a following <c>//</c> can be a division.</summary>
        public static bool EndsOperand(SyntaxKind kind) =>
            kind == SyntaxKind.NumberToken || kind == SyntaxKind.IdentifierToken || kind == SyntaxKind.CloseParenToken;

        /// <summary>Whether a token may continue an expression after an operand.</summary>
        public static bool ContinuesExpression(SyntaxKind kind) =>
            kind >= SyntaxKind.PlusToken && kind <= SyntaxKind.BangEqualsToken && kind != SyntaxKind.SlashToken
            || kind == SyntaxKind.MinusToken;

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
                case SyntaxKind.PlusToken: return "'+'";
                case SyntaxKind.StarToken: return "'*'";
                case SyntaxKind.SlashToken: return "'/'";
                case SyntaxKind.SlashSlashToken: return "'//'";
                case SyntaxKind.PercentToken: return "'%'";
                case SyntaxKind.LessToken: return "'<'";
                case SyntaxKind.LessEqualsToken: return "'<='";
                case SyntaxKind.GreaterToken: return "'>'";
                case SyntaxKind.GreaterEqualsToken: return "'>='";
                case SyntaxKind.EqualsEqualsToken: return "'=='";
                case SyntaxKind.BangEqualsToken: return "'!='";
                case SyntaxKind.OpenBraceToken: return "'{'";
                case SyntaxKind.CloseBraceToken: return "'}'";
                default: return "an invalid token";
            }
        }
    }
}
