using System.Collections.Generic;
using System.Linq;
using CnnDsl.Compiler.Tests.Infrastructure;
using DiagnosticDescriptors = CnnDsl.Dsl.Diagnostics.DiagnosticDescriptors;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnDsl.Compiler.Tests;

/// <summary>
/// Every diagnostic ID, with its exact span (marked [|...|]) and message, in .cnn files and on attributes where it applies.
/// Each case must produce exactly the asserted diagnostic and nothing else.
/// </summary>
public class DiagnosticTests
{
    const string Head = "model Net\n  input 1x28x28\n";

    public static TheoryData<string, string, string> CnnCases => new()
    {
        { "CNN1001", Head + "  conv2d 32, kernel=3 [|$|]\n", "Unexpected character '$'; a .cnn line holds a layer name, its arguments separated by commas, and '#' comments" },
        // A character beyond the Basic Multilingual Plane is one diagnostic over its two UTF-16 units.
        { "CNN1001", Head + "  conv2d 32, kernel=3 [|😀|]\n", "Unexpected character '😀'; a .cnn line holds a layer name, its arguments separated by commas, and '#' comments" },
        { "CNN1002", Head + "  conv2d 32 [|kernel|]=3\n", "Expected ',' or end of line but found 'kernel'" },
        { "CNN1002", Head + "  conv2d 32, kernel=(3, 3[|\n|]", "Expected ')' or ',' but found end of line" },
        { "CNN1002", Head + "  flatten\n  [|end|]\n", "Expected a layer (no group, if or repeat is open) but found 'end'" },
        { "CNN1003", Head + "  flatten\n  dropout [|0.2.5|]\n", "'0.2.5' is not a valid number" },
        { "CNN1004", "[|conv2d|] 32, kernel=3\nmodel Net\n  input 1x28x28\n  flatten\n", "'conv2d' must follow a 'model <Name>' line" },
        { "CNN1005", "model Net\n  input [|1x28y28|]\n  flatten\n", "'1x28y28' is not a shape; write the sizes without the batch dimension, separated by 'x', as in 1x28x28" },
        { "CNN2001", Head + "  [|conv2|] 32, kernel=3\n", "Unknown layer 'conv2'; did you mean 'conv2d'?" },
        { "CNN2002", Head + "  conv2d 32, kernel=3, [|stide|]=2\n", "Layer 'conv2d' has no argument 'stide'; did you mean 'stride'?" },
        { "CNN2003", Head + "  [|conv2d|] 32\n", "Layer 'conv2d' needs the argument 'kernel' (the window size, e.g. 3 or (3, 5))" },
        { "CNN2004", Head + "  conv2d 32, kernel=3, [|kernel=5|]\n", "Argument 'kernel' of layer 'conv2d' is given more than once; keep one" },
        { "CNN2005", Head + "  maxpool2d 2, 2, [|1|]\n", "Layer 'max_pooling2d' takes 2 positional argument(s) (kernel, stride); name the others, as in padding=1" },
        { "CNN2006", Head + "  conv2d 32, kernel=[|same|]\n", "Argument 'kernel' of layer 'conv2d' must be a whole number or a tuple of 2 whole numbers, not 'same'" },
        { "CNN2006", Head + "  conv2d 32, kernel=3, activation=[|rellu|]\n", "Argument 'activation' of layer 'conv2d' must be one of relu, relu6, leaky_relu, elu, gelu, silu, sigmoid, tanh, softmax, log_softmax, hardswish, hardsigmoid, mish or none, not 'rellu'; did you mean 'relu'?" },
        { "CNN2007", Head + "  flatten\n  dropout [|1.5|]\n", "Argument 'rate' of layer 'dropout' is 1.5, but it must be at least 0 and less than 1" },
        { "CNN2007", Head + "  conv2d 32, kernel=3, stride=[|0|]\n", "Argument 'stride' of layer 'conv2d' is 0, but it must be at least 1" },
        { "CNN2007", Head + "  conv2d 32, kernel=3, padding=[|-1|]\n", "Argument 'padding' of layer 'conv2d' is (-1, -1, -1, -1), but it must be at least 0 on every side" },
        { "CNN2008", "model [|Net|]\n  flatten\n  dense 10\n", "Model 'Net' has no input shape; declare one before its layers, as in 'input 1x28x28'" },
        { "CNN2009", Head + "  c1: conv2d 8, kernel=3\n  [|c1|]: conv2d 8, kernel=3\n", "Model 'Net' already has a layer named 'c1'; layer names become module names and must be unique" },
        { "CNN2010", Head + "  flatten\nmodel [|Net|]\n  input 1x2x2\n  flatten\n", "A model named 'Net' is already defined in namespace 'Models', at line 1; rename one of them" },
        { "CNN2011", "model Net\n  input 1x4x4\n  [|conv2d 8, kernel=5|]\n", "Layer 'conv2d' turns an input height of 4 into 0 (kernel 5, stride 1, padding 0, dilation 1); use padding=same or a smaller kernel; the model needs an input of at least 5x5 (it is 4x4): resize the input or remove a pooling or strided stage" },
        { "CNN2011", "model Net\n  input 1x8x3\n  conv2d 8, kernel=3\n  [|maxpool2d 2|]\n", "Layer 'max_pooling2d' turns an input width of 1 into 0 (kernel 2, stride 2, padding 0, dilation 1); use padding=same or a smaller kernel or stride; the model needs an input of at least 4x4 (it is 8x3): resize the input or remove a pooling or strided stage" },
        { "CNN2012", Head + "  [|dense 10|]\n", "Layer 'dense' expects a flat (features) input, but its input has shape 1x28x28; add 'flatten' before it" },
        { "CNN2012", Head + "  flatten\n  [|conv2d 8, kernel=3|]\n", "Layer 'conv2d' expects a (channels, height, width) input, but its input has shape 784; a convolution cannot follow flatten or dense" },
        { "CNN2013", Head + "  conv2d 8, kernel=3, in_channels=[|3|]\n", "Layer 'conv2d' declares in_channels=3, but its input has 1; remove in_channels or change it to 1" },
        { "CNN2014", Head + "  maxpool2d 2, padding=[|2|]\n", "Layer 'max_pooling2d' pads 2 on a side, more than half its kernel 2; use at most 1 or padding=same" },
        { "CNN2015", Head + "  conv2d filters=32, [|3|]\n", "A positional argument of layer 'conv2d' follows a named one; put positional arguments first" },
        { "CNN2017", "model [|Net|]\n  input 1x28x28\n", "Model 'Net' has no layers; add at least one layer after its input" },
        { "CNN2018", "model Net\n  input [|1x0x28|]\n  flatten\n", "Input shape 1x0x28 of model 'Net' has a size of 0; every size must be at least 1" },
        { "CNN2020", Head + "  flatten\n  [|forward|]: dense 10\n", "'forward' cannot name a layer: the generated module already has a member of that name" },
        { "CNN2020", Head + "  [|0.conv|]: conv2d 8, kernel=3\n", "'0.conv' cannot name a layer: a layer name is a C# identifier, or dotted parts (features.0) whose first part is one" },
        { "CNN2020", Head + "  features: conv2d 8, kernel=3\n  [|features.1|]: relu\n", "'features.1' cannot name a layer: 'features' is already a layer, so it cannot also be a group" },
        { "CNN2022", "model Net\n  input 1x3x8x8\n  [|avgpool3d 4, padding=2|]\n", "Layer 'average_pooling3d' pools windows of 4x4x4 over an input of 3x8x8, but libtorch's 3-D average pool needs every input size at least the window; use a smaller kernel or pad with zeropad3d first" },
        { "CNN2012", "model Net\n  input 2x100\n  [|conv2d 8, kernel=3|]\n", "Layer 'conv2d' expects a (channels, height, width) input, but its input has shape 2x100; use conv1d for this input" },
        { "CNN2012", "model Net\n  input 3x28x28\n  [|maxpool1d 2|]\n", "Layer 'max_pooling1d' (maxpool1d) expects a (channels, length) input, but its input has shape 3x28x28; use maxpool2d for this input" },
        { "CNN2023", "model Net\n  input 3x8x8\n  a: conv2d 4, kernel=3, padding=1\n  b: conv2d 8, kernel=3, padding=1\n  add a, [|b|]\n", "Layer 'add' adds 'b' of shape 8x8x8 to 'a' of shape 4x8x8; the shapes must be equal (a 1x1 convolution with the right filters and stride, as ResNet's downsample, makes them so)" },
        { "CNN2024", "model Net\n  input 3x8x8\n  a: conv2d 4, kernel=3\n  b: conv2d 8, kernel=3, padding=1, from=input\n  concat a, [|b|]\n", "Layer 'concatenate' joins 'b' of shape 8x8x8 to 'a' of shape 4x6x6 along the channels, but every size after the channels must agree" },
        { "CNN2025", "model Net\n  input 3x8x8\n  stem: conv2d 4, kernel=3\n  conv2d 4, kernel=3, from=[|stme|]\n", "Layer 'conv2d' reads 'stme', but no earlier layer has that name; did you mean 'stem'?" },
        { "CNN2025", "model Net\n  input 3x8x8\n  a: conv2d 4, kernel=3, padding=1\n  add a, [|later|]\n  later: relu\n", "Layer 'add' reads 'later', but no earlier layer has that name" },
        { "CNN2026", "model Net\n  input 3x8x8\n  a: relu\n  [|add|] a\n", "Layer 'add' (add) needs at least two tensors, as in 'add a, b'" },
        { "CNN2007", Head + "  conv_transpose2d 8, 3, stride=(2, 3), output_padding=[|(1, 3)|]\n", "Argument 'output_padding' of layer 'conv2d_transpose' is (1, 3), but it must be smaller than the stride (3) or the dilation (1), as PyTorch requires; use a larger stride or less output_padding" },
        { "CNN2007", Head + "  conv_transpose2d 8, 3, stride=2, output_padding=[|2|]\n", "Argument 'output_padding' of layer 'conv2d_transpose' is 2, but it must be smaller than the stride (2) or the dilation (1), as PyTorch requires; use a larger stride or less output_padding" },
        { "CNN2011", "model Net\n  input 1x2x2\n  [|conv_transpose2d 8, 1, padding=1|]\n", "Layer 'conv2d_transpose' turns an input height of 2 into 0 (kernel 1, stride 1, padding 1, dilation 1); use less padding or a larger kernel; the model needs an input of at least 3x3 (it is 2x2): resize the input or remove a pooling or strided stage" },
        { "CNN2006", Head + "  upsample 2, mode=[|bilinar|]\n", "Argument 'mode' of layer 'up_sampling' must be one of nearest, linear, bilinear or trilinear, not 'bilinar'; did you mean 'bilinear'?" },
        { "CNN2007", Head + "  upsample 2, mode=[|linear|]\n", "Argument 'mode' of layer 'up_sampling' is linear, but it must be nearest or bilinear for a (channels, height, width) input" },
        { "CNN2007", Head + "  upsample 2, align_corners=[|true|]\n", "Argument 'align_corners' of layer 'up_sampling' is true, but it must be left out with mode=nearest: it applies to the linear modes only" },
        { "CNN2003", Head + "  [|upsample|] mode=nearest\n", "Layer 'up_sampling' needs the argument 'scale' (the whole factor to enlarge by, e.g. 2 (or size=(H, W)))" },
        { "CNN2053", Head + "  upsample 2, size=[|(56, 56)|]\n", "Layer 'up_sampling' takes 'scale' or 'size', not both; give a factor (scale=2) or an output size (size=(64, 64))" },
        { "CNN2052", "model Net\n  input 4x8x8\n  g: conv2d 4, 2, stride=2\n  multiply input, [|g|]\n", "Layer 'multiply' multiplies 'input' of shape 4x8x8 by 'g' of shape 4x4x4; each size must be equal, or 1 in one of them (a channel scale of shape Cx1x1 broadcasts over CxHxW)" },
        { "CNN2007", Head + "  stochastic_depth [|1.5|]\n", "Argument 'rate' of layer 'stochastic_depth' is 1.5, but it must be from 0 to 1" },
        { "CNN2007", "model Net\n  input 6x5x5\n  groupnorm [|4|]\n", "Argument 'groups' of layer 'group_normalization' is 4, but it must be a divisor of the 6 channels (1, 2, 3, 6)" },
        { "CNN2007", Head + "  separable_conv2d 8, 3, depth_multiplier=[|0|]\n", "Argument 'depth_multiplier' of layer 'separable_conv2d' is 0, but it must be at least 1" },
        { "CNN2001", "block Residual(c)\n  conv2d c, 3, padding=1\nmodel Net\n  input 3x8x8\n  [|Resdual|] 4\n", "Unknown layer 'Resdual'; did you mean 'Residual'?" },
        { "CNN2027", "block Loop(n)\n  conv2d n, 1\n  Loop n\nmodel Net\n  input 3x8x8\n  [|Loop 4|]\n", "Block 'Loop' uses itself (Loop -> Loop); a block cannot contain itself (in block 'Loop' at model.cnn(3), used as 'loop')" },
        { "CNN2028", "block [|conv2d|](n)\n  relu\nmodel Net\n  input 3x8x8\n  relu\n", "Block 'conv2d' cannot be defined: 'conv2d' is a layer kind" },
        { "CNN2003", "block Res(channels)\n  conv2d channels, 3, padding=1\nmodel Net\n  input 3x8x8\n  [|Res|]\n", "Layer 'res' needs the argument 'channels' (a parameter of block Res)" },
        { "CNN2002", "block Res(channels)\n  conv2d channels, 3, padding=1\nmodel Net\n  input 3x8x8\n  Res 4, [|chanels|]=3\n", "Layer 'res' has no argument 'chanels'; did you mean 'channels'?" },
        { "CNN2023", "block Res(channels)\n  conv2d channels, 3, padding=1\n  add conv2d, input\nmodel Net\n  input 3x8x8\n  [|Res 4|]\n", "Layer 'add' adds 'input' of shape 3x8x8 to 'conv2d' of shape 4x8x8; the shapes must be equal (a 1x1 convolution with the right filters and stride, as ResNet's downsample, makes them so) (in block 'Res' at model.cnn(3), used as 'res')" },
        { "CNN2011", "block Shrink(k)\n  conv2d 4, k\nmodel Net\n  input 3x8x8\n  Shrink 3\n  [|Shrink 7|]\n", "Layer 'conv2d' turns an input height of 6 into 0 (kernel 7, stride 1, padding 0, dilation 1); use padding=same or a smaller kernel (in block 'Shrink' at model.cnn(2), used as 'shrink_1'); the model needs an input of at least 9x9 (it is 8x8): resize the input or remove a pooling or strided stage" },
        { "CNN1006", "block B(c)\n  [|if|] c > 1\n    relu\nmodel Net\n  input 3x8x8\n  relu\n", "'if' is not closed; add 'end' after its last layer" },
        { "CNN1007", Head + "  flatten\n  dense " + new string('(', 31) + "[|(|]" + new string('(', 8) + "10" + new string(')', 40) + "\n", "Nesting deeper than 32 levels (parentheses, groups, ifs, repeats or parts of a dotted name) is not supported; write the expression or structure flatter" },
        { "CNN2040", Head + "  flatten\n  dense [|units|] * 2\n", "'units' is not known here: an expression may use only numbers here" },
        { "CNN2040", "block B(channels)\n  conv2d chanels * 2, 3\nmodel Net\n  input 3x8x8\n  [|B 2|]\n", "'chanels' is not known here: an expression may use 'channels', 'in_channels'; did you mean 'channels'? (in block 'B' at model.cnn(2), used as 'b')" },
        { "CNN2041", Head + "  flatten\n  dense [|10 // 0|]\n", "'10 // 0' divides by zero" },
        { "CNN2042", Head + "  flatten\n  dense [|10 > 2|]\n", "'10 > 2' is a condition, but a whole number is needed here" },
        { "CNN2043", "model Net\n  input 4611686018427387904\n  [|batchnorm1d|]\n", "Layer 'batch_normalization': A size or count exceeds 9,223,372,036,854,775,807, the largest size a tensor can have; use smaller sizes" },
        { "CNN2044", "model Net\n  input 1xHxW\n  flatten\n  [|dense 10|]\n", "Layer 'dense' needs a fixed number of input features, but its input has H * W features, which depends on the input size; add a global or adaptive pool before flatten (e.g. 'global_avgpool2d' or 'adaptive_avgpool2d 1'), or give the input a fixed size" },
        { "CNN2046", "model Net\n  input [|28x28x1|]\n  flatten\n", "Input 28x28x1 looks like height x width x channels (as Keras and image files store pixels); CnnDsl takes channels first, as PyTorch does: write 'input 1x28x28'" },
        { "CNN2047", "model Net\n  input [|CxHxW|]\n  flatten\n", "'C' cannot be a size variable of input CxHxW: the channel count decides the first layer's weights; only spatial sizes can vary" },
        { "CNN2048", "model Net\n  input [|3xHxW|]\n  a: conv2d 4, 1\n  b: zeropad2d 1, from=input\n  c: conv2d 4, 1\n  add a, c\n", "Model 'Net' accepts no input size: H == H + 2 and W == W + 2" },
        { "CNN2049", "block B(s)\n  if s > 1\n    d: conv2d 4, 1\n  end\n  add [|d|], input\nmodel Net\n  input 4x8x8\n  B 2\n", "Layer 'add' reads 'd', which exists only when s > 1; read it inside that 'if', or define it in both branches" },
        { "CNN2054", "block stem(c)\n  conv2d c, 3\nmodel [|Stem|]\n  input 3x8x8\n  stem 4\n", "Model 'Stem' has the name of the class generated for block 'stem' in namespace Models; rename the model or the block" },
        { "CNN2055", "block gate()\n  if in_channels > 4\n    relu\n  end\nmodel Net\n  input 3xHxW\n  flatten\n  [|gate|]\n", "'gate': the condition 'in_channels > 4' depends on the input's size (H, W) (in_channels = 3 * H * W here), but a module's layers are fixed when it is built; test a block parameter or a channel count, or give the model's input fixed sizes (in block 'gate' at model.cnn(2), used as 'gate')" },
        { "CNN2057", "model Net\n  input 3x8x8\n  conv2d 4, 3, kernel_init=kaiming_normal, [|init_std=0.05|]\n", "Layer 'conv2d': 'init_std' has no effect with kernel_init=kaiming_normal; it is the deviation of kernel_init=normal or trunc_normal" },
        { "CNN2056", "model Net\n  input [|128x1x128|]\n  flatten\n", "Input 128x1x128 looks like channels in the middle (1 between two sizes at least 8 times larger); CnnDsl takes channels first: did you mean 'input 1x128x128'?" },
        { "CNN2051", "block Twice(c)\n  conv2d c, 1\n  conv2d c, 1\nblock Many(c)\n  repeat 10000 as i\n    Twice c\n  end\nmodel [|Net|]\n  input 3x8x8\n  repeat 9 as i\n    Many 3\n  end\n", "Model 'Net' stands for 270,009 layers once its blocks are expanded, more than the 100,000 a model may have; check blocks that use blocks several times" },
        { "CNN2050", "block B(act)\n  conv2d 4, 3, activation=[|act|]\nmodel Net\n  input 3x8x8\n  B relu\n", "Block 'B': parameter 'act' is used as an activation; a block's parameters are numbers or true/false, so write the activation in the block or make it a layer of the model" },
        { "CNN2021", Head + "  [|input 1x28x28|]\n  flatten\n", "Model 'Net' already declares its input shape; keep one 'input' line" },
        { "CNN2020", "model [|var|]\n  input 1x28x28\n  flatten\n", "'var' cannot name a model: 'var' is a C# contextual keyword, which the generated class cannot be named; use 'Var' or another name" },
    };

