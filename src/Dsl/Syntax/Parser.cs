using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CnnDsl.Dsl.Diagnostics;
using CnnDsl.Dsl.Text;

namespace CnnDsl.Dsl.Syntax
{
    /// <summary>
    /// Parses a .cnn file, one statement a line:
    /// <code>
    /// namespace My.Models          # optional, for the models that follow
    /// model FashionCnn             # starts a model
    ///   input 1x28x28              # its input shape, without the batch dimension
    ///   conv2d 32, kernel=5        # a layer: kind, positional then named arguments
    ///   head: dense 10             # a layer with a name of its own
    /// block Residual(channels)     # starts a reusable block with parameters
    ///   conv2d channels, 3         # its layers use the parameters by name
    ///   group features             # layers named features.0, features.1, ... (numbered over every member)
    ///     relu
    ///   end
    /// </code>
    /// A line with an error is reported once and skipped, so one typo gives one diagnostic.
    /// </summary>
    public sealed class Parser
    {
        readonly SourceText text;
        readonly DiagnosticBag diagnostics;
        readonly IReadOnlyList<SyntaxToken> tokens;
        int position;

        Parser(SourceText text, DiagnosticBag diagnostics)
        {
            this.text = text;
            this.diagnostics = diagnostics;
            tokens = new Lexer(text, diagnostics).LexAll();
        }

        public static CnnFileSyntax Parse(SourceText text, DiagnosticBag diagnostics) => new Parser(text, diagnostics).ParseFile();

        /// <summary>
        /// Parses one layer line written elsewhere, such as <c>Base = "resnet18 classes=10"</c> on an attribute; every
        /// location is the given one (the string literal), since the text is not a file of its own.
        /// </summary>
        public static LayerSyntax? ParseLayerText(string layerText, SourceLocation location, DiagnosticBag diagnostics)
        {
            var local = new DiagnosticBag();
            var parser = new Parser(SourceText.From(layerText, location.Path), local);
            var layer = parser.ParseLayer();
            if (layer != null && !parser.AtEndOfLine)
                parser.diagnostics.ReportUnexpectedToken(parser.text.GetLocation(parser.Current.Span), "',' or end of line", parser.Current.Describe());
            foreach (var diagnostic in local)
                diagnostics.AddRange(new[] { diagnostic with { Location = location } });
            return local.HasErrors || layer == null ? null : Relocate(layer, location);
        }

        static LayerSyntax Relocate(LayerSyntax layer, SourceLocation location) => layer with
        {
            Label = layer.Label == null ? null : layer.Label with { Location = location },
            Kind = layer.Kind with { Location = location },
            Arguments = layer.Arguments.Select(a => new ArgumentSyntax(a.Name == null ? null : a.Name with { Location = location }, Relocate(a.Value, location), location)).ToEquatableArray(),
            Location = location,
        };

        static ValueSyntax Relocate(ValueSyntax value, SourceLocation location) =>
            value with { Location = location, Items = value.Items.Select(i => Relocate(i, location)).ToEquatableArray() };

        SyntaxToken Current => Peek(0);

        SyntaxToken Peek(int offset) => tokens[System.Math.Min(position + offset, tokens.Count - 1)];

        SyntaxToken Next()
        {
            var token = Current;
            if (position < tokens.Count - 1)
                position++;
            return token;
        }

        bool AtEndOfLine => Current.Kind == SyntaxKind.NewLineToken || Current.Kind == SyntaxKind.EndOfFileToken;

        /// <summary>An open <c>group</c>: its dotted name and the number its next unnamed member gets.</summary>
        sealed class GroupBuilder
        {
            public GroupBuilder(string prefix) => Prefix = prefix;

            public string Prefix { get; }
            public int Next { get; set; }
        }

        sealed class ModelBuilder
        {
            public ModelBuilder(NameSyntax name, string? ns, SourceLocation location)
            {
                Name = name;
                Namespace = ns;
                Location = location;
            }

            public NameSyntax Name { get; }
            public string? Namespace { get; }
            public SourceLocation Location { get; }
            public ShapeSyntax? Input { get; set; }
            public List<LayerSyntax> Layers { get; } = new List<LayerSyntax>();
            public int LastPosition { get; set; }
            public bool HasSyntaxErrors { get; set; }

            public List<BlockParameterSyntax>? BlockParameters { get; set; }
            public Stack<GroupBuilder> Groups { get; } = new Stack<GroupBuilder>();
            public LayerSyntax? Base { get; set; }

            public BlockSyntax BuildBlock(SourceText text) =>
                new BlockSyntax(Name, BlockParameters!.ToEquatableArray(), Layers.ToEquatableArray(),
                    text.GetLocation(TextSpan.FromBounds(Location.Span.Start, LastPosition)), HasSyntaxErrors);

