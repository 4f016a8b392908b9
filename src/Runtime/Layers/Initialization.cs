using System;
using static TorchSharp.torch;

namespace CnnDsl.Layers
{
    /// <summary>Initialisations TorchSharp 0.107 lacks or gets wrong, written as PyTorch writes them.</summary>
    public static class Initialization
    {
        /// <summary>
        /// <c>nn.init.trunc_normal_</c>: normal with <paramref name="mean"/> and <paramref name="std"/>, values outside
        /// [<paramref name="a"/>, <paramref name="b"/>] redrawn, by PyTorch's inverse-CDF method. TorchSharp 0.107's
        /// <c>trunc_normal_</c> fills the tensor with the deviation instead.
        /// </summary>
        public static Tensor TruncatedNormal(Tensor tensor, double mean = 0, double std = 1, double a = -2, double b = 2)
        {
            static double NormalCdf(double x) => (1 + Erf(x / Math.Sqrt(2))) / 2;
            using var _ = no_grad();
            double lower = NormalCdf((a - mean) / std), upper = NormalCdf((b - mean) / std);
            tensor.uniform_(2 * lower - 1, 2 * upper - 1);
            tensor.erfinv_();
            tensor.mul_(std * Math.Sqrt(2));
            tensor.add_(mean);
            tensor.clamp_(a, b);
            return tensor;
        }

        /// <summary>
        /// <c>nn.init.xavier_normal_</c>: normal with deviation sqrt(2 / (fan in + fan out)), the fans read from the shape as
        /// PyTorch reads them. TorchSharp 0.107's <c>xavier_normal_</c> draws from a uniform distribution.
        /// </summary>
        public static Tensor XavierNormal(Tensor tensor)
        {
            if (tensor.dim() < 2)
                throw new ArgumentException($"Xavier initialisation needs a tensor of two or more dimensions, not ({string.Join(", ", tensor.shape)}).", nameof(tensor));
            long window = 1;
            for (int i = 2; i < tensor.dim(); i++)
                window *= tensor.shape[i];
            double std = Math.Sqrt(2.0 / (tensor.shape[1] * window + tensor.shape[0] * window));
            using var _ = no_grad();
            return tensor.normal_(0, std);
        }

        /// <summary>
        /// The parameter of <paramref name="module"/> under its dotted state_dict name (<c>pointwise.weight</c>); an
        /// error naming the module where it has none.
        /// </summary>
        public static TorchSharp.Modules.Parameter Parameter(nn.Module module, string name)
        {
            foreach (var (key, parameter) in module.named_parameters())
                if (key == name)
                    return parameter;
            throw new ArgumentException($"The module {module.GetName()} has no parameter '{name}'.", nameof(name));
        }

        // libtorch's erf, in double precision.
        static double Erf(double x)
        {
            using var value = tensor(x, ScalarType.Float64);
            return value.erf().item<double>();
        }
    }
}
