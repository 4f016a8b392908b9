using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Diagnostics;
using ArgumentSyntax = CnnDsl.Dsl.Syntax.ArgumentSyntax;
using LayerSyntax = CnnDsl.Dsl.Syntax.LayerSyntax;
using ModelSyntax = CnnDsl.Dsl.Syntax.ModelSyntax;
using NameSyntax = CnnDsl.Dsl.Syntax.NameSyntax;
using Parser = CnnDsl.Dsl.Syntax.Parser;
using ShapeParser = CnnDsl.Dsl.Syntax.ShapeParser;
using ShapeSyntax = CnnDsl.Dsl.Syntax.ShapeSyntax;
using ValueSyntax = CnnDsl.Dsl.Syntax.ValueSyntax;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using AttributeArgumentSyntax = Microsoft.CodeAnalysis.CSharp.Syntax.AttributeArgumentSyntax;
using AttributeSyntax = Microsoft.CodeAnalysis.CSharp.Syntax.AttributeSyntax;
using ClassDeclarationSyntax = Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax;
using ExpressionSyntax = Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionSyntax;
using LiteralExpressionSyntax = Microsoft.CodeAnalysis.CSharp.Syntax.LiteralExpressionSyntax;
using DslDiagnostic = CnnDsl.Dsl.Diagnostics.Diagnostic;
using DslLocation = CnnDsl.Dsl.Text.SourceLocation;

namespace CnnDsl.Generator
{
    /// <summary>
    /// Reads a <c>[CnnModel]</c> class into the same model syntax the .cnn parser produces: each layer attribute becomes
    /// a layer, its constructor arguments positional arguments and its properties named ones, each with the location
    /// of its C# text, so that diagnostics land on the attribute argument.
    /// </summary>
    internal static class AttributeModelReader
    {
        public const string ModelAttributeName = "CnnDsl.CnnModelAttribute";
        const string LayerAttributeBase = "CnnDsl.LayerAttribute";

        public static AttributeModel Read(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var symbol = (INamedTypeSymbol)context.TargetSymbol;
            var declaration = new ClassDeclaration(true, Accessibility(symbol));
            var location = RoslynDiagnostics.FromRoslyn(symbol.Locations.FirstOrDefault() ?? Location.None);
            try
            {
                return ReadModel(context, symbol, declaration, location, cancellationToken);
            }
            catch (System.Exception exception) when (!(exception is System.OperationCanceledException))
            {
                var bag = new DiagnosticBag();
                bag.ReportInternalError(location, symbol.Name, exception);
                return new AttributeModel(null, declaration, bag.ToEquatableArray());
            }
        }

