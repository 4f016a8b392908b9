using System;
using FashionMnist;
using FashionMnist.Models;
using static TorchSharp.torch;

var model = new FashionCnn();
Console.WriteLine(FashionCnn.Summary);
var y = model.call(zeros(2, 1, 28, 28));
Console.WriteLine(string.Join(",", y.shape));
var small = new SmallCnn();
Console.WriteLine(SmallCnn.Summary);
