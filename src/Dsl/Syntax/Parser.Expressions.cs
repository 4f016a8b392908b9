using System.Collections.Generic;
using System.Globalization;
using CnnDsl.Dsl.Text;

namespace CnnDsl.Dsl.Syntax
{
    // Values and expressions: what may stand wherever a number, name or tuple is expected.
    public sealed partial class Parser
    {
        /// <summary>
        /// A value: a number, a name (<c>same</c>, a block parameter, a dotted tensor name), a parenthesised tuple, or an
        /// expression over them with <c>+ - * // %</c>, <c>min</c>/<c>max</c>, comparisons and <c>and or not</c>, in
        /// Python's precedence.
        /// </summary>
        ValueSyntax? ParseValue() => ParseOr(0);

        ValueSyntax? ParseOr(int depth) => ParseChain(depth, ParseAnd, () => IsWord("or"));

        ValueSyntax? ParseAnd(int depth) => ParseChain(depth, ParseNot, () => IsWord("and"));

        // Left-associative operators of one strength: operand (op operand)*.
        ValueSyntax? ParseChain(int depth, System.Func<int, ValueSyntax?> operand, System.Func<bool> atOperator)
        {
            var left = operand(depth);
            while (left != null && atOperator())
            {
                var op = Next();
                var right = operand(depth);
                left = right == null ? null : Binary(op.Text, left, right);
            }
            return left;
        }

        ValueSyntax? ParseNot(int depth)
        {
            if (!IsWord("not") || Peek(1).Kind == SyntaxKind.CommaToken || Peek(1).Kind == SyntaxKind.NewLineToken || Peek(1).Kind == SyntaxKind.EndOfFileToken)
                return ParseComparison(depth);
            var not = Next();
            if (!Deeper(depth, not))
                return null;
            var operand = ParseNot(depth + 1);
            return operand == null ? null : Unary("not", not, operand);
        }

        ValueSyntax? ParseComparison(int depth)
        {
            var left = ParseAdditive(depth);
            if (left == null)
                return null;
            string? op = Current.Kind switch
            {
                SyntaxKind.EqualsEqualsToken => "==",
                SyntaxKind.BangEqualsToken => "!=",
                SyntaxKind.LessToken => "<",
                SyntaxKind.LessEqualsToken => "<=",
                SyntaxKind.GreaterToken => ">",
                SyntaxKind.GreaterEqualsToken => ">=",
                _ => null,
            };
            if (op == null)
                return left;
            Next();
            var right = ParseAdditive(depth);
            return right == null ? null : Binary(op, left, right);
        }

        ValueSyntax? ParseAdditive(int depth) =>
            ParseChain(depth, ParseMultiplicative, () => Current.Kind == SyntaxKind.PlusToken || Current.Kind == SyntaxKind.MinusToken);

        ValueSyntax? ParseMultiplicative(int depth)
        {
            var left = ParseUnary(depth);
            while (left != null)
            {
                if (Current.Kind == SyntaxKind.SlashToken)
                {
                    diagnostics.ReportUnexpectedToken(text.GetLocation(Current.Span), "'//' (sizes are whole numbers: '//' divides rounding down)", "'/'");
                    return null;
                }
                if (Current.Kind != SyntaxKind.StarToken && Current.Kind != SyntaxKind.SlashSlashToken && Current.Kind != SyntaxKind.PercentToken)
                    break;
                var op = Next();
                var right = ParseUnary(depth);
                left = right == null ? null : Binary(op.Text, left, right);
            }
            return left;
        }

        ValueSyntax? ParseUnary(int depth)
        {
            var token = Current;
            if (token.Kind != SyntaxKind.MinusToken)
                return ParsePrimary(depth);
            if (Peek(1).Kind == SyntaxKind.NumberToken)
            {
                Next();
                return NumberValue(Next(), token.Span.Start, negative: true);
            }
            Next();
            if (!Deeper(depth, token))
                return null;
            var operand = ParseUnary(depth + 1);
            return operand == null ? null : Unary("-", token, operand);
        }

