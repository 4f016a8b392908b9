using System.Collections.Generic;
using System.Linq;
using CnnDsl.Dsl;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Catalog;
using CnnDsl.Dsl.Symbolic;

namespace CnnDsl.Generator
{
    /// <summary>
    /// What a model and a block class share: a typed field per layer, their construction and registration, and a
    /// forward that threads one value <c>x</c> through the layers, keeping a variable for each tensor read again later.
    /// A block's <c>if</c> on its parameters becomes a flag set in the constructor and tested in forward. Everything is
    /// planned when the emitter is made (field names and nullability, one flag per distinct condition, each layer's
    /// code from its plan lowered once, and so the constructor parameters the code uses); writing then prints the plan.
    /// </summary>
    internal sealed class ModuleBodyEmitter
    {
        /// <summary>A layer's code, decided before writing: its field, the module's type and creation, and its forward steps.</summary>
        sealed class LayerCode
        {
            public string Field = "";
            public string Type = "";
            public bool Optional;
            public string Constructor = "";
            public IReadOnlyList<string> Initialization = System.Array.Empty<string>();
            /// <summary>Forward's expressions, <c>$in</c> for the value so far and <c>$&lt;i&gt;</c> for the layer's i-th input.</summary>
            public IReadOnlyList<string> Forward = System.Array.Empty<string>();
        }

        const string Tensor = "global::TorchSharp.torch.Tensor";

        readonly IReadOnlyDictionary<(string Block, int Rank), BlockClass> classes;
        readonly ISet<string> sizeVariables;
        readonly Dictionary<object, string> flags = new Dictionary<object, string>(ReferenceEqualityComparer.Instance);
        // Each distinct condition's flag and the C# that computes it, in the order they are declared.
        readonly List<(string Flag, string Condition)> flagDeclarations = new List<(string, string)>();
        readonly Dictionary<(string Name, string Type), string> fields = new Dictionary<(string, string), string>();
        // The values of fields, so that a lookup costs the same in a model of 16,000 layers as in one of 10.
        readonly HashSet<string> fieldNames = new HashSet<string>();
        readonly HashSet<string> taken;
        readonly Dictionary<object, LayerCode> code = new Dictionary<object, LayerCode>(ReferenceEqualityComparer.Instance);
        // Field declarations in order: name, type, and whether some path leaves the field unset.
        readonly List<(string Field, string Type, bool Optional)> declarations = new List<(string, string, bool)>();

        public ModuleBodyEmitter(IReadOnlyDictionary<(string Block, int Rank), BlockClass> classes, ISet<string> sizeVariables, IEnumerable<string> reservedNames,
            IReadOnlyList<BoundStatement> statements)
        {
            this.classes = classes;
            this.sizeVariables = sizeVariables;
            taken = new HashSet<string>(reservedNames);
            Plan(statements);
        }

        public CSharpExpressions Expressions { get; } = new CSharpExpressions();

        /// <summary>Values forward needs from a block's parameters are kept in fields named after them.</summary>
        public CSharpExpressions ForwardExpressions { get; } = new CSharpExpressions(name => ForwardField(name));

        public static string ForwardField(string parameter) => parameter + "_value";

        public static string Field(string layer) => layer.Replace('.', '_');

        static string Variable(string tensor) => tensor == BoundModel.InputTensorName ? "input" : Field(tensor) + "_out";

        static IEnumerable<BoundLayer> Layers(IEnumerable<BoundStatement> statements) => statements.SelectMany(s => s switch
        {
            BoundLayer layer => new[] { layer },
            BoundBranch branch => Layers(branch.Then).Concat(Layers(branch.Else)),
            _ => Enumerable.Empty<BoundLayer>(),
        });

        static IEnumerable<BoundBranch> Branches(IEnumerable<BoundStatement> statements) => statements.OfType<BoundBranch>()
            .SelectMany(b => new[] { b }.Concat(Branches(b.Then)).Concat(Branches(b.Else)));

        BlockClass ClassOf(BlockConfig use) => classes[(use.BlockName, use.Input.Rank)];

        string FieldOf(BoundLayer layer) => code[layer].Field;

        bool IsOptional(BoundLayer layer) => code[layer].Optional;

