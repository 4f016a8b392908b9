namespace CnnDsl.Dsl.Catalog
{
    public enum PaddingMode
    {
        Valid,
        Same,
        Explicit,
    }

    /// <summary>A padding argument: none, Keras' <c>same</c>, or explicit sizes as (before, after) for each spatial dimension.</summary>
    public sealed record PaddingValue(PaddingMode Mode, EquatableArray<Symbolic.Expr> PerSide)
    {
        public static PaddingValue Valid { get; } = new PaddingValue(PaddingMode.Valid, EquatableArray<Symbolic.Expr>.Empty);

        public static PaddingValue Same { get; } = new PaddingValue(PaddingMode.Same, EquatableArray<Symbolic.Expr>.Empty);

        public static PaddingValue Explicit(Symbolic.Expr[] perSide) => new PaddingValue(PaddingMode.Explicit, perSide.ToEquatableArray());
    }
}
