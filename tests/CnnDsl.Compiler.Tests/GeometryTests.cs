using CnnDsl.Dsl.Catalog;
using Xunit;
using static TorchSharp.torch;

namespace CnnDsl.Compiler.Tests;

public class GeometryTests
{
    [Theory]
    [InlineData(28, 0, 0, 5, 1, 1, false, 24)]
    [InlineData(4, 0, 0, 5, 1, 1, false, 0)]      // floor((4-5)/1)+1 = 0, not C#'s truncation
    [InlineData(3, 0, 0, 5, 2, 1, false, 0)]      // floor(-2/2)+1 = 0
    [InlineData(2, 0, 0, 5, 2, 1, false, -1)]     // floor(-3/2)+1 = -1 where truncation would give 0
    [InlineData(7, 1, 1, 3, 2, 2, false, 3)]
    [InlineData(6, 0, 0, 3, 2, 1, true, 3)]       // ceil((6-3)/2)+1 = 3; last window starts at 4 < 6
    [InlineData(5, 1, 1, 2, 2, 1, true, 3)]       // ceil(5/2)+1 = 4, but window 3 starts at 6 >= 5+1: 3
    public void Output_size_follows_the_floor_formula_and_the_ceil_mode_rule(long n, long before, long after, long k, long s, long d, bool ceil, long expected)
    {
        Assert.Equal(expected, Geometry.OutputSize(n, before, after, k, s, d, ceil));
    }

    [Theory]
    [InlineData(28, 5, 1, 1, 2, 2)]
    [InlineData(28, 4, 1, 1, 1, 2)]     // even kernel: the odd pixel after
    [InlineData(31, 4, 2, 1, 1, 2)]     // ceil(31/2)=16 -> total 3
    [InlineData(32, 3, 2, 1, 0, 1)]
    [InlineData(5, 3, 2, 2, 2, 2)]
    public void Same_padding_follows_keras(long n, long k, long s, long d, long before, long after)
    {
        Assert.Equal((before, after), Geometry.SamePadding(n, k, s, d));
    }

    [Theory]
    [InlineData(5, 2, 2, 1, true)]
    [InlineData(6, 3, 2, 0, true)]
    [InlineData(7, 3, 3, 1, true)]
    [InlineData(9, 4, 3, 2, true)]
    [InlineData(8, 3, 2, 1, false)]
    public void Pool_output_size_equals_torchsharp(long n, long k, long s, long p, bool ceil)
    {
        using var input = zeros(1, 1, n, n);
        using var output = nn.functional.max_pool2d(input, k, s, p, ceil_mode: ceil);
        Assert.Equal(output.shape[2], Geometry.OutputSize(n, p, p, k, s, 1, ceil));
    }
}