        // One field per layer name and type; a name that two branches give to different module types gets a second field.
        string AllocateField(BoundLayer layer, string type)
        {
            var key = (layer.Name, type);
            if (fields.TryGetValue(key, out var field))
                return field;
            field = Field(layer.Name);
            if (fieldNames.Contains(field))
            {
                // A name two branches give to different module types: the second field says its type (conv_2_conv2d), so
                // it never reads like another layer's dotted key (conv_2_1 would read as conv.2.1).
                var shortType = type.Substring(type.LastIndexOf('.') + 1);
                var typed = field + "_" + Names.ToSnakeCase(shortType).ToLowerInvariant();
                field = typed;
                for (int n = 2; fieldNames.Contains(field) || taken.Contains(field); n++)
                    field = typed + "_" + n;
            }
            fields[key] = field;
            fieldNames.Add(field);
            taken.Add(field);
            return field;
        }

        // Each path through the branches, as the layers it builds.
        static IEnumerable<List<BoundLayer>> Paths(IReadOnlyList<BoundStatement> statements, int start = 0)
        {
            for (int i = start; i < statements.Count; i++)
            {
                if (statements[i] is BoundBranch branch)
                {
                    var before = statements.Take(i).OfType<BoundLayer>().ToList();
                    var after = statements.Skip(i + 1).ToList();
                    foreach (var side in new[] { branch.Then, branch.Else })
                        foreach (var path in Paths(side.Concat(after).ToList()))
                            yield return before.Concat(path).ToList();
                    yield break;
                }
            }
            yield return statements.OfType<BoundLayer>().ToList();
        }

        // Whether the constructor registers modules with register_module rather than RegisterComponents.
        bool registersByHand;

        void Plan(IReadOnlyList<BoundStatement> statements)
        {
            var modules = Layers(statements).Where(l => l.Config.HasModule).ToList();
            var lowered = new Dictionary<object, Dsl.Plan.LayerPlan>(ReferenceEqualityComparer.Instance);
            foreach (var layer in Layers(statements).Where(l => l.Config is not BlockConfig))
                lowered[layer] = layer.Config.Lower();
            foreach (var layer in modules)
            {
                var type = layer.Config is BlockConfig use ? ClassOf(use).FullName : LayerEmitter.FieldType(lowered[layer]);
                code[layer] = new LayerCode { Field = AllocateField(layer, type), Type = type };
            }
            // A field some path leaves unset is nullable, and read with '!' where its branch is taken; without branches
            // the one path holds every layer.
            var paths = Paths(statements).Select(path => new HashSet<string>(path.Where(l => l.Config.HasModule).Select(FieldOf))).ToList();
            var declared = new HashSet<string>();
            foreach (var layer in modules)
            {
                var field = FieldOf(layer);
                bool optional = paths.Count > 1 && !paths.All(path => path.Contains(field));
                code[layer].Optional = optional;
                if (declared.Add(field))
                    declarations.Add((field, code[layer].Type, optional));
            }
            // One flag per distinct condition: branches that test the same condition (MobileNetV2's residual add on both
            // sides of its expansion test) read the same flag.
            var byCondition = new Dictionary<Expr, string>();
            foreach (var branch in Branches(statements))
            {
                if (byCondition.TryGetValue(branch.Condition, out var same))
                {
                    flags[branch] = same;
                    continue;
                }
                var first = Layers(branch.Then).Concat(Layers(branch.Else)).FirstOrDefault();
                var name = "has_" + (first == null ? "branch" : Field(first.Name.Split('.')[0]));
                var flag = name;
                for (int i = 2; taken.Contains(flag); i++)
                    flag = name + "_" + i;
                taken.Add(flag);
                flags[branch] = byCondition[branch.Condition] = flag;
                flagDeclarations.Add((flag, Expressions.Write(branch.Condition)));
            }
            registersByHand = flags.Count > 0 || modules.Any(l => l.Name.Contains('.'));
            foreach (var layer in Layers(statements))
            {
                if (!code.TryGetValue(layer, out var layerCode))
                    code[layer] = layerCode = new LayerCode();
                var field = layer.Config.HasModule ? layerCode.Field + (layerCode.Optional ? "!" : "") : "";
                if (layer.Config is BlockConfig)
                {
                    layerCode.Constructor = Constructor(layer);
                    layerCode.Forward = new[] { field + ".call($in)" };
                    continue;
                }
                var plan = lowered[layer];
                if (layer.Config.HasModule)
                {
                    layerCode.Constructor = LayerEmitter.Constructor(plan, Expressions);
                    layerCode.Initialization = LayerEmitter.Initialization(plan, "{field}", Expressions).ToList();
                }
                var inputs = Enumerable.Range(0, layer.Inputs.Count).Select(i => "$<" + i + ">").ToList();
                layerCode.Forward = LayerEmitter.Forward(plan, field, inputs, ForwardExpressions, sizeVariables);
            }
        }

