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
    public sealed partial class Parser
    {
        readonly SourceText text;
        readonly DiagnosticBag diagnostics;
        // Every closed group, for editors' outlines and folding; groups leave no statement of their own.
        readonly List<GroupSyntax> groups = new List<GroupSyntax>();
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

        enum FrameKind
        {
            Group,
            If,
            Repeat,
        }

        /// <summary>
        /// An open <c>group</c>, <c>if</c> or <c>repeat</c>, closed by the next <c>end</c>. An if or repeat collects its
        /// own statements; a group only names the layers inside it.
        /// </summary>
        sealed class Frame
        {
            public Frame(FrameKind kind, SourceLocation location, List<StatementSyntax> statements)
            {
                Kind = kind;
                Location = location;
                Statements = statements;
            }

            public FrameKind Kind { get; }
            public SourceLocation Location { get; }
            public List<StatementSyntax> Statements { get; set; }
            public GroupBuilder? Group { get; set; }
            public ValueSyntax? Condition { get; set; }
            public List<StatementSyntax>? Then { get; set; }
            public ValueSyntax? Count { get; set; }
            public NameSyntax? Variable { get; set; }
        }

        /// <summary>Nesting beyond this (of parentheses, groups, ifs and repeats) is an error, not a stack overflow.</summary>
        public const int MaxNesting = 32;

        /// <summary>Dotted names beyond this many parts are an error: each part is a nested module.</summary>
        public const int MaxNameParts = 12;

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
            public List<StatementSyntax> Layers { get; } = new List<StatementSyntax>();
            public int LastPosition { get; set; }
            public bool HasSyntaxErrors { get; set; }

            public List<BlockParameterSyntax>? BlockParameters { get; set; }
            public Stack<Frame> Frames { get; } = new Stack<Frame>();
            public LayerSyntax? Base { get; set; }

            public List<StatementSyntax> Current => Frames.Count == 0 ? Layers : Frames.Peek().Statements;

            public GroupBuilder? InnermostGroup => Frames.Select(f => f.Group).FirstOrDefault(g => g != null);

            public int GroupCount => Frames.Count(f => f.Group != null);

            public BlockSyntax BuildBlock(SourceText text) =>
                new BlockSyntax(Name, BlockParameters!.ToEquatableArray(), Layers.ToEquatableArray(),
                    text.GetLocation(TextSpan.FromBounds(Location.Span.Start, LastPosition)), HasSyntaxErrors, Namespace);

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
                while (model.Frames.Count > 0)
                {
                    // A group may run to the end of its model; an if or repeat must say where it ends.
                    var open = model.Frames.Pop();
                    if (open.Kind != FrameKind.Group)
                    {
                        diagnostics.ReportUnclosedStatement(open.Location, open.Kind == FrameKind.If ? "if" : "repeat");
                        model.HasSyntaxErrors = true;
                    }
                    CloseFrame(model, open);
                }
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
                else if (first.Kind == SyntaxKind.IdentifierToken && model != null && !IsLabelAhead() && IsControlStatement(first.Text))
                {
                    ok = ParseControlStatement(model);
                }
                else
                {
                    layer = ParseLayer();
                    ok = layer != null;
                    // Inside a group a layer is named after it: its label, or its place among the group's members.
                    var group = model?.InnermostGroup;
                    if (ok && group != null)
                    {
                        var local = layer!.Label?.Text ?? group.Next.ToString(CultureInfo.InvariantCulture);
                        group.Next++;
                        layer = layer with { Label = new NameSyntax(group.Prefix + "." + local, layer.Label?.Location ?? layer.Kind.Location, layer.Label?.Holes ?? default) };
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
                    model!.Current.Add(layer);
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
            return new CnnFileSyntax(text.Path, fileNamespace, models.ToEquatableArray(), blocks.ToEquatableArray(), groups.ToEquatableArray());
        }

        bool IsControlStatement(string word)
        {
            bool endsLine = Peek(1).Kind == SyntaxKind.NewLineToken || Peek(1).Kind == SyntaxKind.EndOfFileToken;
            switch (word)
            {
                case "end":
                case "else":
                    return endsLine;
                case "group":
                    return endsLine || ((Peek(1).Kind == SyntaxKind.IdentifierToken || Peek(1).Kind == SyntaxKind.NumberToken)
                        && Peek(2).Kind != SyntaxKind.CommaToken && Peek(2).Kind != SyntaxKind.EqualsToken);
                case "if":
                case "repeat":
                    return !endsLine && Peek(1).Kind != SyntaxKind.CommaToken && Peek(1).Kind != SyntaxKind.EqualsToken;
                default:
                    return false;
            }
        }

        // group [name] | if condition | else | repeat count as i | end
        bool ParseControlStatement(ModelBuilder model)
        {
            var keyword = Next();
            var location = text.GetLocation(keyword.Span);
            switch (keyword.Text)
            {
                case "end":
                    if (model.Frames.Count == 0)
                    {
                        diagnostics.ReportUnexpectedToken(location, "a layer (no group, if or repeat is open)", "'end'");
                        return false;
                    }
                    CloseFrame(model, model.Frames.Pop());
                    return true;
                case "else":
                    if (model.Frames.Count == 0 || model.Frames.Peek().Kind != FrameKind.If || model.Frames.Peek().Then != null)
                    {
                        diagnostics.ReportUnexpectedToken(location, "a layer ('else' belongs to an open 'if')", "'else'");
                        return false;
                    }
                    var open = model.Frames.Peek();
                    open.Then = open.Statements;
                    open.Statements = new List<StatementSyntax>();
                    return true;
            }
            if (model.Frames.Count >= MaxNesting)
            {
                diagnostics.ReportNestingTooDeep(location, MaxNesting);
                return false;
            }
            switch (keyword.Text)
            {
                case "group":
                {
                    var name = AtEndOfLine ? null : Next();
                    var parent = model.InnermostGroup;
                    if (name == null && parent == null)
                    {
                        diagnostics.ReportUnexpectedToken(text.GetLocation(Current.Span), "a group name", Current.Describe());
                        return false;
                    }
                    var local = name?.Text ?? parent!.Next.ToString(CultureInfo.InvariantCulture);
                    if (parent != null)
                        parent.Next++;
                    var prefix = parent == null ? local : parent.Prefix + "." + local;
                    if (prefix.Count(c => c == '.') + 1 >= MaxNameParts)
                    {
                        diagnostics.ReportNestingTooDeep(location, MaxNameParts);
                        return false;
                    }
                    model.Frames.Push(new Frame(FrameKind.Group, location, model.Current) { Group = new GroupBuilder(prefix) });
                    return true;
                }
                case "if":
                {
                    var condition = ParseValue();
                    if (condition == null)
                        return false;
                    model.Frames.Push(new Frame(FrameKind.If, location, new List<StatementSyntax>()) { Condition = condition });
                    return true;
                }
                default:
                {
                    var count = ParseValue();
                    if (count == null)
                        return false;
                    if (Current.Kind != SyntaxKind.IdentifierToken || Current.Text != "as" || Peek(1).Kind != SyntaxKind.IdentifierToken)
                    {
                        diagnostics.ReportUnexpectedToken(text.GetLocation(Current.Span), "'as' and a name for the index, as in 'repeat 3 as i'", Current.Describe());
                        return false;
                    }
                    Next();
                    var variable = Next();
                    model.Frames.Push(new Frame(FrameKind.Repeat, location, new List<StatementSyntax>())
                    {
                        Count = count,
                        Variable = new NameSyntax(variable.Text, text.GetLocation(variable.Span)),
                    });
                    return true;
                }
            }
        }

        // An if or repeat becomes one statement of the list around it; a group leaves its layers there already.
        void CloseFrame(ModelBuilder model, Frame frame)
        {
            var location = text.GetLocation(TextSpan.FromBounds(frame.Location.Span.Start, System.Math.Max(frame.Location.Span.End, LastTokenEnd())));
            if (frame.Kind == FrameKind.If)
            {
                var then = frame.Then ?? frame.Statements;
                var otherwise = frame.Then == null ? new List<StatementSyntax>() : frame.Statements;
                model.Current.Add(new IfSyntax(frame.Condition!, then.ToEquatableArray(), otherwise.ToEquatableArray(), location));
            }
            else if (frame.Kind == FrameKind.Repeat)
            {
                model.Current.Add(new RepeatSyntax(frame.Count!, frame.Variable!, frame.Statements.ToEquatableArray(), location));
            }
            else
            {
                groups.Add(new GroupSyntax(frame.Group!.Prefix, location));
            }
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
            if (IsLabelStart())
            {
                label = ParseLabel();
                if (label == null || Match(SyntaxKind.ColonToken, "':'") == null)
                    return null;
            }

            var kindToken = Match(SyntaxKind.IdentifierToken, "a layer such as conv2d or dense");
            if (kindToken == null)
                return null;
            var kind = new NameSyntax(kindToken.Text, text.GetLocation(kindToken.Span));

            var arguments = new List<ArgumentSyntax>();
            // conv2d(32, kernel=5), as PyTorch and Keras write layers, reads as conv2d 32, kernel=5.
            bool call = Current.Kind == SyntaxKind.OpenParenToken && Current.Span.Start == kindToken.Span.End;
            if (call)
            {
                Next();
                if (Current.Kind == SyntaxKind.CloseParenToken)
                {
                    var empty = Next();
                    return new LayerSyntax(label, kind, arguments.ToEquatableArray(), text.GetLocation(TextSpan.FromBounds(start, empty.Span.End)));
                }
            }
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
            if (call)
            {
                var close = Match(SyntaxKind.CloseParenToken, "')' or ','");
                if (close == null)
                    return null;
                end = close.Span.End;
            }
            return new LayerSyntax(label, kind, arguments.ToEquatableArray(), text.GetLocation(TextSpan.FromBounds(start, end)));
        }

        // A label is a (dotted) name followed by ':'; its parts may compute pieces of themselves: layer{i + 1}.0
        bool IsLabelStart()
        {
            int i = 0;
            while (true)
            {
                bool any = false;
                while (true)
                {
                    var kind = Peek(i).Kind;
                    if (kind == SyntaxKind.IdentifierToken || kind == SyntaxKind.NumberToken)
                    {
                        i++;
                        any = true;
                    }
                    else if (kind == SyntaxKind.OpenBraceToken)
                    {
                        while (Peek(i).Kind != SyntaxKind.CloseBraceToken)
                        {
                            var inner = Peek(i).Kind;
                            if (inner == SyntaxKind.NewLineToken || inner == SyntaxKind.EndOfFileToken)
                                return false;
                            i++;
                        }
                        i++;
                        any = true;
                    }
                    else
                    {
                        break;
                    }
                }
                if (!any)
                    return false;
                if (Peek(i).Kind == SyntaxKind.ColonToken)
                    return true;
                if (Peek(i).Kind != SyntaxKind.DotToken)
                    return false;
                i++;
            }
        }

        NameSyntax? ParseLabel()
        {
            int start = Current.Span.Start;
            var holes = new List<ValueSyntax>();
            int parts = 1;
            while (true)
            {
                while (true)
                {
                    if (Current.Kind == SyntaxKind.IdentifierToken || Current.Kind == SyntaxKind.NumberToken)
                    {
                        Next();
                    }
                    else if (Current.Kind == SyntaxKind.OpenBraceToken)
                    {
                        Next();
                        var hole = ParseValue();
                        if (hole == null || Match(SyntaxKind.CloseBraceToken, "'}'") == null)
                            return null;
                        holes.Add(hole);
                    }
                    else
                    {
                        break;
                    }
                }
                if (Current.Kind != SyntaxKind.DotToken)
                    break;
                Next();
                if (++parts > MaxNameParts)
                {
                    diagnostics.ReportNestingTooDeep(text.GetLocation(TextSpan.FromBounds(start, Current.Span.End)), MaxNameParts);
                    SkipLine();
                    return null;
                }
            }
            var span = TextSpan.FromBounds(start, LastTokenEnd());
            return new NameSyntax(text.ToString(span), text.GetLocation(span), holes.ToEquatableArray());
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

        // input 1x28x28 | input 3xHxW | input 3, H, W: the rest of the line is the shape.
        ShapeSyntax? ParseShape()
        {
            if (AtEndOfLine)
            {
                Match(SyntaxKind.ShapeToken, "a shape such as 1x28x28");
                return null;
            }
            int start = Current.Span.Start;
            bool bad = false;
            while (!AtEndOfLine)
                bad |= Next().Kind == SyntaxKind.BadToken;
            if (bad)
                return null;
            var span = TextSpan.FromBounds(start, LastTokenEnd());
            var shape = ShapeParser.TryParse(text.ToString(span), text.GetLocation(span));
            if (shape == null)
                diagnostics.ReportInvalidShape(text.GetLocation(span), text.ToString(span));
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
            int parts = 1;
            while (Current.Kind == SyntaxKind.DotToken)
            {
                Next();
                if (++parts > MaxNameParts)
                {
                    diagnostics.ReportNestingTooDeep(text.GetLocation(TextSpan.FromBounds(first.Span.Start, Current.Span.End)), MaxNameParts);
                    SkipLine();
                    return null;
                }
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
