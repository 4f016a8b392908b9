using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using DslDiagnostic = CnnDsl.Dsl.Diagnostics.Diagnostic;
using DslDescriptors = CnnDsl.Dsl.Diagnostics.DiagnosticDescriptors;
using DslLocation = CnnDsl.Dsl.Text.SourceLocation;
using DslSeverity = CnnDsl.Dsl.Diagnostics.DiagnosticSeverity;

namespace CnnDsl.Generator
{
    /// <summary>Turns the Dsl's plain diagnostics into compiler diagnostics, with one Roslyn descriptor per catalogue entry.</summary>
    internal static class RoslynDiagnostics
    {
        static readonly Dictionary<string, DiagnosticDescriptor> Descriptors = DslDescriptors.All.ToDictionary(
            d => d.Id,
            d => new DiagnosticDescriptor(d.Id, d.Title, "{0}", d.Category,
                d.Severity == DslSeverity.Error ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, isEnabledByDefault: true));

        public static Diagnostic ToRoslyn(DslDiagnostic diagnostic) =>
            Diagnostic.Create(Descriptors[diagnostic.Id], ToRoslyn(diagnostic.Location),
                diagnostic.AdditionalLocations.Select(ToRoslyn), FixProperties(diagnostic.Fix), diagnostic.Message);

        // The fix travels as data in the diagnostic's properties, so a code fix never reads the message.
        static System.Collections.Immutable.ImmutableDictionary<string, string?>? FixProperties(CnnDsl.Dsl.Diagnostics.DiagnosticFix? fix)
        {
            if (fix == null)
                return null;
            var properties = System.Collections.Immutable.ImmutableDictionary<string, string?>.Empty
                .Add(CnnDsl.Dsl.Diagnostics.DiagnosticFix.KindKey, fix.Kind.ToString())
                .Add(CnnDsl.Dsl.Diagnostics.DiagnosticFix.TitleKey, fix.Title)
                .Add(CnnDsl.Dsl.Diagnostics.DiagnosticFix.ReplacementKey, fix.Replacement)
                .Add(CnnDsl.Dsl.Diagnostics.DiagnosticFix.StartKey, fix.Location.Span.Start.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Add(CnnDsl.Dsl.Diagnostics.DiagnosticFix.LengthKey, fix.Location.Span.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (fix.Replaces != null)
                properties = properties.Add(CnnDsl.Dsl.Diagnostics.DiagnosticFix.ReplacesKey, fix.Replaces);
            if (fix.Argument != null)
                properties = properties.Add(CnnDsl.Dsl.Diagnostics.DiagnosticFix.ArgumentKey, fix.Argument);
            return properties;
        }

        public static Location ToRoslyn(DslLocation location) =>
            Location.Create(location.Path,
                new TextSpan(location.Span.Start, location.Span.Length),
                new LinePositionSpan(
                    new LinePosition(location.LineSpan.Start.Line, location.LineSpan.Start.Character),
                    new LinePosition(location.LineSpan.End.Line, location.LineSpan.End.Character)));

        public static DslLocation FromRoslyn(Location location)
        {
            var lines = location.GetLineSpan();
            return new DslLocation(lines.Path ?? "",
                new CnnDsl.Dsl.Text.TextSpan(location.SourceSpan.Start, location.SourceSpan.Length),
                new CnnDsl.Dsl.Text.LinePositionSpan(
                    new CnnDsl.Dsl.Text.LinePosition(lines.StartLinePosition.Line, lines.StartLinePosition.Character),
                    new CnnDsl.Dsl.Text.LinePosition(lines.EndLinePosition.Line, lines.EndLinePosition.Character)));
        }
    }
}
