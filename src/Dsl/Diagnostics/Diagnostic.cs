using System.Globalization;
using CnnDsl.Dsl.Text;

namespace CnnDsl.Dsl.Diagnostics
{
    /// <summary>A reported problem: which kind, where, and the finished message. Plain data, comparable by value.</summary>
    public sealed record Diagnostic(string Id, DiagnosticSeverity Severity, SourceLocation Location, string Message)
    {
        /// <summary>Other places the diagnostic concerns, such as the line inside a block that failed for this use.</summary>
        public EquatableArray<SourceLocation> AdditionalLocations { get; init; } = EquatableArray<SourceLocation>.Empty;

        /// <summary>The edit that fixes it, where one is certain: what editors offer as a quick fix, read as data.</summary>
        public DiagnosticFix? Fix { get; init; }

        public static Diagnostic Create(DiagnosticDescriptor descriptor, SourceLocation location, params object[] args) =>
            new Diagnostic(descriptor.Id, descriptor.Severity, location, string.Format(CultureInfo.InvariantCulture, descriptor.MessageFormat, args));

        public bool IsError => Severity == DiagnosticSeverity.Error;

        public override string ToString() =>
            Location.Path + Location.LineSpan.Start + ": " + (IsError ? "error " : "warning ") + Id + ": " + Message;
    }

    /// <summary>What a quick fix does; each front end renders it in its own syntax (a .cnn line, a C# attribute).</summary>
    public enum FixKind
    {
        /// <summary>Replace the text at the fix's location with <see cref="DiagnosticFix.Replacement"/>.</summary>
        Replace,
        /// <summary>Insert a layer of kind <see cref="DiagnosticFix.Replacement"/> before the layer at the fix's location.</summary>
        InsertLayerBefore,
        /// <summary>Set argument <see cref="DiagnosticFix.Argument"/> of the layer at the fix's location to <see cref="DiagnosticFix.Replacement"/>.</summary>
        SetArgument,
    }

    /// <summary>
    /// A quick fix as data: what to do, where, and with which text. <see cref="Replaces"/> is the text a replacement
    /// stands for (the misspelt word), so that a fix inside a C# string changes only that word.
    /// </summary>
    public sealed record DiagnosticFix(FixKind Kind, string Title, SourceLocation Location, string Replacement, string? Replaces = null, string? Argument = null)
    {
        /// <summary>The keys of a compiler diagnostic's properties that carry the fix to code fixes.</summary>
        public const string KindKey = "CnnDsl.Fix.Kind", TitleKey = "CnnDsl.Fix.Title", ReplacementKey = "CnnDsl.Fix.Replacement", StartKey = "CnnDsl.Fix.Start",
            LengthKey = "CnnDsl.Fix.Length", ReplacesKey = "CnnDsl.Fix.Replaces", ArgumentKey = "CnnDsl.Fix.Argument";

        public static DiagnosticFix? ChangeTo(SourceLocation location, string? suggestion, string misspelt) =>
            suggestion == null ? null : new DiagnosticFix(FixKind.Replace, "Change to '" + suggestion + "'", location, suggestion, misspelt);
    }
}
