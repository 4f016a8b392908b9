using System.Collections;
using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl.Text;

namespace CnnDsl.Dsl.Diagnostics
{
    /// <summary>Collects diagnostics; one method per kind, so every call site passes typed facts and no message text.</summary>
    public sealed class DiagnosticBag : IEnumerable<Diagnostic>
    {
        readonly List<Diagnostic> diagnostics = new List<Diagnostic>();

        public int Count => diagnostics.Count;

        public bool HasErrors => diagnostics.Exists(d => d.IsError);

        public IEnumerator<Diagnostic> GetEnumerator() => diagnostics.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public void AddRange(IEnumerable<Diagnostic> other)
        {
            foreach (var diagnostic in other)
                Add(diagnostic);
        }

        // One mistake is one diagnostic: the same message at the same place (a block's problem found for each model or
        // rank that uses it) is kept once.
        readonly HashSet<Diagnostic> reported = new HashSet<Diagnostic>();

        void Add(Diagnostic diagnostic)
        {
            if (reported.Add(diagnostic))
                diagnostics.Add(diagnostic);
        }

        /// <summary>Whether an error was reported since the bag held <paramref name="start"/> diagnostics.</summary>
        public bool HasErrorsFrom(int start)
        {
            for (int i = start; i < diagnostics.Count; i++)
                if (diagnostics[i].IsError)
                    return true;
            return false;
        }

        /// <summary>Adds <paramref name="note"/> to each message reported since the bag held <paramref name="start"/> diagnostics.</summary>
        public void AppendToMessagesFrom(int start, string note)
        {
            for (int i = start; i < diagnostics.Count; i++)
            {
                reported.Remove(diagnostics[i]);
                diagnostics[i] = diagnostics[i] with { Message = diagnostics[i].Message + note };
                reported.Add(diagnostics[i]);
            }
        }

        void Report(DiagnosticDescriptor descriptor, SourceLocation location, params object[] args) =>
            Add(Diagnostic.Create(descriptor, location, args));

        void Report(DiagnosticDescriptor descriptor, SourceLocation location, DiagnosticFix? fix, params object[] args) =>
            Add(Diagnostic.Create(descriptor, location, args) with { Fix = fix });

        /// <summary>A control character or a lone surrogate is named by its code (\u0007), anything else as written.</summary>
        public void ReportUnexpectedCharacter(SourceLocation location, string character) =>
            Report(DiagnosticDescriptors.UnexpectedCharacter, location,
                character.Length == 1 && (character[0] < ' ' || char.IsSurrogate(character[0])) ? "\\u" + ((int)character[0]).ToString("X4") : character);

        public void ReportUnexpectedToken(SourceLocation location, string expected, string found) =>
            Report(DiagnosticDescriptors.UnexpectedToken, location, expected, found);

        public void ReportInvalidNumber(SourceLocation location, string text) =>
            Report(DiagnosticDescriptors.InvalidNumber, location, text);

        public void ReportStatementOutsideModel(SourceLocation location, string statement) =>
            Report(DiagnosticDescriptors.StatementOutsideModel, location, statement);

        public void ReportInvalidShape(SourceLocation location, string text) =>
            Report(DiagnosticDescriptors.InvalidShape, location, text);

        public void ReportUnknownLayer(SourceLocation location, string name, string? suggestion) =>
            Report(DiagnosticDescriptors.UnknownLayer, location, DiagnosticFix.ChangeTo(location, suggestion, name), name, Names.DidYouMean(suggestion));

        public void ReportUnknownArgument(SourceLocation location, string layer, string argument, string hint, string? suggestion = null) =>
            Report(DiagnosticDescriptors.UnknownArgument, location, DiagnosticFix.ChangeTo(location, suggestion, argument), layer, argument, hint);

        public void ReportMissingArgument(SourceLocation location, string layer, string argument, string description) =>
            Report(DiagnosticDescriptors.MissingArgument, location, layer, argument, description);

        public void ReportRepeatedArgument(SourceLocation location, string layer, string argument) =>
            Report(DiagnosticDescriptors.RepeatedArgument, location, layer, argument);

        public void ReportTooManyPositionalArguments(SourceLocation location, string layer, int count, string names, string example) =>
            Report(DiagnosticDescriptors.TooManyPositionalArguments, location, layer, count, names, example);

        public void ReportWrongArgumentType(SourceLocation location, string layer, string argument, string expected, string actual, string? suggestion = null) =>
            Report(DiagnosticDescriptors.WrongArgumentType, location, DiagnosticFix.ChangeTo(location, suggestion, actual), layer, argument, expected, actual, Names.DidYouMean(suggestion));

        public void ReportArgumentOutOfRange(SourceLocation location, string layer, string argument, string actual, string allowed) =>
            Report(DiagnosticDescriptors.ArgumentOutOfRange, location, layer, argument, actual, allowed);

        public void ReportMissingInputShape(SourceLocation location, string model, string example) =>
            Report(DiagnosticDescriptors.MissingInputShape, location, model, example);