        static AttributeModel ReadModel(GeneratorAttributeSyntaxContext context, INamedTypeSymbol symbol, ClassDeclaration declaration, DslLocation location, CancellationToken cancellationToken)
        {
            var diagnostics = new DiagnosticBag();
            var problem = ClassProblem(symbol, cancellationToken);
            if (problem != null)
            {
                diagnostics.ReportModelClassNotPartial(location, symbol.Name, problem);
                return new AttributeModel(null, declaration, diagnostics.ToEquatableArray());
            }

            var modelAttribute = context.Attributes[0];
            ShapeSyntax? input = null;
            LayerSyntax? start = null;
            foreach (var named in modelAttribute.NamedArguments)
            {
                if (named.Key == "Base" && named.Value.Value is string baseText)
                {
                    var baseLiteral = FindArgument(modelAttribute, named.Key, cancellationToken)?.Expression;
                    start = Parser.ParseLayerText(baseText, baseLiteral != null ? RoslynDiagnostics.FromRoslyn(baseLiteral.GetLocation()) : location, diagnostics);
                    continue;
                }
                if (named.Key != "Input" || !(named.Value.Value is string text))
                    continue;
                var literal = FindArgument(modelAttribute, named.Key, cancellationToken)?.Expression;
                var literalLocation = literal != null ? RoslynDiagnostics.FromRoslyn(literal.GetLocation()) : location;
                input = ShapeParser.TryParse(text, literalLocation);
                if (input == null)
                    diagnostics.ReportInvalidShape(literalLocation, text);
            }

            // Layers come from the attribute lists in source order; they must all sit on one declaration.
            var layers = new List<LayerSyntax>();
            var declarationsWithLayers = new List<AttributeSyntax>();
            foreach (var reference in symbol.DeclaringSyntaxReferences)
            {
                var classSyntax = (ClassDeclarationSyntax)reference.GetSyntax(cancellationToken);
                bool any = false;
                foreach (var attribute in classSyntax.AttributeLists.SelectMany(list => list.Attributes))
                {
                    var data = symbol.GetAttributes().FirstOrDefault(a => a.ApplicationSyntaxReference?.GetSyntax(cancellationToken) == attribute);
                    if (data?.AttributeClass == null || !IsLayerAttribute(data.AttributeClass))
                        continue;
                    // The C# compiler already reports an attribute it cannot bind; checking it too would only repeat that.
                    if (data.AttributeConstructor == null)
                        return new AttributeModel(null, declaration, diagnostics.ToEquatableArray());
                    if (!any)
                        declarationsWithLayers.Add(attribute);
                    any = true;
                    if (data.AttributeClass.ToDisplayString() == BlockAttributeName)
                    {
                        var use = ReadBlockUse(attribute, data, diagnostics);
                        if (use == null)
                            return new AttributeModel(null, declaration, diagnostics.ToEquatableArray());
                        layers.Add(use);
                        continue;
                    }
                    layers.Add(ReadLayer(attribute, data, diagnostics));
                }
            }
            if (declarationsWithLayers.Count > 1)
            {
                foreach (var first in declarationsWithLayers.Skip(1))
                    diagnostics.ReportLayersOnSeveralDeclarations(RoslynDiagnostics.FromRoslyn(first.GetLocation()), symbol.Name);
                return new AttributeModel(null, declaration, diagnostics.ToEquatableArray());
            }

            var ns = NamespaceOf(symbol);
            var syntax = new ModelSyntax(new NameSyntax(symbol.Name, location), ns, input, layers.Cast<CnnDsl.Dsl.Syntax.StatementSyntax>().ToEquatableArray(), location, Base: start);
            return new AttributeModel(syntax, declaration, diagnostics.ToEquatableArray());
        }

        const string BlockAttributeName = "CnnDsl.BlockAttribute";

        // [Block("pair 64, k=5", Name = "stage1", From = "x")]: the use is read as a .cnn layer line, so a block takes
        // exactly the arguments it takes in a .cnn file; its problems point at the string.
        static LayerSyntax? ReadBlockUse(AttributeSyntax attribute, AttributeData data, DiagnosticBag diagnostics)
        {
            var text = data.ConstructorArguments.Length == 1 ? data.ConstructorArguments[0].Value as string : null;
            var literal = attribute.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals == null)?.Expression;
            var literalLocation = RoslynDiagnostics.FromRoslyn((literal ?? (SyntaxNode)attribute).GetLocation());
            var layer = Parser.ParseLayerText(text ?? "", literalLocation, diagnostics);
            if (layer == null)
                return null;
            foreach (var argument in attribute.ArgumentList?.Arguments ?? default)
            {
                if (argument.NameEquals == null)
                    continue;
                var property = argument.NameEquals.Name.Identifier.ValueText;
                var value = data.NamedArguments.FirstOrDefault(n => n.Key == property).Value.Value as string ?? "";
                var location = RoslynDiagnostics.FromRoslyn(argument.Expression.GetLocation());
                if (property == "Name")
                    layer = layer with { Label = new NameSyntax(value, location) };
                else if (property == "From")
                    layer = layer with { Arguments = layer.Arguments.Concat(new[] { new ArgumentSyntax(new NameSyntax("from", location), ValueSyntax.FromIdentifier(value, location), location) }).ToEquatableArray() };
            }
            return layer with { Location = RoslynDiagnostics.FromRoslyn(attribute.GetLocation()) };
        }

