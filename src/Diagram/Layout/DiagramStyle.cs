namespace CnnDsl.Diagram.Layout
{
    /// <summary>Sizes of the drawing, in pixels at 100%: one place, so every diagram looks alike.</summary>
    public static class DiagramStyle
    {
        /// <summary>The layer's name.</summary>
        public const double TitleSize = 13;
        /// <summary>What the layer is, its shape and count; the smallest text of the diagram.</summary>
        public const double BodySize = 11;
        public const double CaptionSize = 14;
        public const double LineGap = 1.3;
        public const double PaddingX = 12;
        public const double PaddingY = 8;
        public const double CornerRadius = 6;
        public const double Margin = 16;
        public const double NodeSeparation = 24;
        public const double LayerSeparation = 28;
        public const double ArrowLength = 8;
        public const double ArrowHalfWidth = 3.5;
        /// <summary>Room between an expanded block's frame and its boxes.</summary>
        public const double FramePadding = 8;
        /// <summary>How far the card behind a box of repeated block uses peeks out.</summary>
        public const double StackOffset = 4;
    }
}