        public void WriteFields(SourceWriter writer)
        {
            foreach (var (field, type, optional) in declarations)
                writer.WriteLine("private readonly " + type + (optional ? "? " : " ") + field + ";");
            foreach (var (flag, _) in flagDeclarations)
                writer.WriteLine("private readonly bool " + flag + ";");
        }

        /// <summary>Creates each layer and registers them, in PyTorch's order, so the state_dict keys are PyTorch's.</summary>
        public void WriteConstruction(SourceWriter writer, IReadOnlyList<BoundStatement> statements, bool qualify)
        {
            var self = qualify ? "this." : "";
            foreach (var (flag, condition) in flagDeclarations)
                writer.WriteLine(self + flag + " = " + condition + ";");
            WriteCreation(writer, statements, self);
            if (flags.Count == 0)
            {
                WriteRegistration(writer, statements.OfType<BoundLayer>().ToList(), manual: false);
                return;
            }
            if (CanRegisterInPlace(statements))
                WriteRegistrationInPlace(writer, statements);
            else
                WriteVariants(writer, statements, new List<BoundLayer>(), 0);
        }

        static IEnumerable<string> TopNames(IEnumerable<BoundStatement> statements) =>
            Layers(statements).Where(l => l.Config.HasModule).Select(l => l.Name.Split('.')[0]).Distinct();

        // A branch's modules can be registered where the branch is when no top-level name (module or group) is shared
        // between it and the runs of layers around it: then the order of state_dict keys is the order of the statements.
        static bool CanRegisterInPlace(IReadOnlyList<BoundStatement> statements)
        {
            var parts = new List<List<string>>();
            var run = new List<BoundStatement>();
            foreach (var statement in statements)
            {
                if (statement is BoundBranch branch && BuildsModules(branch))
                {
                    parts.Add(TopNames(run).ToList());
                    run.Clear();
                    parts.Add(TopNames(branch.Then).Union(TopNames(branch.Else)).ToList());
                    if (!CanRegisterInPlace(branch.Then) || !CanRegisterInPlace(branch.Else))
                        return false;
                }
                else
                {
                    run.Add(statement);
                }
            }
            parts.Add(TopNames(run).ToList());
            var seen = new HashSet<string>();
            return parts.All(part => part.All(seen.Add));
        }

        void WriteRegistrationInPlace(SourceWriter writer, IReadOnlyList<BoundStatement> statements)
        {
            var run = new List<BoundLayer>();
            foreach (var statement in statements)
            {
                if (statement is BoundLayer layer)
                {
                    run.Add(layer);
                    continue;
                }
                var branch = (BoundBranch)statement;
                if (!BuildsModules(branch))
                {
                    // Only merges inside; nested layers, if any, build no modules either.
                    continue;
                }
                WriteRegistration(writer, run, manual: true);
                run.Clear();
                writer.OpenBlock("if (" + flags[branch] + ")");
                WriteRegistrationInPlace(writer, branch.Then);
                writer.CloseBlock();
                if (Layers(branch.Else).Any(l => l.Config.HasModule))
                {
                    writer.OpenBlock("else");
                    WriteRegistrationInPlace(writer, branch.Else);
                    writer.CloseBlock();
                }
            }
            WriteRegistration(writer, run, manual: true);
        }

