using System.Collections.Generic;

namespace CnnDsl.Dsl.Diagnostics
{
    /// <summary>
    /// Every diagnostic CnnDsl reports. IDs are stable and never reused: CNN1xxx syntax of .cnn files, CNN2xxx models,
    /// layers, arguments and shapes, CNN9xxx the generator itself. Each new ID also goes into the generator's
    /// AnalyzerReleases.Unshipped.md.
    /// </summary>
    public static class DiagnosticDescriptors
    {
        const string Syntax = "CnnDsl.Syntax";
        const string Model = "CnnDsl.Model";
        const string Shape = "CnnDsl.Shape";
        const string Generator = "CnnDsl.Generator";

        public static readonly DiagnosticDescriptor UnexpectedCharacter = new DiagnosticDescriptor(
            "CNN1001", "Unexpected character",
            "Unexpected character '{0}'; a .cnn line holds a layer name, its arguments separated by commas, and '#' comments", Syntax);

        public static readonly DiagnosticDescriptor UnexpectedToken = new DiagnosticDescriptor(
            "CNN1002", "Unexpected token",
            "Expected {0} but found {1}", Syntax);

        public static readonly DiagnosticDescriptor InvalidNumber = new DiagnosticDescriptor(
            "CNN1003", "Invalid number",
            "'{0}' is not a valid number", Syntax);

        public static readonly DiagnosticDescriptor StatementOutsideModel = new DiagnosticDescriptor(
            "CNN1004", "Statement outside a model",
            "'{0}' must follow a 'model <Name>' line", Syntax);

        public static readonly DiagnosticDescriptor InvalidShape = new DiagnosticDescriptor(
            "CNN1005", "Invalid shape",
            "'{0}' is not a shape; write the sizes without the batch dimension, separated by 'x', as in 1x28x28", Syntax);

        public static readonly DiagnosticDescriptor UnknownLayer = new DiagnosticDescriptor(
            "CNN2001", "Unknown layer",
            "Unknown layer '{0}'{1}", Model);

        public static readonly DiagnosticDescriptor UnknownArgument = new DiagnosticDescriptor(
            "CNN2002", "Unknown argument",
            "Layer '{0}' has no argument '{1}'{2}", Model);

        public static readonly DiagnosticDescriptor MissingArgument = new DiagnosticDescriptor(
            "CNN2003", "Missing argument",
            "Layer '{0}' needs the argument '{1}' ({2})", Model);

        public static readonly DiagnosticDescriptor RepeatedArgument = new DiagnosticDescriptor(
            "CNN2004", "Repeated argument",
            "Argument '{1}' of layer '{0}' is given more than once; keep one", Model);

        public static readonly DiagnosticDescriptor TooManyPositionalArguments = new DiagnosticDescriptor(
            "CNN2005", "Too many positional arguments",
            "Layer '{0}' takes {1} positional argument(s) ({2}); name the others, as in {3}", Model);

        public static readonly DiagnosticDescriptor WrongArgumentType = new DiagnosticDescriptor(
            "CNN2006", "Wrong argument type",
            "Argument '{1}' of layer '{0}' must be {2}, not '{3}'{4}", Model);

        public static readonly DiagnosticDescriptor ArgumentOutOfRange = new DiagnosticDescriptor(
            "CNN2007", "Argument out of range",
            "Argument '{1}' of layer '{0}' is {2}, but it must be {3}", Model);

        public static readonly DiagnosticDescriptor MissingInputShape = new DiagnosticDescriptor(
            "CNN2008", "Missing input shape",
            "Model '{0}' has no input shape; declare one before its layers, as in {1}", Model);

        public static readonly DiagnosticDescriptor DuplicateLayerName = new DiagnosticDescriptor(
            "CNN2009", "Duplicate layer name",
            "Model '{0}' already has a layer named '{1}'; layer names become module names and must be unique", Model);

