using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Plan;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Dsl.Catalog
{
    /// <summary>
    /// How a layer's kernel or bias starts (<c>kernel_init=</c>, <c>bias_init=</c>), as <c>torch.nn.init</c> names the
    /// schemes. Fans follow PyTorch's rule on the tensor's shape (dimension 1 times the window is fan in, dimension 0 times
    /// the window is fan out); the Kaiming schemes use ReLU's gain, sqrt 2, as torchvision's models do.
    /// </summary>
    public sealed class Initializer
    {
        Initializer(string name, PlanInitKind kind, string description, string pytorch, string keras, bool usesMode = false, bool usesStd = false, bool forBias = false)
        {
            Name = name;
            Kind = kind;
            Description = description;
            PyTorch = pytorch;
            Keras = keras;
            UsesMode = usesMode;
            UsesStd = usesStd;
            ForBias = forBias;
        }

        public string Name { get; }
        public PlanInitKind Kind { get; }
        public string Description { get; }
        public string PyTorch { get; }
        public string Keras { get; }
        /// <summary>Whether <c>init_mode=</c> (fan_in or fan_out) picks the fan it scales by.</summary>
        public bool UsesMode { get; }
        /// <summary>Whether <c>init_std=</c> gives its deviation.</summary>
        public bool UsesStd { get; }
        /// <summary>Whether a bias may start this way (a bias has no fans).</summary>
        public bool ForBias { get; }

        public const string Default = "default";

        public static readonly IReadOnlyList<Initializer> All = new[]
        {
            new Initializer(Default, PlanInitKind.DefaultKernel, "the module's own: kernels and biases uniform in +-1/sqrt(fan in)", "(the module's reset_parameters)", "-", forBias: true),
            new Initializer("kaiming_normal", PlanInitKind.KaimingNormal, "normal with deviation sqrt(2 / fan); torchvision's ResNet, VGG, MobileNet, EfficientNet (init_mode=fan_out) and DenseNet (fan_in)",
                "nn.init.kaiming_normal_", "he_normal (fan_in)", usesMode: true),
            new Initializer("kaiming_uniform", PlanInitKind.KaimingUniform, "uniform in +-sqrt(6 / fan)", "nn.init.kaiming_uniform_", "he_uniform (fan_in)", usesMode: true),
            new Initializer("xavier_normal", PlanInitKind.XavierNormal, "normal with deviation sqrt(2 / (fan in + fan out))", "nn.init.xavier_normal_", "glorot_normal"),
            new Initializer("xavier_uniform", PlanInitKind.XavierUniform, "uniform in +-sqrt(6 / (fan in + fan out)); Keras' default for kernels", "nn.init.xavier_uniform_", "glorot_uniform"),
            new Initializer("normal", PlanInitKind.Normal, "normal with mean 0 and deviation init_std; torchvision's VGG and MobileNet classifiers (0.01)", "nn.init.normal_", "RandomNormal", usesStd: true),
            new Initializer("trunc_normal", PlanInitKind.TruncatedNormal, "normal with deviation init_std, redrawn outside [-2, 2]; torchvision's GoogLeNet (0.01) and Inception v3 (0.1)",
                "nn.init.trunc_normal_", "TruncatedNormal (cut at 2 deviations, not at +-2)", usesStd: true),
            new Initializer("uniform", PlanInitKind.Uniform, "uniform in +-1/sqrt(fan); torchvision's EfficientNet classifier (init_mode=fan_out)", "nn.init.uniform_", "RandomUniform", usesMode: true),
            new Initializer("zeros", PlanInitKind.Zeros, "every value 0; Keras' default for biases", "nn.init.zeros_", "zeros", forBias: true),
            new Initializer("ones", PlanInitKind.Ones, "every value 1", "nn.init.ones_", "ones", forBias: true),
        };

        public static readonly IReadOnlyList<string> Names = All.Select(i => i.Name).ToList();

        public static readonly IReadOnlyList<string> BiasNames = All.Where(i => i.ForBias).Select(i => i.Name).ToList();

        static readonly IReadOnlyList<string> Modes = new[] { "fan_in", "fan_out" };

        public static Initializer Find(string name) => All.First(i => i.Name == name);

        /// <summary>The four arguments of a layer with a kernel and a bias.</summary>
        public static ParameterSpec[] Parameters() => new[]
        {
            new ParameterSpec("kernel_init", ParameterType.Choice, "how the kernel starts: " + string.Join(", ", Names), defaultText: Default),
            new ParameterSpec("bias_init", ParameterType.Choice, "how the bias starts: " + string.Join(", ", BiasNames), defaultText: Default),
            new ParameterSpec("init_mode", ParameterType.Choice, "the fan kernel_init scales by (kaiming_*, uniform): fan_in or fan_out", defaultText: "fan_in"),
            new ParameterSpec("init_std", ParameterType.Float, "the deviation of kernel_init=normal or trunc_normal", defaultText: "0.01"),
        };

        /// <summary>Reads <c>kernel_init</c>, <c>bias_init</c>, <c>init_mode</c> and <c>init_std</c>.</summary>
        public static LayerInit Read(ArgumentReader arguments)
        {
            var kernel = arguments.Choice("kernel_init", Names, Default);
            var bias = arguments.Choice("bias_init", BiasNames, Default);
            var mode = arguments.Choice("init_mode", Modes, "fan_in");
            var std = arguments.Float("init_std", 0.01)!;
            if (!arguments.HasErrors && std is RealExpr s && !(s.Value > 0))
                arguments.OutOfRange("init_std", s.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "greater than 0");
            var scheme = Find(kernel);
            if (!scheme.UsesStd)
                arguments.WithoutEffect("init_std", "kernel_init=" + kernel, "it is the deviation of kernel_init=normal or trunc_normal");
            if (!scheme.UsesMode)
                arguments.WithoutEffect("init_mode", "kernel_init=" + kernel, "it picks the fan of kernel_init=kaiming_normal, kaiming_uniform or uniform");
            return new LayerInit(kernel, bias, mode == "fan_out", std);
        }
    }

    /// <summary>How a layer's kernel and bias start; <see cref="Default"/> is the module's own initialisation.</summary>
    public sealed record LayerInit(string Kernel, string Bias, bool FanOut, Expr Std)
    {
        public static readonly LayerInit Default = new LayerInit(Initializer.Default, Initializer.Default, false, new RealExpr(0.01));

        /// <summary>The kernel's start; <paramref name="fanIn"/> is what the module's own uniform bound uses.</summary>
        public PlanInit ForKernel(Expr fanIn) => Start(Initializer.Find(Kernel), fanIn, PlanInitKind.DefaultKernel);

        public PlanInit ForBias(Expr fanIn) => Start(Initializer.Find(Bias), fanIn, PlanInitKind.DefaultBias);

        PlanInit Start(Initializer initializer, Expr fanIn, PlanInitKind moduleDefault) => initializer.Name == Initializer.Default
            ? new PlanInit(moduleDefault, fanIn)
            : new PlanInit(initializer.Kind) { FanOut = initializer.UsesMode && FanOut, Std = initializer.UsesStd ? Std : null, Explicit = true };
    }
}
