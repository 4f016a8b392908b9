using System;
using CnnDsl.Vision;
using static TorchSharp.torch;

namespace CnnDsl
{
    /// <summary>A <see cref="Normalize"/> applied to and undone on tensors of images, as pictures and Grad-CAM need.</summary>
    public static class NormalizeTensors
    {
        /// <summary>
        /// The inverse: <c>x * std + mean</c> per channel, for images (C, H, W) or batches (N, C, H, W) this normalised, so
        /// that pictures show the pixels the model was given.
        /// </summary>
        public static Tensor Undo(this Normalize normalize, Tensor images)
        {
            var (mean, std) = PerChannel(normalize, images);
            using (mean)
            using (std)
                return images * std + mean;
        }

        /// <summary><c>(x - mean) / std</c> per channel on a tensor of images (C, H, W) or batches (N, C, H, W): what the transform does to one image.</summary>
        public static Tensor Apply(this Normalize normalize, Tensor images)
        {
            var (mean, std) = PerChannel(normalize, images);
            using (mean)
            using (std)
                return (images - mean) / std;
        }

        static (Tensor Mean, Tensor Std) PerChannel(Normalize normalize, Tensor images)
        {
            int channelDimension = images.dim() == 4 ? 1 : images.dim() == 3 ? 0 : throw new ArgumentException($"Images are (C, H, W) or (N, C, H, W), not ({string.Join(", ", images.shape)}).", nameof(images));
            if (images.shape[channelDimension] != normalize.Mean.Length)
                throw new ArgumentException($"This normalisation has {normalize.Mean.Length} channels, the images {images.shape[channelDimension]}.", nameof(images));
            var shape = channelDimension == 1 ? new long[] { 1, normalize.Mean.Length, 1, 1 } : new long[] { normalize.Mean.Length, 1, 1 };
            return (tensor(normalize.Mean, device: images.device).reshape(shape), tensor(normalize.Std, device: images.device).reshape(shape));
        }
    }
}
