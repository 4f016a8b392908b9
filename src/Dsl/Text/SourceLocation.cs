namespace CnnDsl.Dsl.Text
{
    /// <summary>
    /// Where something is written: the file, the character span and the same span in lines. A plain value, so that
    /// generator pipelines can hold it and compare it; it becomes a Roslyn location only when reported.
    /// </summary>
    public sealed record SourceLocation(string Path, TextSpan Span, LinePositionSpan LineSpan)
    {
        public override string ToString() => Path + LineSpan.Start;
    }
}
