using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace CnnDsl.Dsl
{
    /// <summary>Compares by identity: equal records from two places of a block are still two places (netstandard2.0 lacks the BCL one); the binder and the emitter both walk shared records by identity.</summary>
    public sealed class ReferenceEqualityComparer : IEqualityComparer<object>
    {
        public static ReferenceEqualityComparer Instance { get; } = new ReferenceEqualityComparer();

        public new bool Equals(object? x, object? y) => ReferenceEquals(x, y);

        public int GetHashCode(object obj) => RuntimeHelpers.GetHashCode(obj);
    }
}