        static LayerSyntax ReadLayer(AttributeSyntax attribute, AttributeData data, DiagnosticBag diagnostics)
        {
            var attributeName = data.AttributeClass!.Name.EndsWith("Attribute") ? data.AttributeClass.Name.Substring(0, data.AttributeClass.Name.Length - "Attribute".Length) : data.AttributeClass.Name;
            var kind = LayerCatalog.FindByAttribute(attributeName);
            var kindName = new NameSyntax(kind?.Name ?? attributeName, RoslynDiagnostics.FromRoslyn(attribute.Name.GetLocation()));
            var arguments = new List<ArgumentSyntax>();
            NameSyntax? label = null;
            var argumentSyntaxes = attribute.ArgumentList?.Arguments ?? default;
            int positional = 0;
            foreach (var argument in argumentSyntaxes)
            {
                var argumentLocation = RoslynDiagnostics.FromRoslyn(argument.GetLocation());
                var valueLocation = RoslynDiagnostics.FromRoslyn(argument.Expression.GetLocation());
                if (argument.NameEquals == null && argument.NameColon == null && kind != null && kind.TakesTensorOperands)
                {
                    // add and concat take the names of the tensors they combine as a params string[].
                    var names = data.ConstructorArguments.Length == 1 && data.ConstructorArguments[0].Kind == TypedConstantKind.Array ? data.ConstructorArguments[0].Values : default;
                    if (!names.IsDefault && argumentSyntaxes.Count == 1 && argument.Expression is not LiteralExpressionSyntax)
                        arguments.AddRange(names.Select(n => new ArgumentSyntax(null, ValueSyntax.FromIdentifier(n.Value as string ?? "", valueLocation), argumentLocation)));
                    else if (!names.IsDefault && positional < names.Length)
                        arguments.Add(new ArgumentSyntax(null, ValueSyntax.FromIdentifier(names[positional].Value as string ?? "", valueLocation), argumentLocation));
                    positional++;
                    continue;
                }
                if (argument.NameEquals == null && argument.NameColon == null)
                {
                    if (positional < data.ConstructorArguments.Length)
                        arguments.Add(new ArgumentSyntax(null, ReadValue(data.ConstructorArguments[positional], argument.Expression, valueLocation), argumentLocation));
                    positional++;
                    continue;
                }
                var propertyName = argument.NameEquals?.Name.Identifier.ValueText ?? argument.NameColon!.Name.Identifier.ValueText;
                var nameLocation = RoslynDiagnostics.FromRoslyn((argument.NameEquals?.Name ?? (SyntaxNode)argument.NameColon!.Name).GetLocation());
                TypedConstant value;
                if (argument.NameColon != null)
                {
                    var parameter = data.AttributeConstructor?.Parameters.FirstOrDefault(p => p.Name == propertyName);
                    if (parameter == null)
                        continue;
                    value = data.ConstructorArguments[parameter.Ordinal];
                    arguments.Add(new ArgumentSyntax(null, ReadValue(value, argument.Expression, valueLocation), argumentLocation));
                    continue;
                }
                if (!data.NamedArguments.Any(n => n.Key == propertyName))
                    continue;
                value = data.NamedArguments.First(n => n.Key == propertyName).Value;
                if (propertyName == "Name")
                {
                    label = new NameSyntax(value.Value as string ?? "", valueLocation);
                    continue;
                }
                if (propertyName == "From")
                {
                    arguments.Add(new ArgumentSyntax(new NameSyntax("from", nameLocation), ValueSyntax.FromIdentifier(value.Value as string ?? "", valueLocation), argumentLocation));
                    continue;
                }
                var parameterName = kind?.Parameters.FirstOrDefault(p => p.AttributeName == propertyName)?.Name ?? propertyName;
                arguments.Add(new ArgumentSyntax(new NameSyntax(parameterName, nameLocation), ReadValue(value, argument.Expression, valueLocation), argumentLocation));
            }
            ReportNonFinite(kind, label?.Text ?? kind?.DefaultLayerName ?? attributeName, arguments, diagnostics);
            return new LayerSyntax(label, kindName, arguments.ToEquatableArray(), RoslynDiagnostics.FromRoslyn(attribute.GetLocation()));
        }

