namespace CnnDsl.Generator
{
    /// <summary>Names of the generator's pipeline steps, so tests can check that each one is cached between runs.</summary>
    public static class TrackingNames
    {
        public const string RootNamespace = nameof(RootNamespace);
        public const string CnnFiles = nameof(CnnFiles);
        public const string ParsedFiles = nameof(ParsedFiles);
        public const string ProjectBlocks = nameof(ProjectBlocks);
        public const string CnnModels = nameof(CnnModels);
        public const string AttributeModels = nameof(AttributeModels);
        public const string BoundAttributeModels = nameof(BoundAttributeModels);
        public const string ModelNames = nameof(ModelNames);
        public const string ModelsToEmit = nameof(ModelsToEmit);
        public const string EmissionSpecs = nameof(EmissionSpecs);
        public const string BlockEmissionSpecs = nameof(BlockEmissionSpecs);

        public static readonly string[] All = { RootNamespace, CnnFiles, ParsedFiles, ProjectBlocks, CnnModels, AttributeModels, BoundAttributeModels, ModelNames, ModelsToEmit, EmissionSpecs, BlockEmissionSpecs };
    }
}