        void WriteCreation(SourceWriter writer, IEnumerable<BoundStatement> statements, string self)
        {
            foreach (var statement in statements)
            {
                if (statement is BoundLayer layer)
                {
                    if (layer.Config.HasModule)
                    {
                        writer.WriteLine(self + FieldOf(layer) + " = " + code[layer].Constructor + ";");
                        foreach (var initialization in code[layer].Initialization)
                            writer.WriteLine(initialization.Replace("{field}", self + FieldOf(layer)));
                    }
                    continue;
                }
                var branch = (BoundBranch)statement;
                if (!BuildsModules(branch))
                    continue;
                writer.OpenBlock("if (" + flags[branch] + ")");
                WriteCreation(writer, branch.Then, self);
                writer.CloseBlock();
                if (Layers(branch.Else).Any(l => l.Config.HasModule))
                {
                    writer.OpenBlock("else");
                    WriteCreation(writer, branch.Else, self);
                    writer.CloseBlock();
                }
            }
        }

        // Registration follows one path through the branches at a time, so each path registers its modules in order.
        void WriteVariants(SourceWriter writer, IReadOnlyList<BoundStatement> rest, List<BoundLayer> path, int start)
        {
            for (int i = start; i < rest.Count; i++)
            {
                if (rest[i] is BoundLayer layer)
                {
                    path.Add(layer);
                    continue;
                }
                var branch = (BoundBranch)rest[i];
                var remaining = rest.Skip(i + 1).ToList();
                if (!BuildsModules(branch))
                {
                    // Only merges inside: the same modules either way.
                    WriteVariants(writer, remaining, path, 0);
                    return;
                }
                writer.OpenBlock("if (" + flags[branch] + ")");
                WriteVariants(writer, branch.Then.Concat(remaining).ToList(), new List<BoundLayer>(path), 0);
                writer.CloseBlock();
                writer.OpenBlock("else");
                WriteVariants(writer, branch.Else.Concat(remaining).ToList(), new List<BoundLayer>(path), 0);
                writer.CloseBlock();
                return;
            }
            WriteRegistration(writer, path, manual: true);
        }

        /// <summary>The call to a block use's class.</summary>
        string Constructor(BoundLayer layer)
        {
            var use = (BlockConfig)layer.Config;
            var block = ClassOf(use);
            var arguments = new List<string>();
            if (block.TakesInChannels)
                arguments.Add(BlockLayer.InChannels + ": " + Expressions.Write(use.Input[0]));
            foreach (var parameter in block.Function.Parameters)
            {
                var value = use.Arguments.First(a => a.Name == parameter.Name).Value;
                arguments.Add(CSharpExpressions.Name(parameter.Name) + ": " + (value == null ? "default" : Expressions.Write(value)));
            }
            foreach (var (size, index) in block.InputSizes)
                arguments.Add(size + ": " + Expressions.Write(use.Input[index]));
            return "new " + block.FullName + "(" + string.Join(", ", arguments) + ")";
        }

        public void WriteForwardBody(SourceWriter writer, IReadOnlyList<BoundStatement> statements)
        {
            if (statements.Count == 0)
            {
                writer.WriteLine("return input.alias();");
                return;
            }
            writer.WriteLine("using var scope = global::TorchSharp.torch.NewDisposeScope();");
            // x carries the value from layer to layer; a tensor read again later by name keeps a variable of its own.
            var namedLater = new HashSet<string>();
            FindNamedLater(statements, BoundModel.InputTensorName, namedLater);
            var state = new ForwardState();
            WriteForward(writer, statements, state, namedLater);
            writer.WriteLine("return x.MoveToOuterDisposeScope();");
        }

        sealed class ForwardState
        {
            public string Previous = BoundModel.InputTensorName;
            public bool Declared;
            public int Branches;
        }

        static string FindNamedLater(IEnumerable<BoundStatement> statements, string previous, HashSet<string> namedLater)
        {
            int branches = 0;
            foreach (var statement in statements)
            {
                if (statement is BoundLayer layer)
                {
                    foreach (var input in layer.Inputs)
                        if (input != previous)
                            namedLater.Add(input);
                    previous = layer.Name;
                    continue;
                }
                var branch = (BoundBranch)statement;
                FindNamedLater(branch.Then, previous, namedLater);
                FindNamedLater(branch.Else, previous, namedLater);
                previous = "$if" + branches++;
            }
            return previous;
        }