        // double.NaN and the infinities are valid C# constants but no layer's size, rate or epsilon; the .cnn syntax
        // cannot even spell them. Reported here, the model is not bound, so no range check repeats the problem.
        static void ReportNonFinite(LayerKind? kind, string layerName, List<ArgumentSyntax> arguments, DiagnosticBag diagnostics)
        {
            var positional = kind?.PositionalParameters.Select(p => p.Name).ToList() ?? new List<string>();
            int index = 0;
            foreach (var argument in arguments)
            {
                var name = argument.Name?.Text ?? (index < positional.Count ? positional[index] : "#" + (index + 1));
                if (argument.Name == null)
                    index++;
                var bad = NonFinite(argument.Value);
                if (bad != null)
                    diagnostics.ReportNonFiniteNumber(bad.Location, layerName, name, bad.Text);
            }
        }

        static ValueSyntax? NonFinite(ValueSyntax value) =>
            value.Kind == CnnDsl.Dsl.Syntax.ValueKind.Number && (double.IsNaN(value.Number) || double.IsInfinity(value.Number)) ? value
            : value.Items.Select(NonFinite).FirstOrDefault(v => v != null);

        static ValueSyntax ReadValue(TypedConstant constant, ExpressionSyntax expression, DslLocation location)
        {
            var text = expression.ToString();
            if (constant.Kind == TypedConstantKind.Array)
            {
                var items = constant.IsNull ? new List<ValueSyntax>() : constant.Values.Select(v => ReadValue(v, expression, location)).ToList();
                return ValueSyntax.FromTuple(text, items.ToEquatableArray(), location);
            }
            if (constant.Kind == TypedConstantKind.Enum && constant.Type is INamedTypeSymbol enumType)
            {
                var member = enumType.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, constant.Value));
                return ValueSyntax.FromIdentifier(member?.Name ?? text, location);
            }
            switch (constant.Value)
            {
                case bool flag:
                    return ValueSyntax.FromIdentifier(flag ? "true" : "false", location);
                case string word:
                    return ValueSyntax.FromIdentifier(word, location);
                case double or float:
                    return ValueSyntax.FromNumber(text, System.Convert.ToDouble(constant.Value, CultureInfo.InvariantCulture), false, location);
                case int or long or short or byte or sbyte or uint or ushort:
                    return ValueSyntax.FromNumber(text, System.Convert.ToDouble(constant.Value, CultureInfo.InvariantCulture), true, location,
                        System.Convert.ToInt64(constant.Value, CultureInfo.InvariantCulture));
                default:
                    return ValueSyntax.FromIdentifier(text, location);
            }
        }

        static AttributeArgumentSyntax? FindArgument(AttributeData attribute, string name, CancellationToken cancellationToken)
        {
            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            return syntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
        }

        static bool IsLayerAttribute(INamedTypeSymbol type)
        {
            for (var current = type.BaseType; current != null; current = current.BaseType)
                if (current.ToDisplayString() == LayerAttributeBase)
                    return true;
            return false;
        }

        static string? ClassProblem(INamedTypeSymbol symbol, CancellationToken cancellationToken)
        {
            if (symbol.IsStatic)
                return "static";
            if (symbol.IsGenericType)
                return "generic";
            if (symbol.ContainingType != null)
                return "nested in another type";
            if (symbol.BaseType != null && symbol.BaseType.SpecialType != SpecialType.System_Object)
                return "derived from " + symbol.BaseType.ToDisplayString() + " (the generated part derives from Module<Tensor, Tensor>)";
            foreach (var reference in symbol.DeclaringSyntaxReferences)
                if (reference.GetSyntax(cancellationToken) is ClassDeclarationSyntax syntax && !syntax.Modifiers.Any(Microsoft.CodeAnalysis.CSharp.SyntaxKind.PartialKeyword))
                    return "not partial";
            return null;
        }

        // The plain dotted name: 'namespace @class' is the namespace 'class'; the emitter escapes keywords again.
        static string? NamespaceOf(INamedTypeSymbol symbol)
        {
            var parts = new List<string>();
            for (var ns = symbol.ContainingNamespace; ns != null && !ns.IsGlobalNamespace; ns = ns.ContainingNamespace)
                parts.Insert(0, ns.Name);
            return parts.Count == 0 ? null : string.Join(".", parts);
        }

        static string Accessibility(INamedTypeSymbol symbol) =>
            symbol.DeclaredAccessibility == Microsoft.CodeAnalysis.Accessibility.Public ? "public" : "internal";
    }
}