    [Theory]
    [MemberData(nameof(CnnCases))]
    public void Cnn_file_diagnostic(string id, string marked, string message)
    {
        var text = new MarkedText(marked);
        var result = GeneratorHarness.RunCnn(text.Text);
        AssertSingle(result.CnnDiagnostics, text, id, message);
    }

    const string Usings = "using CnnDsl;\nnamespace Models;\n";

    public static TheoryData<string, string, string> AttributeCases => new()
    {
        { "CNN1005", Usings + "[CnnModel(Input = [|\"1 by 28\"|])]\n[Flatten]\npartial class Net;", "'1 by 28' is not a shape; write the sizes without the batch dimension, separated by 'x', as in 1x28x28" },
        { "CNN2003", Usings + "[CnnModel(Input = \"1x28x28\")]\n[[|Conv2d|](32)]\npartial class Net;", "Layer 'conv2d' needs the argument 'kernel' (the window size, e.g. 3 or (3, 5))" },
        { "CNN2006", Usings + "[CnnModel(Input = \"1x28x28\")]\n[Conv2d(32, Kernel = [|new[] { 3, 3, 3 }|])]\npartial class Net;", "Argument 'kernel' of layer 'conv2d' must be a whole number or a tuple of 2 whole numbers, not 'new[] { 3, 3, 3 }'" },
        { "CNN2007", Usings + "[CnnModel(Input = \"1x28x28\")]\n[Flatten]\n[Dropout([|1.5|])]\npartial class Net;", "Argument 'rate' of layer 'dropout' is 1.5, but it must be at least 0 and less than 1" },
        { "CNN2008", Usings + "[CnnModel]\n[Flatten]\npartial class [|Net|];", "Model 'Net' has no input shape; declare one before its layers, as in 'input 1x28x28'" },
        { "CNN2009", Usings + "[CnnModel(Input = \"1x28x28\")]\n[Flatten(Name = \"a\")]\n[Dense(10, Name = [|\"a\"|])]\npartial class Net;", "Model 'Net' already has a layer named 'a'; layer names become module names and must be unique" },
        { "CNN2011", Usings + "[CnnModel(Input = \"1x4x4\")]\n[[|Conv2d(8, Kernel = 5)|]]\npartial class Net;", "Layer 'conv2d' turns an input height of 4 into 0 (kernel 5, stride 1, padding 0, dilation 1); use padding=same or a smaller kernel; the model needs an input of at least 5x5 (it is 4x4): resize the input or remove a pooling or strided stage" },
        { "CNN2012", Usings + "[CnnModel(Input = \"1x28x28\")]\n[[|Dense(10)|]]\npartial class Net;", "Layer 'dense' expects a flat (features) input, but its input has shape 1x28x28; add 'flatten' before it" },
        { "CNN2012", Usings + "[CnnModel(Input = \"2x100\")]\n[[|Conv2d(8, 3)|]]\npartial class Net;", "Layer 'conv2d' expects a (channels, height, width) input, but its input has shape 2x100; use conv1d for this input" },
        { "CNN2013", Usings + "[CnnModel(Input = \"1x28x28\")]\n[Conv2d(8, 3, InChannels = [|3|])]\npartial class Net;", "Layer 'conv2d' declares in_channels=3, but its input has 1; remove in_channels or change it to 1" },
        { "CNN2014", Usings + "[CnnModel(Input = \"1x28x28\")]\n[MaxPool2d(2, Padding = [|2|])]\npartial class Net;", "Layer 'max_pooling2d' pads 2 on a side, more than half its kernel 2; use at most 1 or padding=same" },
        { "CNN2016", Usings + "[CnnModel(Input = \"1x28x28\")]\n[Flatten]\npartial class Net;\n[[|Dense(10)|]]\npartial class Net;", "Model 'Net' lists layers on more than one partial declaration, so their order is undefined; keep all layer attributes on one declaration" },
        { "CNN2023", Usings + "[CnnModel(Input = \"3x8x8\")]\n[Conv2d(4, 3, Padding = 1, Name = \"a\")]\n[Conv2d(8, 3, Padding = 1, Name = \"b\")]\n[Add(\"a\", [|\"b\"|])]\npartial class Net;", "Layer 'add' adds 'b' of shape 8x8x8 to 'a' of shape 4x8x8; the shapes must be equal (a 1x1 convolution with the right filters and stride, as ResNet's downsample, makes them so)" },
        { "CNN2024", Usings + "[CnnModel(Input = \"3x8x8\")]\n[Conv2d(4, 3, Name = \"a\")]\n[Conv2d(8, 3, Padding = 1, From = \"input\", Name = \"b\")]\n[Concat(\"a\", [|\"b\"|])]\npartial class Net;", "Layer 'concatenate' joins 'b' of shape 8x8x8 to 'a' of shape 4x6x6 along the channels, but every size after the channels must agree" },
        { "CNN2025", Usings + "[CnnModel(Input = \"3x8x8\")]\n[Conv2d(4, 3, Name = \"stem\")]\n[Conv2d(4, 3, From = [|\"stme\"|])]\npartial class Net;", "Layer 'conv2d' reads 'stme', but no earlier layer has that name; did you mean 'stem'?" },
        { "CNN2026", Usings + "[CnnModel(Input = \"3x8x8\")]\n[ReLU(Name = \"a\")]\n[[|Add|](\"a\")]\npartial class Net;", "Layer 'add' (add) needs at least two tensors, as in 'add a, b'" },
        { "CNN2017", Usings + "[CnnModel(Input = \"1x28x28\")]\npartial class [|Net|];", "Model 'Net' has no layers; add at least one layer after its input" },
        { "CNN2018", Usings + "[CnnModel(Input = [|\"1x0x28\"|])]\n[Flatten]\npartial class Net;", "Input shape 1x0x28 of model 'Net' has a size of 0; every size must be at least 1" },
        { "CNN2019", Usings + "[CnnModel(Input = \"1x28x28\")]\n[Flatten]\nclass [|Net|] { }", "Class 'Net' carries [CnnModel] but is not partial; declare it as a non-static, non-generic, top-level 'partial class'" },
        { "CNN2020", Usings + "[CnnModel(Input = \"1x28x28\")]\n[Flatten(Name = [|\"forward\"|])]\npartial class Net;", "'forward' cannot name a layer: the generated module already has a member of that name" },
        { "CNN2029", Usings + "[CnnModel(Input = \"1x28x28\")]\n[Flatten]\n[Dropout([|double.NaN|])]\npartial class Net;", "Argument 'rate' of layer 'dropout' is double.NaN, which is not a finite number; give a finite value" },
    };