        void WriteForward(SourceWriter writer, IEnumerable<BoundStatement> statements, ForwardState state, HashSet<string> namedLater)
        {
            foreach (var statement in statements)
            {
                if (statement is BoundBranch branch)
                {
                    if (!state.Declared)
                    {
                        writer.WriteLine("var x = " + Variable(state.Previous) + ";");
                        state.Declared = true;
                    }
                    var before = state.Previous;
                    writer.OpenBlock("if (" + flags[branch] + ")");
                    WriteForward(writer, branch.Then, state, namedLater);
                    writer.CloseBlock();
                    state.Previous = before;
                    if (branch.Else.Count > 0)
                    {
                        writer.OpenBlock("else");
                        WriteForward(writer, branch.Else, state, namedLater);
                        writer.CloseBlock();
                    }
                    // Each path leaves its result in x.
                    state.Previous = "$if" + state.Branches++;
                    continue;
                }
                var layer = (BoundLayer)statement;
                var inputs = layer.Inputs.Select(input => input == state.Previous ? (state.Declared ? "x" : Variable(input)) : Variable(input)).ToList();
                var steps = code[layer].Forward;
                for (int i = 0; i < steps.Count; i++)
                {
                    var expression = steps[i].Replace("$in", i == 0 ? inputs[0] : "x");
                    for (int k = 0; k < inputs.Count; k++)
                        expression = expression.Replace("$<" + k + ">", inputs[k]);
                    writer.WriteLine((state.Declared ? "x = " : "var x = ") + expression + ";");
                    state.Declared = true;
                }
                if (namedLater.Contains(layer.Name))
                    writer.WriteLine("var " + Variable(layer.Name) + " = x;");
                state.Previous = layer.Name;
            }
        }

        static bool BuildsModules(BoundBranch branch) => Layers(branch.Then).Concat(Layers(branch.Else)).Any(l => l.Config.HasModule);

        public void WriteBlockClass(SourceWriter writer, BlockClass block, string accessibility, string attribute)
        {
            var function = block.Function;
            writer.WriteLine("/// <summary>The block <c>" + function.BlockName + "</c>" + (block.Signature.Count == 0 ? "" : ": one instance per use, built from its parameters") + ".</summary>");
            writer.WriteLine(attribute);
            writer.OpenBlock(accessibility + " sealed class " + block.Name + " : global::TorchSharp.torch.nn.Module<" + Tensor + ", " + Tensor + ">");
            WriteFields(writer);
            foreach (var parameter in block.ForwardValues)
                writer.WriteLine("private readonly long " + ForwardField(parameter) + ";");
            writer.WriteLine();
            writer.WriteLine("public " + block.Name + "(" + string.Join(", ", block.Signature) + ")");
            writer.Indent();
            // A string, not nameof: a parameter may be called nameof.
            writer.WriteLine(": base(\"" + block.Name + "\")");
            writer.Unindent();
            writer.OpenBlock("");
            foreach (var parameter in block.ForwardValues)
                writer.WriteLine("this." + ForwardField(parameter) + " = " + CSharpExpressions.Name(parameter) + ";");
            WriteConstruction(writer, function.Body, qualify: true);
            writer.CloseBlock();
            if (registersByHand)
            {
                // A parent's register_module calls RegisterComponents, which would add the fields again under their C#
                // names (branch2_0 beside branch2.0): the constructor has registered everything already.
                writer.WriteLine();
                writer.WriteLine("protected override void RegisterComponents() { }");
            }
            writer.WriteLine();
            writer.OpenBlock("public override " + Tensor + " forward(" + Tensor + " input)");
            WriteForwardBody(writer, function.Body);
            writer.CloseBlock();
            writer.CloseBlock();
        }

