using System.Collections.Concurrent;

namespace CnnDsl.Vision
{
    /// <summary>
    /// Arrays of one exact length for images that a loader makes and drops once per sample (e.g. every 3x224x224
    /// crop): reused rather than allocated, since arrays that size live on the large-object heap and each one brings a
    /// full garbage collection closer, which stops every loader thread. An array not returned is simply collected.
    /// </summary>
    internal static class ImageBuffers
    {
        const int KeptPerLength = 64, Lengths = 8;
        static readonly ConcurrentDictionary<int, ConcurrentQueue<byte[]>> free = new();

        public static byte[] Rent(int length) =>
            free.TryGetValue(length, out var queue) && queue.TryDequeue(out var array) ? array : new byte[length];

        public static void Return(byte[] array)
        {
            if (!free.TryGetValue(array.Length, out var queue))
            {
                if (free.Count >= Lengths)
                    return;
                queue = free.GetOrAdd(array.Length, _ => new ConcurrentQueue<byte[]>());
            }
            if (queue.Count < KeptPerLength)
                queue.Enqueue(array);
        }
    }
}
