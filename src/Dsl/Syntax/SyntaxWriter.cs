using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace CnnDsl.Dsl.Syntax
{
    /// <summary>
    /// Writes model and block syntax back as .cnn text that parses to the same syntax, whichever form the model was
    /// written in: numbers from their values, expressions from their trees (parenthesised wherever an operand is one),
    /// groups already folded into their layers' labels. Comments and spacing are not kept.
    /// </summary>
    public static class SyntaxWriter
    {
        /// <summary>The model and the blocks it uses, each under a <c>namespace</c> line when it has a namespace.</summary>
        public static string Write(ModelSyntax model, IEnumerable<BlockSyntax> blocks)
        {
            var text = new StringBuilder();
            string? current = null;
            void EnterNamespace(string? ns)
            {
                if (ns == null || ns == current)
                    return;
                text.Append("namespace ").Append(ns).Append('\n');
                current = ns;
            }
            // A namespace line lasts to the end of the file, so whatever has none comes first.
            if (model.Namespace == null)
                WriteModel(text, model);
            foreach (var block in blocks.OrderBy(b => b.Namespace != null).ThenBy(b => b.Namespace, System.StringComparer.Ordinal))
            {
                EnterNamespace(block.Namespace);
                text.Append("block ").Append(block.Name.Text);
                if (block.Parameters.Count > 0)
                    text.Append('(').Append(string.Join(", ", block.Parameters.Select(p => p.Name.Text + (p.Default == null ? "" : "=" + Value(p.Default))))).Append(')');
                text.Append('\n');
                WriteStatements(text, block.Layers, 1);
            }
            if (model.Namespace != null)
            {
                EnterNamespace(model.Namespace);
                WriteModel(text, model);
            }
            return text.ToString();
        }

        static void WriteModel(StringBuilder text, ModelSyntax model)
        {
            text.Append("model ").Append(model.Name.Text);
            if (model.Base != null)
                text.Append(" = ").Append(Layer(model.Base));
            text.Append('\n');
            if (model.Input != null)
                text.Append("  input ").Append(Shape(model.Input)).Append('\n');
            WriteStatements(text, model.Layers, 1);
        }

        static void WriteStatements(StringBuilder text, IEnumerable<StatementSyntax> statements, int depth)
        {
            var indent = new string(' ', 2 * depth);
            foreach (var statement in statements)
            {
                switch (statement)
                {
                    case LayerSyntax layer:
                        text.Append(indent).Append(Layer(layer)).Append('\n');
                        break;
                    case IfSyntax branch:
                        text.Append(indent).Append("if ").Append(Value(branch.Condition)).Append('\n');
                        WriteStatements(text, branch.Then, depth + 1);
                        if (branch.Else.Count > 0)
                        {
                            text.Append(indent).Append("else\n");
                            WriteStatements(text, branch.Else, depth + 1);
                        }
                        text.Append(indent).Append("end\n");
                        break;
                    case RepeatSyntax repeat:
                        text.Append(indent).Append("repeat ").Append(Value(repeat.Count)).Append(" as ").Append(repeat.Variable.Text).Append('\n');
                        WriteStatements(text, repeat.Body, depth + 1);
                        text.Append(indent).Append("end\n");
                        break;
                    default:
                        throw new System.InvalidOperationException("No .cnn form for " + statement.GetType().Name);
                }
            }
        }

        /// <summary><c>label: kind positional, name=value</c>.</summary>
        public static string Layer(LayerSyntax layer)
        {
            var arguments = string.Join(", ", layer.Arguments.Select(a => (a.Name == null ? "" : a.Name.Text + "=") + Value(a.Value)));
            return (layer.Label == null ? "" : layer.Label.Text + ": ") + layer.Kind.Text + (arguments.Length == 0 ? "" : " " + arguments);
        }

        static string Shape(ShapeSyntax shape) =>
            string.Join("x", shape.Dimensions.Select((d, i) => shape.Variables.Count > i && shape.Variables[i] != null ? shape.Variables[i]! : d.ToString(CultureInfo.InvariantCulture)));

        /// <summary>A value as the parser reads it back: <c>(3, 3)</c>, <c>channels * 4</c>, <c>(H + 1) // 2</c>, <c>0.5</c>.</summary>
        public static string Value(ValueSyntax value)
        {
            switch (value.Kind)
            {
                case ValueKind.Number:
                    return Number(value);
                case ValueKind.Tuple:
                    return "(" + string.Join(", ", value.Items.Select(Value)) + ")";
                case ValueKind.Binary:
                    return Operand(value.Items[0]) + " " + value.Operator + " " + Operand(value.Items[1]);
                case ValueKind.Unary:
                    var operand = Operand(value.Items[0]);
                    return value.Operator == "-" ? (operand.StartsWith("-") ? "- " : "-") + operand : value.Operator + " " + operand;
                case ValueKind.Call:
                    return value.Operator + "(" + string.Join(", ", value.Items.Select(Value)) + ")";
                default:
                    return value.Text;
            }
        }

        static string Operand(ValueSyntax value) =>
            value.Kind == ValueKind.Binary || value.Kind == ValueKind.Unary ? "(" + Value(value) + ")" : Value(value);

        // Whole numbers stay whole; others keep every digit of the double and a decimal point, so they stay non-integers.
        static string Number(ValueSyntax value)
        {
            if (value.IsInteger)
                return value.Whole.ToString(CultureInfo.InvariantCulture);
            var text = value.Number.ToString("R", CultureInfo.InvariantCulture);
            return text.IndexOfAny(new[] { '.', 'E', 'e' }) < 0 ? text + ".0" : text;
        }
    }
}
