using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using static TorchSharp.torch;

namespace CnnDsl.Data
{
    /// <summary>
    /// Reads a batch source in batches, as PyTorch's DataLoader: in order or in a seeded shuffle per epoch, on the
    /// calling thread (<see cref="Workers"/> = 0) or on N threads that read, decode and augment batches ahead of the
    /// consumer. A batch's content depends only on the source, the order, the seed and the epoch, never on the number
    /// of workers, so 0 and 2 workers give identical batches.
    /// </summary>
    public sealed class BatchLoader
    {
        public BatchLoader(IBatchSource source, int batchSize, bool shuffle = false, int seed = 0, int workers = 0)
        {
            if (batchSize < 1)
                throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
            if (workers < 0)
                throw new ArgumentOutOfRangeException(nameof(workers), workers, "Workers must be 0 (read on the calling thread) or more.");
            Source = source;
            BatchSize = batchSize;
            Shuffle = shuffle;
            Seed = seed;
            Workers = workers;
        }

        public IBatchSource Source { get; }
        public int BatchSize { get; }
        public bool Shuffle { get; }
        public int Seed { get; }
        public int Workers { get; }

        /// <summary>
        /// Worker threads copy each batch into page-locked memory, so that its copy to a CUDA device can overlap the
        /// training step (PyTorch's pin_memory). Only for CUDA devices; ignored without workers.
        /// </summary>
        public bool PinMemory { get; init; }

        /// <summary>How many batches each worker may have ready ahead of the consumer.</summary>
        public int PrefetchFactor { get; init; } = 2;

        /// <summary>Seconds the consumer spent waiting for batches in the last epoch read.</summary>
        public double WaitSeconds { get; private set; }

        /// <summary>The sample order of an epoch: a function of the seed and the epoch, as <c>Fit</c> shuffles.</summary>
        public long[] Order(int epoch) =>
            Shuffle ? Dataset.Shuffled(Source.Count, unchecked(Seed * 7919 + epoch)) : Enumerable.Range(0, (int)Source.Count).Select(i => (long)i).ToArray();

        /// <summary>
        /// The batches of one epoch. A batch's tensors belong to the loader: they stay valid until the next batch is
        /// asked for (or, read on the calling thread, until the caller's dispose scope ends).
        /// </summary>
        public IEnumerable<(Tensor Inputs, Tensor Targets)> Epoch(int epoch, bool training = true) =>
            Read(Order(epoch), new BatchContext(training, Seed, epoch));

        internal IEnumerable<(Tensor Inputs, Tensor Targets)> Read(long[] order, BatchContext context)
        {
            WaitSeconds = 0;
            var batches = Enumerable.Range(0, (order.Length + BatchSize - 1) / BatchSize)
                .Select(b => order.AsSpan(b * BatchSize, Math.Min(BatchSize, order.Length - b * BatchSize)).ToArray()).ToArray();
            return Workers == 0 ? ReadHere(batches, context) : ReadAhead(batches, context);
        }

        IEnumerable<(Tensor, Tensor)> ReadHere(long[][] batches, BatchContext context)
        {
            foreach (var indices in batches)
            {
                long start = Stopwatch.GetTimestamp();
                var batch = Source.GetBatch(indices, context);
                WaitSeconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
                yield return batch;
            }
        }

        IEnumerable<(Tensor, Tensor)> ReadAhead(long[][] batches, BatchContext context)
        {
            var ready = batches.Select(_ => new TaskCompletionSource<(Tensor, Tensor)>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
            using var room = new SemaphoreSlim(Workers * PrefetchFactor);
            using var stop = new CancellationTokenSource();
            int next = -1;
            void Work()
            {
                try
                {
                    while (true)
                    {
                        room.Wait(stop.Token);
                        int b = Interlocked.Increment(ref next);
                        if (b >= batches.Length)
                            return;
                        try
                        {
                            var batch = Source.GetBatch(batches[b], context);
                            if (PinMemory)
                                batch = (Pinned(batch.Inputs), Pinned(batch.Targets));
                            ready[b].SetResult(batch);
                        }
                        catch (Exception exception)
                        {
                            ready[b].SetException(exception);
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }
            var threads = Enumerable.Range(0, Workers).Select(i => new Thread(Work) { IsBackground = true, Name = $"CnnDsl loader {i}" }).ToList();
            threads.ForEach(t => t.Start());
            (Tensor X, Tensor Y)? previous = null;
            int consumed = 0;
            try
            {
                for (int b = 0; b < batches.Length; b++, consumed++)
                {
                    long start = Stopwatch.GetTimestamp();
                    // GetAwaiter().GetResult() rethrows a worker's exception as it was (naming the file), not wrapped.
                    var batch = ready[b].Task.GetAwaiter().GetResult();
                    WaitSeconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
                    Dispose(previous);
                    previous = batch;
                    room.Release();
                    yield return batch;
                }
            }
            finally
            {
                Dispose(previous);
                stop.Cancel();
                threads.ForEach(t => t.Join());
                // Batches read ahead but never handed out.
                for (int b = consumed + 1; b < ready.Length; b++)
                    if (ready[b].Task.IsCompletedSuccessfully)
                        Dispose(ready[b].Task.Result);
            }
        }

        static Tensor Pinned(Tensor tensor)
        {
            var pinned = tensor.pin_memory();
            tensor.Dispose();
            return pinned;
        }

        static void Dispose((Tensor X, Tensor Y)? batch)
        {
            batch?.X.Dispose();
            batch?.Y.Dispose();
        }
    }
}
