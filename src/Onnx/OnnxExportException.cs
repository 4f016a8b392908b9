using System;

namespace CnnDsl.Onnx
{
    /// <summary>A model, layer or weights file that cannot become an ONNX file; the message names what and says what to do.</summary>
    public sealed class OnnxExportException : Exception
    {
        public OnnxExportException(string message)
            : base(message)
        {
        }
    }
}
