namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// What a layer kind is in PyTorch and in Keras, for readers who know either. <see cref="PyTorch"/> names what
    /// <c>cnn export --pytorch</c> writes for the kind (a test holds the two together); <see cref="Keras"/> names the
    /// layer a Keras model has in its place; <see cref="Note"/> says where the mapping is not one-to-one.
    /// </summary>
    public sealed class Equivalents
    {
        /// <summary>Written where a framework has no layer of its own for the kind; the note then says what it uses.</summary>
        public const string None = "none";

        public Equivalents(string pyTorch, string keras, string note = "")
        {
            PyTorch = pyTorch;
            Keras = keras;
            Note = note;
        }

        /// <summary>Python code, e.g. <c>nn.Conv2d</c>, or <see cref="None"/>.</summary>
        public string PyTorch { get; }

        /// <summary>Python code, e.g. <c>layers.Conv2D</c>, or <see cref="None"/>.</summary>
        public string Keras { get; }

        /// <summary>Markdown prose; empty where the equivalents are the same layer.</summary>
        public string Note { get; }
    }
}