            public ModelSyntax Build(SourceText text) =>
                new ModelSyntax(Name, Namespace, Input, Layers.ToEquatableArray(), text.GetLocation(TextSpan.FromBounds(Location.Span.Start, LastPosition)), HasSyntaxErrors, Base);
        }

        CnnFileSyntax ParseFile()
        {
            string? fileNamespace = null;
            var models = new List<ModelSyntax>();
            var blocks = new List<BlockSyntax>();
            ModelBuilder? model = null;

            void Finish()
            {
                if (model == null)
                    return;
                if (model.BlockParameters != null)
                    blocks.Add(model.BuildBlock(text));
                else
                    models.Add(model.Build(text));
            }

            while (Current.Kind != SyntaxKind.EndOfFileToken)
            {
                if (Current.Kind == SyntaxKind.NewLineToken)
                {
                    Next();
                    continue;
                }

                int lineStart = position;
                var first = Current;
                bool ok = true;
                LayerSyntax? layer = null;
                if (first.Kind == SyntaxKind.IdentifierToken && first.Text == "namespace" && Peek(1).Kind == SyntaxKind.IdentifierToken)
                {
                    Next();
                    var name = ParseDottedName(allowNumbers: false);
                    ok = name != null;
                    if (ok)
                        fileNamespace = name!.Text;
                }
                else if (first.Kind == SyntaxKind.IdentifierToken && first.Text == "model" && !IsLabelAhead())
                {
                    Next();
                    var name = Match(SyntaxKind.IdentifierToken, "a model name");
                    ok = name != null;
                    LayerSyntax? start = null;
                    if (ok && Current.Kind == SyntaxKind.EqualsToken)
                    {
                        Next();
                        start = ParseLayer();
                        ok = start != null;
                    }
                    Finish();
                    model = ok ? new ModelBuilder(new NameSyntax(name!.Text, text.GetLocation(name.Span)), fileNamespace, text.GetLocation(first.Span)) { Base = start } : null;
                }
                else if (first.Kind == SyntaxKind.IdentifierToken && first.Text == "block" && !IsLabelAhead() && Peek(1).Kind == SyntaxKind.IdentifierToken)
                {
                    Next();
                    var name = Next();
                    var parameters = ParseBlockParameters();
                    ok = parameters != null;
                    Finish();
                    model = ok
                        ? new ModelBuilder(new NameSyntax(name.Text, text.GetLocation(name.Span)), fileNamespace, text.GetLocation(first.Span)) { BlockParameters = parameters }
                        : null;
                }
                else if (first.Kind == SyntaxKind.IdentifierToken && first.Text == "input" && !IsLabelAhead())
                {
                    Next();
                    var shape = ParseShape();
                    ok = shape != null;
                    if (model == null || model.BlockParameters != null)
                    {
                        if (ok)
                            diagnostics.ReportStatementOutsideModel(text.GetLocation(first.Span), "input");
                        ok = false;
                    }
                    else if (ok)
                    {
                        if (model.Input != null)
                            diagnostics.ReportRepeatedInput(text.GetLocation(TextSpan.FromBounds(first.Span.Start, shape!.Location.Span.End)), model.Name.Text);
                        else
                            model.Input = shape;
                    }
                }
                else if (first.Kind == SyntaxKind.IdentifierToken && (first.Text == "group" || first.Text == "end") && !IsLabelAhead()
                         && model != null && (Peek(1).Kind == SyntaxKind.NewLineToken || Peek(1).Kind == SyntaxKind.EndOfFileToken
                             || (first.Text == "group" && (Peek(1).Kind == SyntaxKind.IdentifierToken || Peek(1).Kind == SyntaxKind.NumberToken) && Peek(2).Kind != SyntaxKind.CommaToken && Peek(2).Kind != SyntaxKind.EqualsToken)))
                {
                    Next();
                    if (first.Text == "end")
                    {
                        if (model.Groups.Count == 0)
                        {
                            diagnostics.ReportUnexpectedToken(text.GetLocation(first.Span), "a layer (no group is open)", "'end'");
                            ok = false;
                        }
                        else
                        {
                            model.Groups.Pop();
                        }
                    }
                    else
                    {
                        var name = AtEndOfLine ? null : Next();
                        var parent = model.Groups.Count == 0 ? null : model.Groups.Peek();
                        if (name == null && parent == null)
                        {
                            diagnostics.ReportUnexpectedToken(text.GetLocation(Current.Span), "a group name", Current.Describe());
                            ok = false;
                        }
                        else
                        {
                            var local = name?.Text ?? parent!.Next.ToString(CultureInfo.InvariantCulture);
                            if (parent != null)
                                parent.Next++;
                            model.Groups.Push(new GroupBuilder(parent == null ? local : parent.Prefix + "." + local));
                        }
                    }
                }
                else
                {
                    layer = ParseLayer();
                    ok = layer != null;
                    // Inside a group a layer is named after it: its label, or its place among the group's members.
                    if (ok && model != null && model.Groups.Count > 0)
                    {
                        var group = model.Groups.Peek();
                        var local = layer!.Label?.Text ?? group.Next.ToString(CultureInfo.InvariantCulture);
                        group.Next++;
                        layer = layer with { Label = new NameSyntax(group.Prefix + "." + local, layer.Label?.Location ?? layer.Kind.Location) };
                    }
                    if (ok && model == null)
                    {
                        diagnostics.ReportStatementOutsideModel(layer!.Kind.Location, layer.Kind.Text);
                        ok = false;
                    }
                }

                if (ok && !AtEndOfLine)
                {
                    if (Current.Kind != SyntaxKind.BadToken)
                        diagnostics.ReportUnexpectedToken(text.GetLocation(Current.Span), "',' or end of line", Current.Describe());
                    ok = false;
                }
                if (ok && layer != null)
                    model!.Layers.Add(layer);
                if (!ok)
                {
                    SkipLine();
                    // A model with a broken line is not emitted, and its missing parts are not reported again.
                    if (model != null)
                        model.HasSyntaxErrors = true;
                }
                if (model != null && position > lineStart)
                    model.LastPosition = LastTokenEnd();
            }

            Finish();
            return new CnnFileSyntax(text.Path, fileNamespace, models.ToEquatableArray(), blocks.ToEquatableArray());
        }