        ValueSyntax? ParsePrimary(int depth)
        {
            var token = Current;
            switch (token.Kind)
            {
                case SyntaxKind.NumberToken:
                    Next();
                    return NumberValue(token, token.Span.Start, negative: false);
                case SyntaxKind.IdentifierToken when (token.Text == "min" || token.Text == "max") && Peek(1).Kind == SyntaxKind.OpenParenToken:
                {
                    Next();
                    var open = Next();
                    if (!Deeper(depth, open))
                        return null;
                    var call = ParseParenthesised(depth, trailingComma: false);
                    if (call == null)
                        return null;
                    var span = TextSpan.FromBounds(token.Span.Start, call.Value.Close.Span.End);
                    return ValueSyntax.FromOperator(ValueKind.Call, token.Text, text.ToString(span), call.Value.Items.ToEquatableArray(), text.GetLocation(span));
                }
                case SyntaxKind.IdentifierToken:
                {
                    // A dotted name (features.3) names a tensor; it is one identifier value.
                    var name = ParseDottedName(allowNumbers: true);
                    return name == null ? null : ValueSyntax.FromIdentifier(name.Text, name.Location);
                }
                case SyntaxKind.OpenParenToken:
                {
                    Next();
                    if (!Deeper(depth, token))
                        return null;
                    var list = ParseParenthesised(depth, trailingComma: true);
                    if (list == null)
                        return null;
                    var (items, isTuple, close) = list.Value;
                    var span = TextSpan.FromBounds(token.Span.Start, close.Span.End);
                    // (h + 1) groups an expression; (3) stays a one-item tuple, as sizes have always read it.
                    if (!isTuple && (items[0].Kind == ValueKind.Binary || items[0].Kind == ValueKind.Unary || items[0].Kind == ValueKind.Call))
                        return items[0] with { Text = text.ToString(span), Location = text.GetLocation(span) };
                    return ValueSyntax.FromTuple(text.ToString(span), items.ToEquatableArray(), text.GetLocation(span));
                }
                case SyntaxKind.BadToken:
                    return null;
                default:
                    diagnostics.ReportUnexpectedToken(text.GetLocation(token.Span), "a value (a number, a name or a parenthesised list)", token.Describe());
                    return null;
            }
        }

        // item (',' item)* ')' after an opening parenthesis, with Python's trailing comma where a tuple may have one.
        (List<ValueSyntax> Items, bool SawComma, SyntaxToken Close)? ParseParenthesised(int depth, bool trailingComma)
        {
            var items = new List<ValueSyntax>();
            bool sawComma = false;
            while (true)
            {
                var item = ParseOr(depth + 1);
                if (item == null)
                    return null;
                items.Add(item);
                if (Current.Kind != SyntaxKind.CommaToken)
                    break;
                sawComma = true;
                Next();
                if (trailingComma && Current.Kind == SyntaxKind.CloseParenToken)
                    break;
            }
            var close = Match(SyntaxKind.CloseParenToken, "')' or ','");
            return close == null ? null : (items, sawComma, close);
        }

        bool IsWord(string word) => Current.Kind == SyntaxKind.IdentifierToken && Current.Text == word;

        bool Deeper(int depth, SyntaxToken at)
        {
            if (depth + 1 < MaxNesting)
                return true;
            diagnostics.ReportNestingTooDeep(text.GetLocation(at.Span), MaxNesting);
            // Skip the rest of the line here, so the error is reported once and not by every enclosing level.
            SkipLine();
            return false;
        }

        ValueSyntax Binary(string op, ValueSyntax left, ValueSyntax right)
        {
            var span = TextSpan.FromBounds(left.Location.Span.Start, right.Location.Span.End);
            return ValueSyntax.FromOperator(ValueKind.Binary, op, text.ToString(span), EquatableArray.Create(left, right), text.GetLocation(span));
        }

        ValueSyntax Unary(string op, SyntaxToken token, ValueSyntax operand)
        {
            var span = TextSpan.FromBounds(token.Span.Start, operand.Location.Span.End);
            return ValueSyntax.FromOperator(ValueKind.Unary, op, text.ToString(span), EquatableArray.Create(operand), text.GetLocation(span));
        }

        ValueSyntax? NumberValue(SyntaxToken token, int start, bool negative)
        {
            var span = TextSpan.FromBounds(start, token.Span.End);
            var digits = token.Text.Replace("_", "");
            bool isInteger = digits.IndexOfAny(new[] { '.', 'e', 'E' }) < 0;
            long whole = 0;
            // Whole numbers are read exactly: 2^63 must not round to a double that fits in a long.
            if (!double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                || double.IsInfinity(number) || (isInteger && !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out whole)))
            {
                diagnostics.ReportInvalidNumber(text.GetLocation(span), text.ToString(span));
                return null;
            }
            return ValueSyntax.FromNumber(text.ToString(span), negative ? -number : number, isInteger, text.GetLocation(span), negative ? -whole : whole);
        }
    }
}