        /// <summary>
        /// Plain module lists register their fields with RegisterComponents. Dotted names (features.0) become nested
        /// Sequentials registered by hand, so the state_dict keys are PyTorch's while forward still calls each layer
        /// through its own typed field; so do the modules of a block with branches, one path at a time.
        /// </summary>
        void WriteRegistration(SourceWriter writer, IReadOnlyList<BoundLayer> layers, bool manual)
        {
            var modules = layers.Where(l => l.Config.HasModule).ToList();
            if (!manual && !modules.Any(l => l.Name.Contains('.')))
            {
                writer.WriteLine("RegisterComponents();");
                return;
            }
            var root = new Group();
            foreach (var layer in modules)
            {
                var group = root;
                var parts = layer.Name.Split('.');
                foreach (var part in parts.Take(parts.Length - 1))
                    group = group.Child(part);
                group.Members.Add((parts[parts.Length - 1], null, FieldOf(layer) + (IsOptional(layer) ? "!" : "")));
            }
            foreach (var (name, group, field) in root.Members)
            {
                if (group == null)
                {
                    writer.WriteLine("register_module(\"" + name + "\", " + field + ");");
                    continue;
                }
                writer.WriteLine("register_module(\"" + name + "\", " + "global::TorchSharp.torch.nn.Sequential(");
                writer.Indent();
                WriteSequentialMembers(writer, group, "));");
                writer.Unindent();
            }
        }

        static void WriteSequentialMembers(SourceWriter writer, Group group, string close)
        {
            for (int i = 0; i < group.Members.Count; i++)
            {
                var (name, child, field) = group.Members[i];
                var end = i == group.Members.Count - 1 ? close : ",";
                if (child == null)
                {
                    writer.WriteLine("(\"" + name + "\", " + field + ")" + end);
                    continue;
                }
                writer.WriteLine("(\"" + name + "\", global::TorchSharp.torch.nn.Sequential(");
                writer.Indent();
                WriteSequentialMembers(writer, child, "))" + end);
                writer.Unindent();
            }
        }

        sealed class Group
        {
            public List<(string Name, Group? Group, string? Field)> Members { get; } = new List<(string, Group?, string?)>();

            public Group Child(string name)
            {
                foreach (var member in Members)
                    if (member.Name == name && member.Group != null)
                        return member.Group;
                var child = new Group();
                Members.Add((name, child, null));
                return child;
            }
        }
    }

    /// <summary>A block's generated class: its function, and the constructor parameters its code turned out to use.</summary>
    internal sealed class BlockClass
    {
        public BlockClass(BlockFunction function, bool takesInChannels, IReadOnlyList<(string Name, int Index)> inputSizes, IReadOnlyList<string> forwardValues)
        {
            Function = function;
            ForwardValues = forwardValues;
            TakesInChannels = takesInChannels;
            InputSizes = inputSizes;
            var signature = new List<string>();
            if (takesInChannels)
                signature.Add("long " + BlockLayer.InChannels);
            foreach (var parameter in function.Parameters)
                signature.Add(TypeOf(parameter.Type) + " " + CSharpExpressions.Name(parameter.Name)
                    + (parameter.Default == null ? "" : " = " + new CSharpExpressions().Write(parameter.Default)));
            // Optional parameters come last in C#: sizes the class needs follow the declared ones only if none has a default,
            // and so does a parameter whose default is not a value of its type (q=true where q is a number), which uses
            // that rely on the default report.
            foreach (var (name, _) in inputSizes)
                signature.Add("long " + name);
            bool requiredAfterOptional = function.Parameters.SkipWhile(p => p.Default == null).Any(p => p.Default == null);
            if ((inputSizes.Count > 0 || requiredAfterOptional) && function.Parameters.Any(p => p.Default != null))
                signature = signature.Select(s => s.Contains(" = ") ? s.Substring(0, s.IndexOf(" = ")) : s).ToList();
            Signature = signature;
        }

        public BlockFunction Function { get; }
        public string Name => Function.ClassName;

        /// <summary>The class as models and other blocks name it: <c>global::Namespace.Class</c>.</summary>
        public string FullName => "global::" + (Function.Namespace == null ? "" : NameRules.EscapeNamespace(Function.Namespace) + ".") + Name;
        public bool TakesInChannels { get; }
        public IReadOnlyList<(string Name, int Index)> InputSizes { get; }
        public IReadOnlyList<string> Signature { get; }

        /// <summary>Parameters forward reads (explicit uneven padding), kept in fields.</summary>
        public IReadOnlyList<string> ForwardValues { get; }

        static string TypeOf(ExprType type) => type switch
        {
            ExprType.Real => "double",
            ExprType.Boolean => "bool",
            _ => "long",
        };
    }
}
