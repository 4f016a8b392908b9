using System;
using System.IO;
using System.Security.Cryptography;

namespace CnnDsl.Weights
{
    /// <summary>Passes writes through to another stream and computes the SHA-256 of everything written.</summary>
    internal sealed class HashingStream : Stream
    {
        readonly Stream inner;
        readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public HashingStream(Stream inner) => this.inner = inner;

        /// <summary>The SHA-256 of the bytes written so far.</summary>
        public byte[] Hash() => hash.GetCurrentHash();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            hash.AppendData(buffer);
            inner.Write(buffer);
        }

        public override void WriteByte(byte value) => Write(new ReadOnlySpan<byte>(in value));

        public override void Flush() => inner.Flush();

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                hash.Dispose();
            base.Dispose(disposing);
        }
    }
}