        // (channels, stride=1): the parameters of a block, each optionally with a default value.
        List<BlockParameterSyntax>? ParseBlockParameters()
        {
            var parameters = new List<BlockParameterSyntax>();
            if (Current.Kind != SyntaxKind.OpenParenToken)
                return AtEndOfLine ? parameters : Match(SyntaxKind.OpenParenToken, "'(' and the block's parameters") == null ? null : parameters;
            Next();
            while (Current.Kind != SyntaxKind.CloseParenToken)
            {
                var name = Match(SyntaxKind.IdentifierToken, "a parameter name");
                if (name == null)
                    return null;
                ValueSyntax? value = null;
                if (Current.Kind == SyntaxKind.EqualsToken)
                {
                    Next();
                    value = ParseValue();
                    if (value == null)
                        return null;
                }
                parameters.Add(new BlockParameterSyntax(new NameSyntax(name.Text, text.GetLocation(name.Span)), value));
                if (Current.Kind != SyntaxKind.CommaToken)
                    break;
                Next();
            }
            return Match(SyntaxKind.CloseParenToken, "')' or ','") == null ? null : parameters;
        }

        // "model: conv2d 3" names a layer "model"; only "model Name" starts a model.
        bool IsLabelAhead() => Peek(1).Kind == SyntaxKind.ColonToken || Peek(1).Kind == SyntaxKind.DotToken;

        int LastTokenEnd()
        {
            for (int i = position - 1; i >= 0; i--)
                if (tokens[i].Kind != SyntaxKind.NewLineToken)
                    return tokens[i].Span.End;
            return 0;
        }

        void SkipLine()
        {
            while (!AtEndOfLine)
                Next();
        }

        SyntaxToken? Match(SyntaxKind kind, string expected)
        {
            if (Current.Kind == kind)
                return Next();
            if (Current.Kind != SyntaxKind.BadToken)
                diagnostics.ReportUnexpectedToken(text.GetLocation(Current.Span), expected, Current.Describe());
            return null;
        }

        LayerSyntax? ParseLayer()
        {
            int start = Current.Span.Start;
            NameSyntax? label = null;
            if (Current.Kind == SyntaxKind.IdentifierToken || Current.Kind == SyntaxKind.NumberToken)
            {
                // A label is a (dotted) name followed by ':'.
                int lookahead = 0;
                while (Peek(lookahead).Kind == SyntaxKind.IdentifierToken || Peek(lookahead).Kind == SyntaxKind.NumberToken)
                {
                    if (Peek(lookahead + 1).Kind != SyntaxKind.DotToken)
                        break;
                    lookahead += 2;
                }
                if (Peek(lookahead + 1).Kind == SyntaxKind.ColonToken)
                {
                    label = ParseDottedName(allowNumbers: true);
                    if (label == null || Match(SyntaxKind.ColonToken, "':'") == null)
                        return null;
                }
            }

            var kindToken = Match(SyntaxKind.IdentifierToken, "a layer such as conv2d or dense");
            if (kindToken == null)
                return null;
            var kind = new NameSyntax(kindToken.Text, text.GetLocation(kindToken.Span));

            var arguments = new List<ArgumentSyntax>();
            if (!AtEndOfLine)
            {
                while (true)
                {
                    var argument = ParseArgument();
                    if (argument == null)
                        return null;
                    arguments.Add(argument);
                    if (Current.Kind != SyntaxKind.CommaToken)
                        break;
                    Next();
                }
            }
            int end = arguments.Count > 0 ? arguments[arguments.Count - 1].Location.Span.End : kindToken.Span.End;
            return new LayerSyntax(label, kind, arguments.ToEquatableArray(), text.GetLocation(TextSpan.FromBounds(start, end)));
        }

