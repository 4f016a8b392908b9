using System.Linq;
using CnnDsl.Editor.Features;
using CnnDsl.Editor.Protocol;
using CnnDsl.LanguageServer.Tests.Infrastructure;
using Xunit;

namespace CnnDsl.LanguageServer.Tests;

/// <summary>Each quick fix applied to the text, and the fixed text checked again by the server: no diagnostic is left.</summary>
public class CodeActionTests
{
    static string Fix(string text, string title)
    {
        var project = new Project(("net.cnn", text));
        var whole = new Range(new Position(0, 0), new Position(1000, 0));
        var actions = CodeActions.For(project.State, Project.PathOf("net.cnn"), whole, Project.UriOf);
        var action = actions.FirstOrDefault(a => a.Title == title);
        Assert.True(action != null, "No '" + title + "' among: " + string.Join(", ", actions.Select(a => a.Title)) + "; diagnostics: " + string.Join("; ", project.Diagnostics()));
        Assert.Single(action!.Diagnostics);
        var fixedText = project.Apply("net.cnn", action.Edit);
        // The same fix from the same diagnostics in other words: actions read the fix the diagnostic carries, never its message.
        var reworded = project.State.DiagnosticsOf(Project.PathOf("net.cnn")).Select(d => d with { Message = "A message in other words." }).ToList();
        var again = CodeActions.For(project.State.Find(Project.PathOf("net.cnn"))!, reworded, whole, Project.UriOf).FirstOrDefault(a => a.Title == title);
        Assert.True(again != null, "No '" + title + "' once the message is reworded");
        Assert.Equal(fixedText, project.Apply("net.cnn", again!.Edit));
        var after = new Project(("net.cnn", fixedText));
        Assert.Empty(after.Diagnostics());
        return fixedText;
    }

    [Fact]
    public void Adds_flatten_before_a_dense_layer_on_an_image() =>
        Assert.Equal("model Net\n  input 1x28x28\n  flatten\n  dense 10\n", Fix("model Net\n  input 1x28x28\n  dense 10\n", "Add 'flatten' before this layer"));

    [Fact]
    public void Sets_in_channels_to_the_inferred_value() =>
        Assert.Equal("model Net\n  input 1x28x28\n  conv2d 8, kernel=3, in_channels=1\n",
            Fix("model Net\n  input 1x28x28\n  conv2d 8, kernel=3, in_channels=3\n", "Set it to the inferred 1"));

    [Fact]
    public void Sets_in_features_of_a_dense_layer_to_the_inferred_value() =>
        Assert.Equal("model Net\n  input 1x28x28\n  flatten\n  dense 10, in_features=784\n",
            Fix("model Net\n  input 1x28x28\n  flatten\n  dense 10, in_features=700\n", "Set it to the inferred 784"));

    [Fact]
    public void Adds_padding_same_where_a_kernel_is_larger_than_its_input() =>
        Assert.Equal("model Net\n  input 1x4x4\n  conv2d 8, kernel=5, padding=same\n",
            Fix("model Net\n  input 1x4x4\n  conv2d 8, kernel=5\n", "Add padding=same"));

    [Fact]
    public void Replaces_an_explicit_padding_with_same() =>
        Assert.Equal("model Net\n  input 1x28x28\n  maxpool2d 2, padding=same\n",
            Fix("model Net\n  input 1x28x28\n  maxpool2d 2, padding=2\n", "Set padding=same"));

    [Fact]
    public void Fixes_a_misspelt_argument_value_and_layer_kind()
    {
        Assert.Equal("model Net\n  input 1x28x28\n  conv2d 8, 3, activation=relu\n", Fix("model Net\n  input 1x28x28\n  conv2d 8, 3, activation=rellu\n", "Change to 'relu'"));
        Assert.Equal("model Net\n  input 1x28x28\n  conv2d 8, 3, padding=same\n", Fix("model Net\n  input 1x28x28\n  conv2d 8, 3, padding=smae\n", "Change to 'same'"));
        Assert.Equal("model Net\n  input 1x28x28\n  maxpool2d 2\n", Fix("model Net\n  input 1x28x28\n  maxpol2d 2\n", "Change to 'maxpool2d'"));
    }

    [Fact]
    public void Reorders_a_channels_last_input() =>
        Assert.Equal("model Net\n  input 3x32x32\n  flatten\n", Fix("model Net\n  input 32x32x3\n  flatten\n", "Reorder to channels first: 3x32x32"));

    [Fact]
    public void Moves_channels_from_the_middle_of_an_input() =>
        Assert.Equal("model Net\n  input 1x128x128\n  flatten\n", Fix("model Net\n  input 128x1x128\n  flatten\n", "Move the channels first: 1x128x128"));

    [Fact]
    public void Reorders_an_input_whose_model_binds_only_in_another_order() =>
        Assert.Equal("model Net\n  input 3x160x160\n  conv2d 16, 3\n  maxpool2d 2\n  conv2d 8, 3\n",
            Fix("model Net\n  input 160x160x3\n  conv2d 16, 3\n  maxpool2d 2\n  conv2d 8, 3\n", "Reorder the input to 3x160x160"));
}
