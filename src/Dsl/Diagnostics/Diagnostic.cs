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

    /// <summary>A quick fix as data: replace the text at <see cref="Location"/> with <see cref="Replacement"/>.</summary>
    public sealed record DiagnosticFix(string Title, SourceLocation Location, string Replacement)
    {
        /// <summary>The keys of a compiler diagnostic's properties that carry the fix to code fixes.</summary>
        public const string TitleKey = "CnnDsl.Fix.Title", ReplacementKey = "CnnDsl.Fix.Replacement", StartKey = "CnnDsl.Fix.Start", LengthKey = "CnnDsl.Fix.Length";
    }
}