        public static readonly DiagnosticDescriptor DuplicateModelName = new DiagnosticDescriptor(
            "CNN2010", "Duplicate model name",
            "A model named '{0}' is already defined in namespace '{1}', {2}; rename one of them", Model);

        public static readonly DiagnosticDescriptor NonPositiveSize = new DiagnosticDescriptor(
            "CNN2011", "Output size is not positive",
            "Layer '{0}' turns an input {1} of {2} into {3} (kernel {4}, stride {5}, padding {6}, dilation {7}){8}", Shape);

        public static readonly DiagnosticDescriptor RankMismatch = new DiagnosticDescriptor(
            "CNN2012", "Layer does not accept this shape",
            "Layer '{0}'{1} expects {2}, but its input has shape {3}{4}", Shape);

        public static readonly DiagnosticDescriptor InputSizeMismatch = new DiagnosticDescriptor(
            "CNN2013", "Declared input size disagrees",
            "Layer '{0}' declares {1}={2}, but its input has {3}; remove {1} or change it to {3}{4}", Shape);

        public static readonly DiagnosticDescriptor PoolPaddingTooLarge = new DiagnosticDescriptor(
            "CNN2014", "Pool padding too large",
            "Layer '{0}' pads {1} on a side, more than half its kernel {2}; use at most {3} or padding=same", Shape);

        public static readonly DiagnosticDescriptor PositionalAfterNamed = new DiagnosticDescriptor(
            "CNN2015", "Positional argument after a named one",
            "A positional argument of layer '{0}' follows a named one; put positional arguments first", Model);

        public static readonly DiagnosticDescriptor LayersOnSeveralDeclarations = new DiagnosticDescriptor(
            "CNN2016", "Layer attributes on several partial declarations",
            "Model '{0}' lists layers on more than one partial declaration, so their order is undefined; keep all layer attributes on one declaration", Model);