    [Theory]
    [MemberData(nameof(AttributeCases))]
    public void Attribute_diagnostic(string id, string marked, string message)
    {
        var text = new MarkedText(marked);
        var result = GeneratorHarness.RunCSharp(text.Text);
        AssertSingle(result.CnnDiagnostics, text, id, message);
    }

    [Fact]
    public void Duplicate_model_across_a_cnn_file_and_an_attribute_class_is_reported_once_and_emitted_once()
    {
        var source = Usings + "[CnnModel(Input = \"1x28x28\")]\n[Flatten]\npartial class Net;";
        var result = GeneratorHarness.Run(new[] { ("/project/net.cnn", "model Net\n  input 1x28x28\n  flatten\n") }, new[] { source });
        var diagnostic = Assert.Single(result.CnnDiagnostics);
        Assert.Equal("CNN2010", diagnostic.Id);
        Assert.Single(result.HintNames);
    }

    [Fact]
    public void Unreadable_cnn_file_is_an_internal_error_diagnostic_not_a_generator_crash()
    {
        var compilation = GeneratorHarness.CreateCompilation(new string[0]);
        var driver = GeneratorHarness.CreateDriver(new[] { new ThrowingText("/project/broken.cnn") });
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out _, out var diagnostics);
        Assert.Null(driver.GetRunResult().Results[0].Exception);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("CNN9001", diagnostic.Id);
        Assert.Equal("CnnDsl could not process model 'broken.cnn' because of an internal error (IOException: cannot read the file: IOException: disk on fire); please report it with this model", diagnostic.GetMessage());
        Assert.Equal("/project/broken.cnn", diagnostic.Location.GetLineSpan().Path);
    }

    [Fact]
    public void Every_diagnostic_id_has_a_test()
    {
        var tested = CnnCases.Select(c => (string)c[0]).Concat(AttributeCases.Select(c => (string)c[0])).Append("CNN9001").ToHashSet();
        Assert.Equal(new string[0], DiagnosticDescriptors.All.Select(d => d.Id).Where(id => !tested.Contains(id)).ToArray());
    }

    [Fact]
    public void Spans_are_right_with_crlf_line_ends_and_a_byte_order_mark()
    {
        var text = new MarkedText("\uFEFFmodel Net\r\n  input 1x28x28\r\n  # a comment\r\n  conv2d 32, kernel=3, [|stide|]=2\r\n");
        var result = GeneratorHarness.RunCnn(text.Text);
        var diagnostic = AssertSingle(result.CnnDiagnostics, text, "CNN2002", "Layer 'conv2d' has no argument 'stide'; did you mean 'stride'?");
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal((3, 23), (span.StartLinePosition.Line, span.StartLinePosition.Character));
    }

    [Fact]
    public void A_problem_inside_a_block_points_at_the_use_and_at_the_line_inside_the_block()
    {
        var result = GeneratorHarness.RunCnn("block Shrink(k)\n  conv2d 4, k\nmodel Net\n  input 3x8x8\n  Shrink 3\n  Shrink 7\n");
        var diagnostic = Assert.Single(result.CnnDiagnostics);
        Assert.Equal(5, diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        var inside = Assert.Single(diagnostic.AdditionalLocations);
        Assert.Equal(1, inside.GetLineSpan().StartLinePosition.Line);
        Assert.Equal("conv2d 4, k", "block Shrink(k)\n  conv2d 4, k\n".Substring(inside.SourceSpan.Start, inside.SourceSpan.Length));
    }

    [Fact]
    public void One_typo_gives_one_diagnostic()
    {
        var result = GeneratorHarness.RunCnn(Head + "  conv2d 32, kernel=3, activation=relu\n  maxpool2d 2 2\n  conv2d 64, kernel=3\n  flatten\n  dense 10\n");
        Assert.Single(result.CnnDiagnostics);
    }

    static Diagnostic AssertSingle(IReadOnlyList<Diagnostic> diagnostics, MarkedText text, string id, string message)
    {
        string Describe(Diagnostic d) => $"{d.Id} [{d.Location.SourceSpan.Start}..{d.Location.SourceSpan.End}) '{Slice(text.Text, d)}': {d.GetMessage()}";
        Assert.True(diagnostics.Count == 1, "Expected exactly one diagnostic; got:\n" + string.Join("\n", diagnostics.Select(Describe)));
        var diagnostic = diagnostics[0];
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(message, diagnostic.GetMessage());
        var expected = Assert.Single(text.Spans);
        Assert.True((expected.Start, expected.End) == (diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.End),
            $"Expected span '{text.Text[expected.Start..expected.End]}', got {Describe(diagnostic)}");
        return diagnostic;
    }

    static string Slice(string text, Diagnostic d) =>
        d.Location.SourceSpan.End <= text.Length ? text[d.Location.SourceSpan.Start..d.Location.SourceSpan.End] : "?";

    sealed class ThrowingText(string path) : AdditionalText
    {
        public override string Path { get; } = path;
        public override Microsoft.CodeAnalysis.Text.SourceText GetText(System.Threading.CancellationToken cancellationToken = default) =>
            throw new System.IO.IOException("disk on fire");
    }
}
