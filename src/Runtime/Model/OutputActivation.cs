namespace CnnDsl
{
    /// <summary>What a model's last layer does to its outputs, so that training can pick the matching loss form.</summary>
    public enum OutputActivation
    {
        /// <summary>Raw scores (logits).</summary>
        None,
        /// <summary>Probabilities over the last dimension.</summary>
        Softmax,
        /// <summary>Log-probabilities over the last dimension.</summary>
        LogSoftmax,
        /// <summary>Independent probabilities.</summary>
        Sigmoid,
    }
}
