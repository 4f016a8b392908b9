using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CnnDsl.Runtime.Tests.HandWritten;

/// <summary>
/// The course's Fashion-MNIST CNN written by hand in TorchSharp, children named as Keras names them: conv 32 k5 same relu,
/// max pool 2, conv 64 k5 same relu, max pool 2, flatten, dense 1000 relu, dropout 0.25, dense 10 (3,199,106 parameters).
/// With <c>softmax</c> its outputs are probabilities, as the course's Keras model has them.
/// </summary>
public sealed class CourseCnn : Module<Tensor, Tensor>
{
    readonly Conv2d conv2d = Conv2d(1, 32, 5, padding: TorchSharp.Padding.Same);
    readonly MaxPool2d max_pooling2d = MaxPool2d(2);
    readonly Conv2d conv2d_1 = Conv2d(32, 64, 5, padding: TorchSharp.Padding.Same);
    readonly MaxPool2d max_pooling2d_1 = MaxPool2d(2);
    readonly Flatten flatten = Flatten();
    readonly Linear dense = Linear(3136, 1000);
    readonly Dropout dropout = Dropout(0.25);
    readonly Linear dense_1 = Linear(1000, 10);
    readonly bool softmax;

    public CourseCnn(bool softmax = false) : base(nameof(CourseCnn))
    {
        this.softmax = softmax;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = max_pooling2d.call(functional.relu(conv2d.call(input)));
        x = max_pooling2d_1.call(functional.relu(conv2d_1.call(x)));
        x = dropout.call(functional.relu(dense.call(flatten.call(x))));
        x = dense_1.call(x);
        return (softmax ? functional.softmax(x, 1) : x).MoveToOuterDisposeScope();
    }
}

/// <summary>A small hand-written CNN for fast training tests: conv 16 k3 same, max pool 2, conv 32 k3 same, max pool 2, dense 10.</summary>
public sealed class SmallCnn : Module<Tensor, Tensor>
{
    readonly Conv2d conv1 = Conv2d(1, 16, 3, padding: TorchSharp.Padding.Same);
    readonly MaxPool2d pool1 = MaxPool2d(2);
    readonly Conv2d conv2 = Conv2d(16, 32, 3, padding: TorchSharp.Padding.Same);
    readonly MaxPool2d pool2 = MaxPool2d(2);
    readonly Flatten flatten = Flatten();
    readonly Linear fc;
    readonly int outputs;
    readonly string head;

    /// <param name="head">"logits", "softmax", "log_softmax" or "sigmoid".</param>
    public SmallCnn(int outputs = 10, string head = "logits") : base(nameof(SmallCnn))
    {
        this.outputs = outputs;
        this.head = head;
        fc = Linear(32 * 7 * 7, outputs);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = pool1.call(functional.relu(conv1.call(input)));
        x = pool2.call(functional.relu(conv2.call(x)));
        x = fc.call(flatten.call(x));
        x = head switch
        {
            "softmax" => functional.softmax(x, 1),
            "log_softmax" => functional.log_softmax(x, 1),
            "sigmoid" => functional.sigmoid(x),
            _ => x,
        };
        return x.MoveToOuterDisposeScope();
    }
}
