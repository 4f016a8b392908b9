using System.Collections.Generic;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Text;

namespace CnnDsl.Dsl.Syntax
{
    /// <summary>
    /// Splits a .cnn text into tokens. Line ends are tokens (a line is a statement); spaces, tabs, a byte-order mark
    /// and '#' or '//' comments are skipped. A bad character is reported once and skipped.
    /// </summary>
    internal sealed class Lexer
    {
        readonly SourceText text;
        readonly DiagnosticBag diagnostics;
        int position;
        SyntaxKind previousKind = SyntaxKind.NewLineToken;

        public Lexer(SourceText text, DiagnosticBag diagnostics)
        {
            this.text = text;
            this.diagnostics = diagnostics;
        }

        public IReadOnlyList<SyntaxToken> LexAll()
        {
            var tokens = new List<SyntaxToken>();
            while (true)
            {
                // Bad tokens stay in the stream, already reported, so the parser can skip their line quietly.
                var token = Lex();
                tokens.Add(token);
                previousKind = token.Kind;
                if (token.Kind == SyntaxKind.EndOfFileToken)
                    return tokens;
            }
        }

        char Current => Peek(0);

        char Peek(int offset) => position + offset < text.Length ? text[position + offset] : '\0';

        SyntaxToken Lex()
        {
            SkipTrivia();
            int start = position;
            if (position >= text.Length)
                return new SyntaxToken(SyntaxKind.EndOfFileToken, new TextSpan(text.Length, 0), "");

            char c = Current;
            switch (c)
            {
                case '\r':
                    position += Peek(1) == '\n' ? 2 : 1;
                    return Token(SyntaxKind.NewLineToken, start);
                case '\n':
                case '\u0085':
                case '\u2028':
                case '\u2029':
                    position++;
                    return Token(SyntaxKind.NewLineToken, start);
                case ',': position++; return Token(SyntaxKind.CommaToken, start);
                case '=': position++; return Token(SyntaxKind.EqualsToken, start);
                case ':': position++; return Token(SyntaxKind.ColonToken, start);
                case '-': position++; return Token(SyntaxKind.MinusToken, start);
                case '(': position++; return Token(SyntaxKind.OpenParenToken, start);
                case ')': position++; return Token(SyntaxKind.CloseParenToken, start);
                case '.':
                    position++;
                    return Token(SyntaxKind.DotToken, start);
            }

            if (IsDigit(c))
                return LexNumber(start);
            if (IsIdentifierStart(c))
            {
                while (IsIdentifierPart(Current))
                    position++;
                return Token(SyntaxKind.IdentifierToken, start);
            }

            position++;
            diagnostics.ReportUnexpectedCharacter(text.GetLocation(new TextSpan(start, 1)), c);
            return Token(SyntaxKind.BadToken, start);
        }

        // A number, or a shape such as 1x28x28 when digits are joined by 'x'.
        SyntaxToken LexNumber(int start)
        {
            bool isShape = false;
            ReadDigits();
            while ((Current == 'x' || Current == 'X') && IsDigit(Peek(1)))
            {
                isShape = true;
                position++;
                ReadDigits();
            }
            // After a dot the number is a part of a dotted name (features.0.weight), never a fraction.
            if (!isShape && previousKind != SyntaxKind.DotToken)
            {
                if (Current == '.' && IsDigit(Peek(1)))
                {
                    position++;
                    ReadDigits();
                }
                if ((Current == 'e' || Current == 'E') && (IsDigit(Peek(1)) || ((Peek(1) == '-' || Peek(1) == '+') && IsDigit(Peek(2)))))
                {
                    position += 2;
                    ReadDigits();
                }
            }
            // Letters glued to a number ("5k", "1x") make one bad number, not two tokens.
            bool glued = false;
            while (IsIdentifierPart(Current) || (Current == '.' && IsDigit(Peek(1)) && previousKind != SyntaxKind.DotToken))
            {
                glued = true;
                position++;
            }
            var token = Token(isShape ? SyntaxKind.ShapeToken : SyntaxKind.NumberToken, start);
            if (glued)
            {
                if (isShape || token.Text.IndexOf('x') >= 0 || token.Text.IndexOf('X') >= 0)
                    diagnostics.ReportInvalidShape(text.GetLocation(token.Span), token.Text);
                else
                    diagnostics.ReportInvalidNumber(text.GetLocation(token.Span), token.Text);
                return new SyntaxToken(SyntaxKind.BadToken, token.Span, token.Text);
            }
            return token;
        }

        void ReadDigits()
        {
            while (IsDigit(Current) || Current == '_')
                position++;
        }

        void SkipTrivia()
        {
            while (position < text.Length)
            {
                char c = Current;
                if (c == ' ' || c == '\t' || c == '\uFEFF' || c == '\f' || c == '\v')
                    position++;
                else if (c == '#' || (c == '/' && Peek(1) == '/'))
                    while (position < text.Length && !IsLineBreak(Current))
                        position++;
                else
                    return;
            }
        }

        SyntaxToken Token(SyntaxKind kind, int start) =>
            new SyntaxToken(kind, TextSpan.FromBounds(start, position), text.Text.Substring(start, position - start));

        static bool IsLineBreak(char c) => c == '\r' || c == '\n' || c == '\u0085' || c == '\u2028' || c == '\u2029';

        static bool IsDigit(char c) => c >= '0' && c <= '9';

        static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_';

        static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c == '_';
    }
}
