using Xunit;

// libtorch's random generator is global: tests that seed it must not run at the same time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
