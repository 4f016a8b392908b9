using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CnnDsl.Dsl.Binding;
using CnnDsl.Dsl.Project;
using CnnDsl.Onnx;
using CnnDsl.Vision;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace CnnDsl.Inference
{
    /// <summary>How ONNX Runtime runs a model: its threads and graph optimisation.</summary>
    public sealed record InferenceOptions
    {
        /// <summary>Threads one operator may use; ONNX Runtime's choice (the machine's cores) when null.</summary>
        public int? IntraOpThreads { get; init; }

        /// <summary>Threads for independent operators; ONNX Runtime's choice when null.</summary>
        public int? InterOpThreads { get; init; }

        public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

        /// <summary>
        /// Anything else ONNX Runtime offers, applied last: an execution provider from a platform package (e.g.
        /// <c>o => o.AppendExecutionProvider_CUDA(0)</c> with <c>Microsoft.ML.OnnxRuntime.Gpu</c>), profiling, memory
        /// patterns. <see cref="InferenceModel.AvailableProviders"/> lists what this process's ONNX Runtime has.
        /// </summary>
        public Action<SessionOptions>? Configure { get; init; }

        internal SessionOptions Create()
        {
            var options = new SessionOptions { GraphOptimizationLevel = OptimizationLevel };
            // ONNX Runtime's Pad fusion moves an explicit zero Pad into the next pooling node's pads, where a max pool
            // ignores them (and pads as wide as the window are refused): a zero-padded max pool then gives other
            // numbers, or the model does not load. The exporter writes that Pad on purpose (zeropad, Keras' same
            // padding), so the rewrite is left out; every other optimisation stays.
            options.AddSessionConfigEntry("optimization.disable_specified_optimizers", "Pad_Fusion");
            if (IntraOpThreads is int intra)
                options.IntraOpNumThreads = intra > 0 ? intra : throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), intra, "Give at least one thread.");
            if (InterOpThreads is int inter)
                options.InterOpNumThreads = inter > 0 ? inter : throw new ArgumentOutOfRangeException(nameof(InterOpThreads), inter, "Give at least one thread.");
            try
            {
                Configure?.Invoke(options);
            }
            // A provider the native library was built without is missing as an entry point (CUDA in the CPU package).
            catch (Exception exception) when (exception is OnnxRuntimeException || exception is EntryPointNotFoundException)
            {
                options.Dispose();
                throw new InvalidOperationException($"ONNX Runtime refuses the session options: {exception.Message} "
                    + $"(this process's ONNX Runtime has {string.Join(", ", InferenceModel.AvailableProviders)}; another execution provider needs its platform package).", exception);
            }
            return options;
        }
    }

    /// <summary>One class of a prediction: its index, its name (from the model's facts; the index when it has none) and its probability.</summary>
    public sealed record ClassScore(int Index, string Name, float Probability);

    /// <summary>
    /// A trained model run by ONNX Runtime, without libtorch: from its <c>.cnn</c> definition and safetensors weights
    /// (the graph is written in memory by the ONNX exporter), or from an <c>.onnx</c> file the exporter wrote. The
    /// model's facts (class names, normalisation, output activation) come from the weights' metadata or the ONNX file's
    /// <c>metadata_props</c>. Inputs are float batches in the model's layout, (N, C, H, W), already preprocessed, or
    /// images (files or encoded bytes) read through the model's evaluation transforms (<see cref="Preprocessing"/>).
    /// </summary>
    public sealed class InferenceModel : IDisposable
    {
        readonly InferenceSession session;
        readonly string inputName;

        InferenceModel(InferenceSession session, SavedFacts facts, string source)
        {
            this.session = session;
            Facts = facts;
            Source = source;
            if (session.InputMetadata.Count != 1 || session.OutputMetadata.Count != 1)
                throw new InvalidDataException($"{source}: a CnnDsl model has one input and one output; this graph has {session.InputMetadata.Count} and {session.OutputMetadata.Count}.");
            inputName = session.InputMetadata.Keys.Single();
            InputShape = session.InputMetadata[inputName].Dimensions.Skip(1).Select(d => (long)d).ToArray();
            preprocessing = new Lazy<Transform>(MakePreprocessing);
        }

        readonly Lazy<Transform> preprocessing;

        /// <summary>The execution providers of this process's ONNX Runtime (CPUExecutionProvider, and those of a platform package).</summary>
        public static IReadOnlyList<string> AvailableProviders => OrtEnv.Instance().GetAvailableProviders();

        /// <summary>The model's facts; without recorded facts, only what the graph says (its name is the source).</summary>
        public SavedFacts Facts { get; }

        /// <summary>Where the model came from, for messages.</summary>
        public string Source { get; }

        /// <summary>One sample's input shape (channels first); -1 marks a size the input decides.</summary>
        public IReadOnlyList<long> InputShape { get; }

        /// <summary>An ONNX file written by CnnDsl's exporter (<c>cnn export --onnx</c>, <c>ExportOnnx</c>), with the facts in its metadata.</summary>
        public static InferenceModel Load(string onnxPath, InferenceOptions? options = null)
        {
            if (!File.Exists(onnxPath))
                throw new FileNotFoundException($"The ONNX file '{onnxPath}' does not exist.", onnxPath);
            InferenceSession session;
            using var sessionOptions = (options ?? new InferenceOptions()).Create();
            try
            {
                session = new InferenceSession(onnxPath, sessionOptions);
            }
            catch (OnnxRuntimeException exception)
            {
                throw new InvalidDataException($"{onnxPath}: ONNX Runtime cannot load it: {exception.Message}", exception);
            }
            return new InferenceModel(session, ReadFacts(session.ModelMetadata.CustomMetadataMap, onnxPath), onnxPath);
        }

        /// <summary>
        /// The model <paramref name="modelName"/> (the only one when null) of a <c>.cnn</c> file (blocks of the other
        /// <c>.cnn</c> files of its folder included), with weights from a safetensors file (<c>SaveSafeTensors</c>, or
        /// PyTorch's state_dict); checked as the compiler checks it, and its weights against its layers.
        /// </summary>
        public static InferenceModel FromDefinition(string cnnFile, string weightsFile, string? modelName = null, InferenceOptions? options = null)
        {
            var errors = new StringWriter();
            var model = CnnProject.Resolve(cnnFile, modelName, null, errors)
                ?? throw new InvalidDataException(errors.ToString().Trim());
            return FromDefinition(model, weightsFile, options);
        }

        /// <summary>A checked model with weights from a safetensors file.</summary>
        public static InferenceModel FromDefinition(BoundModel model, string weightsFile, InferenceOptions? options = null)
        {
            if (!File.Exists(weightsFile))
                throw new FileNotFoundException($"The weights file '{weightsFile}' does not exist.", weightsFile);
            var weights = SafeTensorsFile.ReadFloats(weightsFile, out var metadata);
            var facts = ReadFacts(metadata, weightsFile);
            return FromWeights(model, weights, facts with { Model = facts.Model ?? model.Name }, "'" + weightsFile + "'", options);
        }

        /// <summary>
        /// A checked model with weights in memory (e.g. handed over from a TorchSharp module): the graph is written in
        /// memory and given to ONNX Runtime; nothing touches the disk.
        /// </summary>
        public static InferenceModel FromWeights(BoundModel model, IReadOnlyDictionary<string, WeightTensor> weights, SavedFacts facts, string weightsSource = "The weights",
            InferenceOptions? options = null)
        {
            var metadata = new Dictionary<string, string> { [SavedFacts.MetadataKey] = facts.ToJson() };
            var bytes = OnnxExporter.ExportBytes(model, weights, weightsSource, metadata);
            using var sessionOptions = (options ?? new InferenceOptions()).Create();
            return new InferenceModel(new InferenceSession(bytes, sessionOptions), facts, model.Name);
        }

        static SavedFacts ReadFacts(IReadOnlyDictionary<string, string> metadata, string source)
        {
            if (!metadata.TryGetValue(SavedFacts.MetadataKey, out var json))
                return new SavedFacts();
            try
            {
                return SavedFacts.FromJson(json);
            }
            catch (FormatException exception)
            {
                throw new InvalidDataException($"{source}: the model facts saved with it are malformed: {exception.Message}.", exception);
            }
        }

        /// <summary>The model's outputs for a batch of shape <paramref name="shape"/> (N first), one row per sample.</summary>
        public float[][] PredictLogits(float[] input, params long[] shape)
        {
            ArgumentNullException.ThrowIfNull(input);
            CheckShape(input, shape);
            var tensor = new DenseTensor<float>(input, shape.Select(d => checked((int)d)).ToArray());
            using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(inputName, tensor) });
            var output = results.Single().AsTensor<float>();
            int batch = (int)shape[0];
            var values = output.ToArray();
            int per = batch == 0 ? 0 : values.Length / batch;
            return Enumerable.Range(0, batch).Select(i => values.AsSpan(i * per, per).ToArray()).ToArray();
        }

        /// <summary>
        /// Class probabilities per sample, honouring the model's output activation: softmax of raw scores, the model's own
        /// softmax or sigmoid as it is, exp of log-probabilities.
        /// </summary>
        public float[][] Predict(float[] input, params long[] shape) => PredictLogits(input, shape).Select(Probabilities).ToArray();

        /// <summary>The <paramref name="top"/> most probable classes of each sample, with their names from the model's facts.</summary>
        public IReadOnlyList<IReadOnlyList<ClassScore>> PredictClasses(float[] input, long[] shape, int top = 5)
        {
            if (top < 1)
                throw new ArgumentOutOfRangeException(nameof(top), top, "Ask for at least one class.");
            return Predict(input, shape).Select(p => (IReadOnlyList<ClassScore>)p
                .Select((probability, index) => new ClassScore(index, ClassName(index), probability))
                .OrderByDescending(c => c.Probability).ThenBy(c => c.Index).Take(top).ToList()).ToList();
        }

        /// <summary>The name of a class index: the facts' class name, or the index itself where the model records none.</summary>
        public string ClassName(int index) =>
            Facts.ClassNames != null && index >= 0 && index < Facts.ClassNames.Count ? Facts.ClassNames[index] : index.ToString(System.Globalization.CultureInfo.InvariantCulture);

        float[] Probabilities(float[] outputs)
        {
            switch (Facts.OutputActivation)
            {
                case "Softmax":
                case "Sigmoid":
                    return outputs;
                case "LogSoftmax":
                    return outputs.Select(v => (float)Math.Exp(v)).ToArray();
                default:
                {
                    // Softmax in double, shifted by the largest score so that exp cannot overflow.
                    double max = outputs.Length == 0 ? 0 : outputs.Max();
                    var exp = outputs.Select(v => Math.Exp(v - max)).ToArray();
                    double sum = exp.Sum();
                    return exp.Select(v => (float)(v / sum)).ToArray();
                }
            }
        }

        void CheckShape(float[] input, long[] shape)
        {
            string Expected() => "(N, " + string.Join(", ", InputShape.Select(d => d < 0 ? "any" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + ")";
            if (shape == null || shape.Length != InputShape.Count + 1)
                throw new ArgumentException($"{Facts.Model ?? Source} takes a batch of shape {Expected()}, not ({string.Join(", ", shape ?? Array.Empty<long>())}).", nameof(shape));
            for (int i = 0; i < InputShape.Count; i++)
                if (shape[i + 1] < 1 || (InputShape[i] >= 0 && shape[i + 1] != InputShape[i]))
                    throw new ArgumentException($"{Facts.Model ?? Source} takes a batch of shape {Expected()}, not ({string.Join(", ", shape)}).", nameof(shape));
            if (shape[0] < 1)
                throw new ArgumentException($"A batch holds at least one sample, not {shape[0]}.", nameof(shape));
            long count = shape.Aggregate(1L, (a, b) => checked(a * b));
            if (count != input.Length)
                throw new ArgumentException($"A batch of shape ({string.Join(", ", shape)}) holds {count:N0} values; {input.Length:N0} were given.", nameof(input));
        }

        /// <summary>
        /// How an image becomes the model's input, as in training: the evaluation transforms the model's facts record
        /// (an image folder's resize, crop, <c>ToTensor</c> and normalisation, as torchvision's <c>weights.transforms()</c>).
        /// A model trained on tensors (IDX files, arrays) records none: its images are resized to the input size, then
        /// <c>ToTensor</c> and the recorded normalisation, which is what its training pixels went through.
        /// </summary>
        public Transform Preprocessing => preprocessing.Value;

        /// <summary>The channels an image is decoded with: the model's input channels (1, grey, or 3, RGB).</summary>
        public int ImageChannels => InputShape.Count == 3 && InputShape[0] is 1 or 3 ? (int)InputShape[0]
            : throw new InvalidOperationException($"{Name} takes inputs of shape ({string.Join(", ", InputShape)}), not images of 1 or 3 channels.");

        string Name => Facts.Model ?? Source;

        Transform MakePreprocessing()
        {
            if (Facts.EvaluationTransforms != null)
                return TransformStep.Restore(Facts.EvaluationTransforms.Select(s => new TransformStep(s.Name, s.Values, s.Restorable)), Name);
            if (InputShape.Count != 3 || InputShape[1] < 1 || InputShape[2] < 1)
                throw new InvalidOperationException(
                    $"{Name} records no evaluation transforms and its input ({string.Join(", ", InputShape)}) has no fixed image size; "
                    + "give the pipeline yourself (Predict on a preprocessed batch) or save the model after fitting it on an image folder.");
            var steps = new List<Transform> { new Resize((int)InputShape[1], (int)InputShape[2]), new ToTensor() };
            if (Facts.NormalizationMean != null && Facts.NormalizationStd != null)
                steps.Add(new Normalize(Facts.NormalizationMean.ToArray(), Facts.NormalizationStd.ToArray()));
            return new Compose(steps.ToArray());
        }

        /// <summary>
        /// An image through <see cref="Preprocessing"/>, checked against the model's input: a tensor image of the input's
        /// shape. Decode images with <see cref="ImageChannels"/> channels (grey files become RGB, colour files grey, as PIL's convert).
        /// </summary>
        public ImageData Preprocess(ImageData image, string source)
        {
            ArgumentNullException.ThrowIfNull(image);
            if (image.Channels != ImageChannels)
                throw new ArgumentException($"{source} has {image.Channels} channels, {Name} takes {ImageChannels}; decode it with ImageData.Decode(..., channels: {ImageChannels}).", nameof(image));
            return Transform.CheckModelInput(Preprocessing.Apply(image, new Random(0)), source, Name, InputShape);
        }

        /// <summary>The <paramref name="top"/> most probable classes of an image file, decoded and preprocessed as in training.</summary>
        public IReadOnlyList<ClassScore> PredictImage(string path, int top = 5) => PredictImages(new[] { path }, top)[0];

        /// <summary>
        /// The most probable classes of an encoded image in memory (an upload): <paramref name="source"/> names it in
        /// errors; an image declaring more than <paramref name="maxPixels"/> pixels is refused before it is decoded.
        /// </summary>
        public IReadOnlyList<ClassScore> PredictImage(byte[] encoded, string source, int top = 5, long maxPixels = ImageData.DefaultMaxPixels) =>
            PredictBatch(new[] { Preprocess(ImageData.Decode(encoded, source, ImageChannels, maxPixels), source) }, top)[0];

        /// <summary>Image files as one batch: the most probable classes of each, in order.</summary>
        public IReadOnlyList<IReadOnlyList<ClassScore>> PredictImages(IReadOnlyList<string> paths, int top = 5)
        {
            ArgumentNullException.ThrowIfNull(paths);
            return PredictBatch(paths.Select(path => File.Exists(path)
                ? Preprocess(ImageData.Decode(path, ImageChannels), path)
                : throw new FileNotFoundException($"{path} does not exist; give an image file (PNG, JPEG, BMP, GIF or WebP).", path)).ToArray(), top);
        }

        /// <summary>Images already through <see cref="Preprocess"/>, of one size, as one batch: the most probable classes of each, in order.</summary>
        public IReadOnlyList<IReadOnlyList<ClassScore>> PredictImages(IReadOnlyList<ImageData> preprocessed, int top = 5) => PredictBatch(preprocessed, top);

        // Preprocessed images of one size (the model's, or the one its transforms give every image) as one batch.
        IReadOnlyList<IReadOnlyList<ClassScore>> PredictBatch(IReadOnlyList<ImageData> images, int top)
        {
            if (images.Count == 0)
                return Array.Empty<IReadOnlyList<ClassScore>>();
            var first = images[0];
            int per = first.Channels * first.Height * first.Width;
            var batch = new float[checked(per * images.Count)];
            for (int i = 0; i < images.Count; i++)
            {
                if (images[i].Height != first.Height || images[i].Width != first.Width)
                    throw new InvalidOperationException($"Images of one batch must have one size after preprocessing; add a resize to the transforms ({first.Height}x{first.Width} and {images[i].Height}x{images[i].Width}).");
                images[i].Pixels.CopyTo(batch, i * per);
            }
            return PredictClasses(batch, new long[] { images.Count, first.Channels, first.Height, first.Width }, top);
        }

        public void Dispose() => session.Dispose();
    }
}
