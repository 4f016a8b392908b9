using CnnDsl;

namespace FashionMnist.Models;

/// <summary>The course's first MNIST CNN (104,202 parameters), written with attributes.</summary>
[CnnModel(Input = "1x28x28")]
[Conv2d(32, Kernel = 3, Activation = Activation.ReLU)]
[MaxPool2d(2)]
[Conv2d(64, Kernel = 3, Activation = Activation.ReLU)]
[MaxPool2d(2)]
[Conv2d(128, Kernel = 3, Activation = Activation.ReLU)]
[Flatten]
[Dense(10)]
public partial class SmallCnn;
