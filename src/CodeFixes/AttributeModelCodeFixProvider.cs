using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using DiagnosticDescriptors = CnnDsl.Dsl.Diagnostics.DiagnosticDescriptors;
using DiagnosticFix = CnnDsl.Dsl.Diagnostics.DiagnosticFix;
using FixKind = CnnDsl.Dsl.Diagnostics.FixKind;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace CnnDsl.CodeFixes
{
    /// <summary>
    /// Fixes for the generator's diagnostics on <c>[CnnModel]</c> classes: the same fixes the language server applies to
    /// .cnn files, read from the data each diagnostic carries in its properties, so the fix and the build agree whatever
    /// the message says; where the fix adds something (a <c>[Flatten]</c> attribute, <c>Padding = Padding.Same</c>), the place is the
    /// layer attribute the diagnostic is on.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AttributeModelCodeFixProvider)), Shared]
    public sealed class AttributeModelCodeFixProvider : CodeFixProvider
    {
        // Any diagnostic may carry a fix as data (the channel-order hint rides on whichever error comes first).
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = DiagnosticDescriptors.All.Select(d => d.Id).ToImmutableArray();

        public override FixAllProvider? GetFixAllProvider() => null;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root == null)
                return;
            // Every fix comes from the data the diagnostic carries in its properties; the message is never read.
            foreach (var diagnostic in context.Diagnostics)
            {
                if (CarriedFix(diagnostic) is not { } fix)
                    continue;
                switch (fix.Kind)
                {
                    case FixKind.Replace:
                        Register(context, diagnostic, fix.Title, token => Replace(context.Document, root, fix.Span, fix.Replacement, fix.Replaces));
                        break;
                    case FixKind.InsertLayerBefore when AttributeAt(root, fix.Span) is { } layer:
                        var attribute = CnnDsl.Dsl.Names.ToPascalCase(fix.Replacement);
                        Register(context, diagnostic, "Add [" + attribute + "] before this layer", token => AddLayerBefore(context.Document, root, layer, attribute));
                        break;
                    case FixKind.SetArgument when fix.Argument == "padding" && fix.Replacement == "same" && AttributeAt(root, fix.Span) is { } layer:
                        Register(context, diagnostic, "Set Padding = Padding.Same", token => PaddingSame(context.Document, root, layer));
                        break;
                }
            }
        }

        static (FixKind Kind, string Title, TextSpan Span, string Replacement, string? Replaces, string? Argument)? CarriedFix(Diagnostic diagnostic)
        {
            var properties = diagnostic.Properties;
            string? Get(string key) => properties.TryGetValue(key, out var value) ? value : null;
            if (!System.Enum.TryParse<FixKind>(Get(DiagnosticFix.KindKey), out var kind) || Get(DiagnosticFix.TitleKey) is not { } title
                || Get(DiagnosticFix.ReplacementKey) is not { } replacement || !int.TryParse(Get(DiagnosticFix.StartKey), out var start)
                || !int.TryParse(Get(DiagnosticFix.LengthKey), out var length))
                return null;
            return (kind, title, new TextSpan(start, length), replacement, Get(DiagnosticFix.ReplacesKey), Get(DiagnosticFix.ArgumentKey));
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

        // [Flatten] on a line of its own before the attribute list of the layer, indented as that list is.
        static Task<Document> AddLayerBefore(Document document, SyntaxNode root, AttributeSyntax dense, string attribute)
        {
            var list = (AttributeListSyntax)dense.Parent!;
            var flatten = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Attribute(SyntaxFactory.IdentifierName(attribute))))
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
