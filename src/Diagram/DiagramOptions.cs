namespace CnnDsl.Diagram
{
    /// <summary>How a model is drawn.</summary>
    public sealed record DiagramOptions
    {
        /// <summary>Draws every layer inside every block use instead of one box per use.</summary>
        public bool ExpandBlocks { get; init; }

        /// <summary>
        /// With blocks collapsed, draws a chain of at least <see cref="RepeatThreshold"/> uses of one block with equal
        /// arguments as one box marked ×N, so that ResNet-152's 36 equal bottlenecks of layer3 take one box, not 36.
        /// </summary>
        public bool CollapseRepeats { get; init; } = true;

        /// <summary>The shortest chain drawn as one box: two boxes say more than one and take about the same room.</summary>
        public int RepeatThreshold { get; init; } = 3;

        public static DiagramOptions Default { get; } = new DiagramOptions();
    }
}
