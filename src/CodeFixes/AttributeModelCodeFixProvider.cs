using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using DiagnosticDescriptors = CnnDsl.Dsl.Diagnostics.DiagnosticDescriptors;
using DiagnosticFix = CnnDsl.Dsl.Diagnostics.DiagnosticFix;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace CnnDsl.CodeFixes
{
    /// <summary>
    /// Fixes for the generator's diagnostics on <c>[CnnModel]</c> classes: the same suggestions the language server
    /// applies to .cnn files. The replacement is the one the diagnostic's message names, so the fix and the build agree;
    /// where the fix adds something (a <c>[Flatten]</c> attribute, <c>Padding = Padding.Same</c>), the place is the
    /// layer attribute the diagnostic is on.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AttributeModelCodeFixProvider)), Shared]
    public sealed class AttributeModelCodeFixProvider : CodeFixProvider
    {
        static readonly Regex DidYouMean = new Regex(@"; did you mean '([^']+)'\?");
        static readonly Regex ChangeItTo = new Regex(@"remove \w+ or change it to (\d+)");

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
            DiagnosticDescriptors.UnknownLayer.Id, DiagnosticDescriptors.UnknownArgument.Id, DiagnosticDescriptors.WrongArgumentType.Id,
            DiagnosticDescriptors.UnknownTensor.Id, DiagnosticDescriptors.UnknownName.Id, DiagnosticDescriptors.RankMismatch.Id,
            DiagnosticDescriptors.InputSizeMismatch.Id, DiagnosticDescriptors.NonPositiveSize.Id, DiagnosticDescriptors.PoolPaddingTooLarge.Id,
            DiagnosticDescriptors.ChannelsLastInput.Id, DiagnosticDescriptors.ChannelsInMiddle.Id);

        public override FixAllProvider? GetFixAllProvider() => null;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root == null)
                return;
            foreach (var diagnostic in context.Diagnostics)
            {
                var message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
                var span = diagnostic.Location.SourceSpan;
                Match match;
                if ((match = DidYouMean.Match(message)).Success)
                {
                    // The misspelt name is the one the message quotes first; in a string ("resnt18 classes=10") only it changes.
                    var misspelt = Regex.Match(message, "'([^']+)'").Groups[1].Value;
                    var meant = match.Groups[1].Value;
                    Register(context, diagnostic, "Change to '" + meant + "'", token => Replace(context.Document, root, span, meant, misspelt));
                }
                else if ((match = ChangeItTo.Match(message)).Success)
                    Register(context, diagnostic, "Set it to the inferred " + match.Groups[1].Value, token => Replace(context.Document, root, span, match.Groups[1].Value));
                else if (CarriedFix(diagnostic) is var (title, where, replacement))
                    Register(context, diagnostic, title, token => Replace(context.Document, root, where, replacement));
                else if (message.Contains("add 'flatten' before it") && AttributeAt(root, span) is { } dense)
                    Register(context, diagnostic, "Add [Flatten] before this layer", token => AddFlattenBefore(context.Document, root, dense));
                else if (message.Contains("padding=same") && AttributeAt(root, span) is { } layer)
                    Register(context, diagnostic, "Set Padding = Padding.Same", token => PaddingSame(context.Document, root, layer));
            }
        }

        // A fix the diagnostic carries as data in its properties (input orders): its title, span and replacement.
        static (string Title, TextSpan Span, string Replacement)? CarriedFix(Diagnostic diagnostic)
        {
            var properties = diagnostic.Properties;
            if (!properties.TryGetValue(DiagnosticFix.TitleKey, out var title) || !properties.TryGetValue(DiagnosticFix.ReplacementKey, out var replacement)
                || !properties.TryGetValue(DiagnosticFix.StartKey, out var start) || !properties.TryGetValue(DiagnosticFix.LengthKey, out var length)
                || title == null || replacement == null || !int.TryParse(start, out var from) || !int.TryParse(length, out var count))
                return null;
            return (title, new TextSpan(from, count), replacement);
        }

        static void Register(CodeFixContext context, Diagnostic diagnostic, string title, System.Func<CancellationToken, Task<Document>> fix) =>
            context.RegisterCodeFix(CodeAction.Create(title, fix, equivalenceKey: title), diagnostic);

        static AttributeSyntax? AttributeAt(SyntaxNode root, TextSpan span) =>
            root.FindNode(span, getInnermostNodeForTie: true).AncestorsAndSelf().OfType<AttributeSyntax>().FirstOrDefault();

        // A string argument keeps its quotes: the value between them is what the diagnostic's span names.
        static Task<Document> Replace(Document document, SyntaxNode root, TextSpan span, string value, string? misspelt = null)
        {
            var token = root.FindToken(span.Start);
            if (token.IsKind(SyntaxKind.StringLiteralToken) && token.Span.Contains(span))
            {
                var old = misspelt != null && Regex.IsMatch(token.ValueText, @"\b" + Regex.Escape(misspelt) + @"\b")
                    ? Regex.Replace(token.ValueText, @"\b" + Regex.Escape(misspelt) + @"\b", value.Replace("$", "$$"))
                    : value;
                return Task.FromResult(document.WithSyntaxRoot(root.ReplaceToken(token, SyntaxFactory.Literal(old).WithTriviaFrom(token))));
            }
            var text = root.GetText().Replace(span, value);
            return Task.FromResult(document.WithText(text));
        }

        // [Flatten] on a line of its own before the attribute list of the dense layer, indented as that list is.
        static Task<Document> AddFlattenBefore(Document document, SyntaxNode root, AttributeSyntax dense)
        {
            var list = (AttributeListSyntax)dense.Parent!;
            var flatten = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Attribute(SyntaxFactory.IdentifierName("Flatten"))))
                .WithLeadingTrivia(list.GetLeadingTrivia())
                .WithTrailingTrivia(SyntaxFactory.EndOfLine("\n"));
            var owner = list.Parent!;
            SyntaxNode updated = owner switch
            {
                ClassDeclarationSyntax type => type.WithAttributeLists(type.AttributeLists.Insert(type.AttributeLists.IndexOf(list), flatten)),
                _ => owner,
            };
            return Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(owner, updated)));
        }

        static Task<Document> PaddingSame(Document document, SyntaxNode root, AttributeSyntax layer)
        {
            var same = SyntaxFactory.ParseExpression("Padding.Same");
            var existing = layer.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.Text == "Padding");
            AttributeSyntax updated = existing != null
                ? layer.ReplaceNode(existing.Expression, same.WithTriviaFrom(existing.Expression))
                : layer.AddArgumentListArguments(SyntaxFactory.AttributeArgument(SyntaxFactory.NameEquals("Padding"), null, same));
            return Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(layer, updated)));
        }
    }
}
