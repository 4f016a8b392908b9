namespace CnnDsl.Dsl.Text
{
    /// <summary>A range of characters in a text: its start and length.</summary>
    public readonly record struct TextSpan(int Start, int Length)
    {
        public int End => Start + Length;

        public static TextSpan FromBounds(int start, int end) => new TextSpan(start, end - start);

        public bool Contains(TextSpan other) => other.Start >= Start && other.End <= End;

        public override string ToString() => "[" + Start + ".." + End + ")";
    }
}