        public void ReportDuplicateLayerName(SourceLocation location, string model, string layer) =>
            Report(DiagnosticDescriptors.DuplicateLayerName, location, model, layer);

        /// <param name="first">Where the first model of that name is, so that it can be found: "at line 3", "in models/a.cnn".</param>
        public void ReportDuplicateModelName(SourceLocation location, string model, string ns, string first) =>
            Report(DiagnosticDescriptors.DuplicateModelName, location, model, ns, first);

        public void ReportNonPositiveSize(SourceLocation location, string layer, string dimension, object input, object output, object kernel, object stride, string padding, object dilation, string hint,
            DiagnosticFix? fix = null) =>
            Report(DiagnosticDescriptors.NonPositiveSize, location, fix, layer, dimension, input, output, kernel, stride, padding, dilation, hint);

        public void ReportRankMismatch(SourceLocation location, string layer, string kind, string expected, string actual, string hint, DiagnosticFix? fix = null) =>
            Report(DiagnosticDescriptors.RankMismatch, location, fix, layer, layer == kind ? "" : " (" + kind + ")", expected, actual, hint);

        public void ReportInputSizeMismatch(SourceLocation location, string layer, string argument, long declared, long inferred) =>
            Report(DiagnosticDescriptors.InputSizeMismatch, location,
                new DiagnosticFix(FixKind.Replace, "Set it to the inferred " + inferred, location, inferred.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    declared.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                layer, argument, declared, inferred,
                // 3 declared against hundreds inferred is what channels-last data looks like to a channels-first layer.
                declared <= 4 && inferred >= 8 * declared ? "; if the data is channels-last (N, H, W, C), permute it to (N, C, H, W) with x.permute(0, 3, 1, 2)" : "");

        public void ReportPoolPaddingTooLarge(SourceLocation location, string layer, long padding, long kernel, long half, DiagnosticFix? fix = null) =>
            Report(DiagnosticDescriptors.PoolPaddingTooLarge, location, fix, layer, padding, kernel, half);

        public void ReportPositionalAfterNamed(SourceLocation location, string layer) =>
            Report(DiagnosticDescriptors.PositionalAfterNamed, location, layer);

        public void ReportLayersOnSeveralDeclarations(SourceLocation location, string model) =>
            Report(DiagnosticDescriptors.LayersOnSeveralDeclarations, location, model);

        public void ReportEmptyModel(SourceLocation location, string model) =>
            Report(DiagnosticDescriptors.EmptyModel, location, model);

        public void ReportNonPositiveInputSize(SourceLocation location, string shape, string model, long size) =>
            Report(DiagnosticDescriptors.NonPositiveInputSize, location, shape, model, size);

        public void ReportModelClassNotPartial(SourceLocation location, string model, string problem) =>
            Report(DiagnosticDescriptors.ModelClassNotPartial, location, model, problem);

        public void ReportInvalidName(SourceLocation location, string name, string what, string reason) =>
            Report(DiagnosticDescriptors.InvalidName, location, name, what, reason);

        public void ReportRepeatedInput(SourceLocation location, string model) =>
            Report(DiagnosticDescriptors.RepeatedInput, location, model);

        public void ReportInputSmallerThanWindow(SourceLocation location, string layer, string window, string input) =>
            Report(DiagnosticDescriptors.InputSmallerThanWindow, location, layer, window, input);

        public void ReportAddShapeMismatch(SourceLocation location, string layer, string first, string firstShape, string other, string otherShape) =>
            Report(DiagnosticDescriptors.AddShapeMismatch, location, layer, first, firstShape, other, otherShape);

        public void ReportMultiplyShapeMismatch(SourceLocation location, string layer, string first, string firstShape, string other, string otherShape) =>
            Report(DiagnosticDescriptors.MultiplyShapeMismatch, location, layer, first, firstShape, other, otherShape);

        public void ReportConflictingArguments(SourceLocation location, string layer, string first, string second, string fix) =>
            Report(DiagnosticDescriptors.ConflictingArguments, location, layer, first, second, fix);

        public void ReportArgumentWithoutEffect(SourceLocation location, string layer, string argument, string context, string fix) =>
            Report(DiagnosticDescriptors.ArgumentWithoutEffect, location, layer, argument, context, fix);

        public void ReportConcatShapeMismatch(SourceLocation location, string layer, string first, string firstShape, string other, string otherShape) =>
            Report(DiagnosticDescriptors.ConcatShapeMismatch, location, layer, first, firstShape, other, otherShape);

        public void ReportUnknownTensor(SourceLocation location, string layer, string tensor, string? suggestion) =>
            Report(DiagnosticDescriptors.UnknownTensor, location, DiagnosticFix.ChangeTo(location, suggestion, tensor), layer, tensor, Names.DidYouMean(suggestion));

        public void ReportTooFewOperands(SourceLocation location, string layer, string kind) =>
            Report(DiagnosticDescriptors.TooFewOperands, location, layer, kind);

        public void ReportRecursiveBlock(SourceLocation location, string block, string chain) =>
            Report(DiagnosticDescriptors.RecursiveBlock, location, block, chain);

        public void ReportInvalidBlock(SourceLocation location, string block, string reason) =>
            Report(DiagnosticDescriptors.InvalidBlock, location, block, reason);

        /// <summary>Reports a problem found inside a block at the use that caused it, pointing also at the line in the block.</summary>
        public void ReportUnclosedStatement(SourceLocation location, string statement) =>
            Report(DiagnosticDescriptors.UnclosedStatement, location, statement);

        public void ReportNestingTooDeep(SourceLocation location, int limit) =>
            Report(DiagnosticDescriptors.NestingTooDeep, location, limit);

        public void ReportUnknownName(SourceLocation location, string name, string known, string? suggestion) =>
            Report(DiagnosticDescriptors.UnknownName, location, DiagnosticFix.ChangeTo(location, suggestion, name), name, known, Names.DidYouMean(suggestion));

        public void ReportDivisionByZero(SourceLocation location, string expression, string detail) =>
            Report(DiagnosticDescriptors.DivisionByZero, location, expression, detail);

        public void ReportWrongValueKind(SourceLocation location, string expression, string actual, string expected) =>
            Report(DiagnosticDescriptors.WrongValueKind, location, expression, actual, expected);

        public void ReportSizeOverflow(SourceLocation location, string layer, string what) =>
            Report(DiagnosticDescriptors.SizeOverflow, location, layer, what);

        public void ReportFeaturesDependOnInputSize(SourceLocation location, string layer, string features) =>
            Report(DiagnosticDescriptors.FeaturesDependOnInputSize, location, layer, features);

        public void ReportChannelsLastInput(SourceLocation location, string input, string looksLike, string suggestion) =>
            Report(DiagnosticDescriptors.ChannelsLastInput, location, new DiagnosticFix(FixKind.Replace, "Reorder to channels first: " + suggestion, location, suggestion),
                input, looksLike, suggestion);

        public void ReportChannelsInMiddle(SourceLocation location, string input, long channels, string suggestion) =>
            Report(DiagnosticDescriptors.ChannelsInMiddle, location, new DiagnosticFix(FixKind.Replace, "Move the channels first: " + suggestion, location, suggestion),
                input, channels, suggestion);

        /// <summary>Adds a hint to a diagnostic already reported, with the fix it names.</summary>
        public static Diagnostic WithHint(Diagnostic diagnostic, string hint, DiagnosticFix? fix) =>
            diagnostic with { Message = diagnostic.Message + hint, Fix = fix ?? diagnostic.Fix };

        public void ReportInvalidInputVariable(SourceLocation location, string name, string input, string reason) =>
            Report(DiagnosticDescriptors.InvalidInputVariable, location, name, input, reason);

        public void ReportInputRuleNotMet(SourceLocation location, string model, string rule) =>
            Report(DiagnosticDescriptors.InputRuleNotMet, location, model, rule);

        public void ReportBranchOnlyTensor(SourceLocation location, string layer, string tensor, string condition) =>
            Report(DiagnosticDescriptors.BranchOnlyTensor, location, layer, tensor, condition);

        public void ReportUnsupportedBlockParameter(SourceLocation location, string block, string parameter, string problem) =>
            Report(DiagnosticDescriptors.UnsupportedBlockParameter, location, block, parameter, problem);

        public void ReportUndecidedCondition(SourceLocation location, string owner, string condition, string variables, string values) =>
            Report(DiagnosticDescriptors.UndecidedCondition, location, owner, condition, variables, values);

        public void ReportModelTooLarge(SourceLocation location, string model, long layers, long limit) =>
            Report(DiagnosticDescriptors.ModelTooLarge, location, model, layers, limit);

        public void ReportModelNamedLikeBlockClass(SourceLocation location, string model, string block, string? ns) =>
            Report(DiagnosticDescriptors.ModelNamedLikeBlockClass, location, model, block, ns ?? "(global)");

        public void ReportInsideBlock(Diagnostic inner, SourceLocation use, string block, string layer) =>
            Add(inner with
            {
                Location = use,
                Message = inner.Message + " (in block '" + block + "' at " + System.IO.Path.GetFileName(inner.Location.Path) + "(" + (inner.Location.LineSpan.Start.Line + 1) + "), used as '" + layer + "')",
                AdditionalLocations = new[] { inner.Location }.Concat(inner.AdditionalLocations).ToEquatableArray(),
            });

        public void ReportNonFiniteNumber(SourceLocation location, string layer, string argument, string value) =>
            Report(DiagnosticDescriptors.NonFiniteNumber, location, layer, argument, value);

        public void ReportInternalError(SourceLocation location, string model, System.Exception exception) =>
            Report(DiagnosticDescriptors.InternalError, location, model, exception.GetType().Name, exception.Message);
    }
}
