using CnnDsl;
using CnnDsl.Data;
using CnnDsl.Training;
using MyNet;
using static TorchSharp.torch;

// 600 images it makes itself: a bright 6x6 square in the top-left, top-right or bottom half; the label says where.
// Replace them with your own data, e.g. Dataset.FromIdxFolder("data/fashion-mnist") or new ImageFolder("photos").
var (train, test) = Squares(600, seed: 1).Split(0.2, seed: 1);

using var model = CnnModel.Create<Net>(seed: 1);
Console.WriteLine(Net.Summary);
model.Fit(train, new FitOptions { Epochs = 4, BatchSize = 32, Optimizer = OptimizerSpec.Adam(3e-3), Seed = 1 });
var (loss, accuracy) = model.Evaluate(test);
Console.WriteLine($"Test accuracy: {accuracy:P1} on {test.Count} images (loss {loss:0.000})");

static Dataset Squares(int count, int seed)
{
    var random = new Random(seed);
    var images = zeros(count, 1, 28, 28);
    var labels = new long[count];
    for (int i = 0; i < count; i++)
    {
        int label = random.Next(3);
        int top = label == 2 ? random.Next(15, 22) : random.Next(0, 8);
        int left = label == 0 ? random.Next(0, 8) : label == 1 ? random.Next(15, 22) : random.Next(0, 22);
        images[i, 0, TensorIndex.Slice(top, top + 6), TensorIndex.Slice(left, left + 6)] = tensor(1f);
        labels[i] = label;
    }
    manual_seed(seed);
    images.add_(randn(count, 1, 28, 28) * 0.1f);
    return new Dataset(images, tensor(labels));
}