        public static readonly DiagnosticDescriptor EmptyModel = new DiagnosticDescriptor(
            "CNN2017", "Model without layers",
            "Model '{0}' has no layers; add at least one layer after its input", Model, DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor NonPositiveInputSize = new DiagnosticDescriptor(
            "CNN2018", "Input size is not positive",
            "Input shape {0} of model '{1}' has a size of {2}; every size must be at least 1", Shape);

        public static readonly DiagnosticDescriptor ModelClassNotPartial = new DiagnosticDescriptor(
            "CNN2019", "Model class is not partial",
            "Class '{0}' carries [CnnModel] but is {1}; declare it as a non-static, non-generic, top-level 'partial class'", Model);

        public static readonly DiagnosticDescriptor InvalidName = new DiagnosticDescriptor(
            "CNN2020", "Invalid name",
            "'{0}' cannot name a {1}: {2}", Model);

        public static readonly DiagnosticDescriptor RepeatedInput = new DiagnosticDescriptor(
            "CNN2021", "Input shape declared twice",
            "Model '{0}' already declares its input shape; keep one 'input' line", Model);

        public static readonly DiagnosticDescriptor InputSmallerThanWindow = new DiagnosticDescriptor(
            "CNN2022", "Input smaller than the pooling window",
            "Layer '{0}' pools windows of {1} over an input of {2}, but libtorch's 3-D average pool needs every input size at least the window; use a smaller kernel or pad with zeropad3d first", Shape);

        public static readonly DiagnosticDescriptor AddShapeMismatch = new DiagnosticDescriptor(
            "CNN2023", "Added tensors differ in shape",
            "Layer '{0}' adds '{3}' of shape {4} to '{1}' of shape {2}; the shapes must be equal (a 1x1 convolution with the right filters and stride, as ResNet's downsample, makes them so)", Shape);

        public static readonly DiagnosticDescriptor ConcatShapeMismatch = new DiagnosticDescriptor(
            "CNN2024", "Concatenated tensors differ in size",
            "Layer '{0}' joins '{3}' of shape {4} to '{1}' of shape {2} along the channels, but every size after the channels must agree", Shape);

        public static readonly DiagnosticDescriptor UnknownTensor = new DiagnosticDescriptor(
            "CNN2025", "Unknown tensor",
            "Layer '{0}' reads '{1}', but no earlier layer has that name{2}", Model);

        public static readonly DiagnosticDescriptor TooFewOperands = new DiagnosticDescriptor(
            "CNN2026", "Too few tensors to combine",
            "Layer '{0}' ({1}) needs at least two tensors, as in '{1} a, b'", Model);

        public static readonly DiagnosticDescriptor RecursiveBlock = new DiagnosticDescriptor(
            "CNN2027", "Recursive block",
            "Block '{0}' uses itself ({1}); a block cannot contain itself", Model);

        public static readonly DiagnosticDescriptor InvalidBlock = new DiagnosticDescriptor(
            "CNN2028", "Invalid block",
            "Block '{0}' cannot be defined: {1}", Model);

        public static readonly DiagnosticDescriptor UnclosedStatement = new DiagnosticDescriptor(
            "CNN1006", "Statement not closed",
            "'{0}' is not closed; add 'end' after its last layer", Syntax);

        public static readonly DiagnosticDescriptor NestingTooDeep = new DiagnosticDescriptor(
            "CNN1007", "Nested too deeply",
            "Nesting deeper than {0} levels (parentheses, groups, ifs, repeats or parts of a dotted name) is not supported; write the expression or structure flatter", Syntax);

        public static readonly DiagnosticDescriptor UnknownName = new DiagnosticDescriptor(
            "CNN2040", "Unknown name in an expression",
            "'{0}' is not known here: an expression may use {1}{2}", Model);

        public static readonly DiagnosticDescriptor DivisionByZero = new DiagnosticDescriptor(
            "CNN2041", "Division by zero",
            "'{0}' divides by zero{1}", Model);

        public static readonly DiagnosticDescriptor WrongValueKind = new DiagnosticDescriptor(
            "CNN2042", "Wrong kind of value",
            "'{0}' is {1}, but {2} is needed here", Model);

        public static readonly DiagnosticDescriptor SizeOverflow = new DiagnosticDescriptor(
            "CNN2043", "Size too large",
            "Layer '{0}': {1}; use smaller sizes", Shape);

        public static readonly DiagnosticDescriptor FeaturesDependOnInputSize = new DiagnosticDescriptor(
            "CNN2044", "Feature count depends on the input size",
            "Layer '{0}' needs a fixed number of input features, but its input has {1} features, which depends on the input size; add a global or adaptive pool before flatten (e.g. 'global_avgpool2d' or 'adaptive_avgpool2d 1'), or give the input a fixed size", Shape);

        public static readonly DiagnosticDescriptor ChannelsLastInput = new DiagnosticDescriptor(
            "CNN2046", "Input looks channels-last",
            "Input {0} looks like {1}; CnnDsl takes channels first, as PyTorch does: write 'input {2}'", Shape, DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor InvalidInputVariable = new DiagnosticDescriptor(
            "CNN2047", "Invalid input size variable",
            "'{0}' cannot be a size variable of input {1}: {2}", Shape);

        public static readonly DiagnosticDescriptor InputRuleNotMet = new DiagnosticDescriptor(
            "CNN2048", "Input size never accepted",
            "Model '{0}' accepts no input size: {1}", Shape);

        public static readonly DiagnosticDescriptor BranchOnlyTensor = new DiagnosticDescriptor(
            "CNN2049", "Tensor exists only in one branch",
            "Layer '{0}' reads '{1}', which exists only when {2}; read it inside that 'if', or define it in both branches", Model);

        public static readonly DiagnosticDescriptor UnsupportedBlockParameter = new DiagnosticDescriptor(
            "CNN2050", "Block parameter used in an unsupported way",
            "Block '{0}': parameter '{1}' {2}", Model);

        public static readonly DiagnosticDescriptor ModelTooLarge = new DiagnosticDescriptor(
            "CNN2051", "Model too large",
            "Model '{0}' stands for {1:#,0} layers once its blocks are expanded, more than the {2:#,0} a model may have; check blocks that use blocks several times", Model);

        public static readonly DiagnosticDescriptor ModelNamedLikeBlockClass = new DiagnosticDescriptor(
            "CNN2054", "Model named like a block's class",
            "Model '{0}' has the name of the class generated for block '{1}' in namespace {2}; rename the model or the block", Model);
        public static readonly DiagnosticDescriptor UndecidedCondition = new DiagnosticDescriptor(
            "CNN2055", "Condition depends on the input size",
            "'{0}': the condition '{1}' depends on the input's size ({2}){3}, but a module's layers are fixed when it is built; test a block parameter or a channel count, or give the model's input fixed sizes", Shape);
        public static readonly DiagnosticDescriptor ChannelsInMiddle = new DiagnosticDescriptor(
            "CNN2056", "Input has its channels in the middle",
            "Input {0} looks like channels in the middle ({1} between two sizes at least 8 times larger); CnnDsl takes channels first: did you mean 'input {2}'?", Shape, DiagnosticSeverity.Warning);
        public static readonly DiagnosticDescriptor NonFiniteNumber = new DiagnosticDescriptor(
            "CNN2029", "Number is not finite",
            "Argument '{1}' of layer '{0}' is {2}, which is not a finite number; give a finite value", Model);

        public static readonly DiagnosticDescriptor MultiplyShapeMismatch = new DiagnosticDescriptor(
            "CNN2052", "Multiplied tensors cannot broadcast",
            "Layer '{0}' multiplies '{1}' of shape {2} by '{3}' of shape {4}; each size must be equal, or 1 in one of them (a channel scale of shape Cx1x1 broadcasts over CxHxW)", Shape);

        public static readonly DiagnosticDescriptor ConflictingArguments = new DiagnosticDescriptor(
            "CNN2053", "Arguments that exclude each other",
            "Layer '{0}' takes '{1}' or '{2}', not both; {3}", Model);

        public static readonly DiagnosticDescriptor ArgumentWithoutEffect = new DiagnosticDescriptor(
            "CNN2057", "Argument without effect",
            "Layer '{0}': '{1}' has no effect with {2}; {3}", Model, DiagnosticSeverity.Warning);

        public static readonly DiagnosticDescriptor InternalError = new DiagnosticDescriptor(
            "CNN9001", "Internal generator error",
            "CnnDsl could not process model '{0}' because of an internal error ({1}: {2}); please report it with this model", Generator);

        public static IReadOnlyList<DiagnosticDescriptor> All { get; } = new[]
        {
            UnexpectedCharacter, UnexpectedToken, InvalidNumber, StatementOutsideModel, InvalidShape,
            UnknownLayer, UnknownArgument, MissingArgument, RepeatedArgument, TooManyPositionalArguments,
            WrongArgumentType, ArgumentOutOfRange, MissingInputShape, DuplicateLayerName, DuplicateModelName,
            NonPositiveSize, RankMismatch, InputSizeMismatch, PoolPaddingTooLarge, PositionalAfterNamed,
            LayersOnSeveralDeclarations, EmptyModel, NonPositiveInputSize, ModelClassNotPartial, InvalidName,
            RepeatedInput, InputSmallerThanWindow, AddShapeMismatch, ConcatShapeMismatch, UnknownTensor, TooFewOperands, RecursiveBlock, InvalidBlock,
            UnclosedStatement, NestingTooDeep, UnknownName, DivisionByZero, WrongValueKind, SizeOverflow, FeaturesDependOnInputSize,
            ChannelsLastInput, InvalidInputVariable, InputRuleNotMet, BranchOnlyTensor, UnsupportedBlockParameter, ModelTooLarge, ModelNamedLikeBlockClass, InternalError,
            NonFiniteNumber, MultiplyShapeMismatch, ConflictingArguments, UndecidedCondition, ChannelsInMiddle, ArgumentWithoutEffect,
        };
    }
}
