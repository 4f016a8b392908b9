namespace CnnDsl.Diagram.Layout
{
    /// <summary>
    /// Text widths without a font engine: the advance widths of Helvetica and Helvetica-Bold from Adobe's published AFM
    /// files (in thousandths of the font size), which Arial and Liberation Sans share, so the SVG names those fonts first.
    /// Characters outside printable ASCII take a full em, more than any of these fonts gives them, so a box is never too
    /// narrow for its text; a sans-serif that is none of the three (DejaVu Sans is about 8% wider) is the one case where
    /// text may come close to a box's edge, which the padding absorbs.
    /// </summary>
    public static class TextMetrics
    {
        /// <summary>What the SVG asks for: metric-compatible fonts first.</summary>
        public const string FontFamily = "Helvetica, Arial, 'Liberation Sans', sans-serif";

        // Printable ASCII from the space (32) to the tilde (126).
        static readonly short[] Regular =
        {
            278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
            556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
            1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
            667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
            333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
            556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
        };

        static readonly short[] Bold =
        {
            278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
            556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
            975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
            667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
            333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
            611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
        };

        /// <summary>The width of <paramref name="text"/> in pixels at <paramref name="fontSize"/> pixels.</summary>
        public static double Width(string text, double fontSize, bool bold = false)
        {
            var table = bold ? Bold : Regular;
            double units = 0;
            foreach (char c in text)
                units += c >= 32 && c <= 126 ? table[c - 32] : Other(c);
            return units * fontSize / 1000;
        }

        // The multiplication sign (×) is 584 in both weights; the ellipsis (…) is a full em.
        static double Other(char c) => c == '\u00D7' ? 584 : 1000;
    }
}
