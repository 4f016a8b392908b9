namespace CnnDsl.Dsl.Text
{
    /// <summary>A zero-based line and character position, as Roslyn counts them.</summary>
    public readonly record struct LinePosition(int Line, int Character)
    {
        public override string ToString() => "(" + (Line + 1) + "," + (Character + 1) + ")";
    }

    /// <summary>The start and end of a span in lines and characters.</summary>
    public readonly record struct LinePositionSpan(LinePosition Start, LinePosition End)
    {
        public override string ToString() => Start + "-" + End;
    }
}
