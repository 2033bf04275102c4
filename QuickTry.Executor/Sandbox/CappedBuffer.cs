namespace QuickTry.Executor.Sandbox;

/// <summary>Bytes kept up to a fixed maximum; what arrives beyond it is counted, not stored.</summary>
internal sealed class CappedBuffer(int max)
{
    private byte[] _bytes = new byte[Math.Min(max, 4096)];

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
            Array.Resize(ref _bytes, (int)Math.Min(Max, Math.Max((long)_bytes.Length * 2, Length + take)));
        }
        data[..take].CopyTo(_bytes.AsSpan(Length));
        Length += take;
    }

    /// <summary>Drops everything after the first <paramref name="length"/> bytes.</summary>
    public void Shorten(int length) => Length = Math.Min(Length, Math.Max(0, length));

    public bool EndsWith(ReadOnlySpan<byte> suffix) => Span.EndsWith(suffix);
}
