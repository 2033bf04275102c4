using System.Buffers;

namespace QuickTry.Sandbox.Containers;

/// <summary>
/// Bytes kept up to a fixed maximum; what arrives beyond it is counted, not stored. The storage is rented
/// from the shared array pool, so output of one run after another reuses the same memory: return it
/// with <see cref="Dispose"/>.
/// </summary>
internal sealed class CappedBuffer(int max) : IDisposable
{
    private byte[] _bytes = ArrayPool<byte>.Shared.Rent(Math.Min(max, 4096));

    public int Max { get; } = max;
    public int Length { get; private set; }

    /// <summary>Bytes offered in total, kept or not.</summary>
    public long Offered { get; private set; }

    public bool Overflowed => Offered > Length;

    public ReadOnlySpan<byte> Span => _bytes.AsSpan(0, Length);

    public void Append(ReadOnlySpan<byte> data)
    {
        Offered += data.Length;
        var take = Math.Min(data.Length, Max - Length);
        if (take <= 0)
        {
            return;
        }
        if (Length + take > _bytes.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Max, Math.Max((long)_bytes.Length * 2, Length + take)));
            _bytes.AsSpan(0, Length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = larger;
        }
        data[..take].CopyTo(_bytes.AsSpan(Length));
        Length += take;
    }

    /// <summary>Drops everything after the first <paramref name="length"/> bytes.</summary>
    public void Shorten(int length) => Length = Math.Min(Length, Math.Max(0, length));

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_bytes);
        _bytes = [];
        Length = 0;
    }
}