        ArgumentSyntax? ParseArgument()
        {
            NameSyntax? name = null;
            int start = Current.Span.Start;
            if (Current.Kind == SyntaxKind.IdentifierToken && Peek(1).Kind == SyntaxKind.EqualsToken)
            {
                var nameToken = Next();
                name = new NameSyntax(nameToken.Text, text.GetLocation(nameToken.Span));
                Next();
            }
            var value = ParseValue();
            if (value == null)
                return null;
            return new ArgumentSyntax(name, value, text.GetLocation(TextSpan.FromBounds(start, value.Location.Span.End)));
        }

        ValueSyntax? ParseValue()
        {
            var token = Current;
            switch (token.Kind)
            {
                case SyntaxKind.NumberToken:
                    Next();
                    return NumberValue(token, token.Span.Start, negative: false);
                case SyntaxKind.MinusToken when Peek(1).Kind == SyntaxKind.NumberToken:
                    Next();
                    return NumberValue(Next(), token.Span.Start, negative: true);
                case SyntaxKind.IdentifierToken:
                {
                    // A dotted name (features.3) names a tensor; it is one identifier value.
                    var name = ParseDottedName(allowNumbers: true);
                    return name == null ? null : ValueSyntax.FromIdentifier(name.Text, name.Location);
                }
                case SyntaxKind.OpenParenToken:
                    Next();
                    var items = new List<ValueSyntax>();
                    while (true)
                    {
                        var item = ParseValue();
                        if (item == null)
                            return null;
                        items.Add(item);
                        if (Current.Kind != SyntaxKind.CommaToken)
                            break;
                        Next();
                        // A trailing comma, as in Python's (1,), is allowed.
                        if (Current.Kind == SyntaxKind.CloseParenToken)
                            break;
                    }
                    var close = Match(SyntaxKind.CloseParenToken, "')' or ','");
                    if (close == null)
                        return null;
                    var span = TextSpan.FromBounds(token.Span.Start, close.Span.End);
                    return ValueSyntax.FromTuple(text.ToString(span), items.ToEquatableArray(), text.GetLocation(span));
                case SyntaxKind.BadToken:
                    return null;
                default:
                    diagnostics.ReportUnexpectedToken(text.GetLocation(token.Span), "a value (a number, a name or a parenthesised list)", token.Describe());
                    return null;
            }
        }

        ValueSyntax? NumberValue(SyntaxToken token, int start, bool negative)
        {
            var span = TextSpan.FromBounds(start, token.Span.End);
            var digits = token.Text.Replace("_", "");
            bool isInteger = digits.IndexOfAny(new[] { '.', 'e', 'E' }) < 0;
            if (!double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                || double.IsInfinity(number) || (isInteger && number > long.MaxValue))
            {
                diagnostics.ReportInvalidNumber(text.GetLocation(span), text.ToString(span));
                return null;
            }
            return ValueSyntax.FromNumber(text.ToString(span), negative ? -number : number, isInteger, text.GetLocation(span));
        }

        ShapeSyntax? ParseShape()
        {
            var token = Current;
            if (token.Kind != SyntaxKind.ShapeToken && token.Kind != SyntaxKind.NumberToken)
            {
                Match(SyntaxKind.ShapeToken, "a shape such as 1x28x28");
                return null;
            }
            Next();
            var shape = ShapeParser.TryParse(token.Text, text.GetLocation(token.Span));
            if (shape == null)
                diagnostics.ReportInvalidShape(text.GetLocation(token.Span), token.Text);
            return shape;
        }

        NameSyntax? ParseDottedName(bool allowNumbers)
        {
            var first = Current;
            int end = first.Span.End;
            if (first.Kind != SyntaxKind.IdentifierToken && !(allowNumbers && first.Kind == SyntaxKind.NumberToken))
            {
                Match(SyntaxKind.IdentifierToken, "a name");
                return null;
            }
            Next();
            while (Current.Kind == SyntaxKind.DotToken)
            {
                Next();
                var part = Current;
                if (part.Kind != SyntaxKind.IdentifierToken && !(allowNumbers && part.Kind == SyntaxKind.NumberToken))
                {
                    Match(SyntaxKind.IdentifierToken, "a name after '.'");
                    return null;
                }
                Next();
                end = part.Span.End;
            }
            var span = TextSpan.FromBounds(first.Span.Start, end);
            return new NameSyntax(text.ToString(span), text.GetLocation(span));
        }
    }
}
