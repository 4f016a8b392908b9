using System.Collections.Generic;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Text;

namespace CnnDsl.Dsl.Syntax
{
    /// <summary>
    /// Splits a .cnn text into tokens. Line ends are tokens (a line is a statement); spaces, tabs, a byte-order mark
    /// and '#' comments (and '//' ones where '//' cannot be a floor division) are skipped. A bad character is reported once and skipped.
    /// </summary>
    internal sealed class Lexer
    {
        readonly SourceText text;
        readonly DiagnosticBag diagnostics;
        int position;
        SyntaxKind previousKind = SyntaxKind.NewLineToken;
        bool previousWasOperandInExpression;

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
                // The first word of a line is a statement or layer kind, never an operand of '//'.
                previousWasOperandInExpression = previousKind != SyntaxKind.NewLineToken && token.Kind != SyntaxKind.NewLineToken;
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
                case '=' when Peek(1) == '=': position += 2; return Token(SyntaxKind.EqualsEqualsToken, start);
                case '=': position++; return Token(SyntaxKind.EqualsToken, start);
                case '!' when Peek(1) == '=': position += 2; return Token(SyntaxKind.BangEqualsToken, start);
                case '<' when Peek(1) == '=': position += 2; return Token(SyntaxKind.LessEqualsToken, start);
                case '<': position++; return Token(SyntaxKind.LessToken, start);
                case '>' when Peek(1) == '=': position += 2; return Token(SyntaxKind.GreaterEqualsToken, start);
                case '>': position++; return Token(SyntaxKind.GreaterToken, start);
                case '+': position++; return Token(SyntaxKind.PlusToken, start);
                case '*': position++; return Token(SyntaxKind.StarToken, start);
                case '%': position++; return Token(SyntaxKind.PercentToken, start);
                case '{': position++; return Token(SyntaxKind.OpenBraceToken, start);
                case '}': position++; return Token(SyntaxKind.CloseBraceToken, start);
                case '/' when Peek(1) == '/': position += 2; return Token(SyntaxKind.SlashSlashToken, start);
                case '/': position++; return Token(SyntaxKind.SlashToken, start);
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

            // A character outside the Basic Multilingual Plane (an emoji) is two UTF-16 units: one diagnostic names it whole.
            int length = char.IsHighSurrogate(c) && char.IsLowSurrogate(Peek(1)) ? 2 : 1;
            position += length;
            diagnostics.ReportUnexpectedCharacter(text.GetLocation(new TextSpan(start, length)), text.Text.Substring(start, length));
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
            // 3xHxW: a shape with size variables; the parser splits it.
            if ((Current == 'x' || Current == 'X') && IsIdentifierStart(Peek(1)))
            {
                position++;
                while (IsIdentifierPart(Current))
                    position++;
                return Token(SyntaxKind.ShapeToken, start);
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
                else if (c == '#' || (c == '/' && Peek(1) == '/' && !SlashSlashIsDivision()))
                    while (position < text.Length && !IsLineBreak(Current))
                        position++;
                else
                    return;
            }
        }

        // '//' is floor division between two operands (h // 2, (h + 1) // 2, c // groups), and a comment anywhere else:
        // after the first word of a line, or when what follows reads as words rather than one operand and the line's end.
        bool SlashSlashIsDivision()
        {
            if (!SyntaxFacts.EndsOperand(previousKind) || !previousWasOperandInExpression)
                return false;
            int i = position + 2;
            while (i < text.Length && (text[i] == ' ' || text[i] == '\t'))
                i++;
            if (i >= text.Length)
                return false;
            char c = text[i];
            if (c == '(' || c == '-')
                return true;
            if (!IsDigit(c) && !IsIdentifierStart(c))
                return false;
            while (i < text.Length && (IsIdentifierPart(text[i]) || text[i] == '.'))
                i++;
            while (i < text.Length && (text[i] == ' ' || text[i] == '\t'))
                i++;
            if (i >= text.Length || IsLineBreak(text[i]) || text[i] == '#')
                return true;
            return ",)+-*/%<>=!}".IndexOf(text[i]) >= 0 || StartsWord(i, "and") || StartsWord(i, "or");
        }

        bool StartsWord(int i, string word) =>
            string.CompareOrdinal(text.Text, i, word, 0, word.Length) == 0 && (i + word.Length >= text.Length || !IsIdentifierPart(text[i + word.Length]));

        SyntaxToken Token(SyntaxKind kind, int start) =>
            new SyntaxToken(kind, TextSpan.FromBounds(start, position), text.Text.Substring(start, position - start));

        static bool IsLineBreak(char c) => c == '\r' || c == '\n' || c == '\u0085' || c == '\u2028' || c == '\u2029';

        static bool IsDigit(char c) => c >= '0' && c <= '9';

        static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_';

        static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c == '_';
    }
}
