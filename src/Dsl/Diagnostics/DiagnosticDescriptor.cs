namespace CnnDsl.Dsl.Diagnostics
{
    public enum DiagnosticSeverity
    {
        Warning,
        Error,
    }

    /// <summary>One kind of diagnostic: a stable ID, a title and a message format with numbered holes.</summary>
    public sealed class DiagnosticDescriptor
    {
        public DiagnosticDescriptor(string id, string title, string messageFormat, string category, DiagnosticSeverity severity = DiagnosticSeverity.Error)
        {
            Id = id;
            Title = title;
            MessageFormat = messageFormat;
            Category = category;
            Severity = severity;
        }

        public string Id { get; }
        public string Title { get; }
        public string MessageFormat { get; }
        public string Category { get; }
        public DiagnosticSeverity Severity { get; }
    }
}
