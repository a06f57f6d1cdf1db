using System.Buffers;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Certification.Signing.Pdf.Writing;

/// <summary>
/// A PDF that grows by incremental updates (ISO 32000-1 § 7.5.6): each revision is appended and nothing
/// before it is ever rewritten. <see cref="InMemory"/> keeps the bytes in an array; <see cref="OnDisk"/>
/// appends to a file and reads its structure through a memory map, so signing a 30 MB scan set keeps
/// only the few pages the parser touches resident, and digests stream the file instead of mapping it.
/// </summary>
public abstract class IncrementalPdf : IDisposable
{
    /// <summary>Length of the file as it stands, in bytes.</summary>
    public abstract long Length { get; }

    /// <summary>The document as it stands, parsed. The result stays readable until this object is disposed.</summary>
    public abstract PdfFile Open();

    /// <summary>Feeds the whole file as it stands to <paramref name="digest"/>.</summary>
    public abstract void HashInto(IncrementalHash digest);

    /// <summary>Appends a revision (an incremental update's bytes).</summary>
    public abstract void Append(ReadOnlySpan<byte> revision);

    public static InMemoryPdf InMemory(ReadOnlyMemory<byte> pdf) => new(pdf);

    /// <summary>A PDF file open for reading and writing; appended revisions go to its end. The caller owns the stream.</summary>
    public static IncrementalPdf OnDisk(FileStream file) => new FilePdf(file);

    /// <summary>SHA-256 of the file as it stands.</summary>
    public byte[] Sha256()
    {
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        HashInto(digest);
        return digest.GetHashAndReset();
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>An <see cref="IncrementalPdf"/> held in one array (a new one per appended revision).</summary>
public sealed class InMemoryPdf(ReadOnlyMemory<byte> pdf) : IncrementalPdf
{
    public ReadOnlyMemory<byte> Bytes { get; private set; } = pdf;

    public override long Length => Bytes.Length;

    public override PdfFile Open() => PdfFile.Open(Bytes);

    public override void HashInto(IncrementalHash digest) => digest.AppendData(Bytes.Span);

    public override void Append(ReadOnlySpan<byte> revision)
    {
        var grown = new byte[Bytes.Length + revision.Length];
        Bytes.Span.CopyTo(grown);
        revision.CopyTo(grown.AsSpan(Bytes.Length));
        Bytes = grown;
    }

    /// <summary>The bytes as an array, without a copy when they already are one.</summary>
    public byte[] ToArray() =>
        MemoryMarshal.TryGetArray(Bytes, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length ? segment.Array : Bytes.ToArray();
}

/// <summary>An <see cref="IncrementalPdf"/> in a file: parsed through read-only memory maps (kept until
/// disposal, because parsed objects point into them), hashed by streaming reads.</summary>
internal sealed class FilePdf : IncrementalPdf
{
    private const int ReadChunk = 1 << 20;
    private readonly FileStream _file;
    private readonly List<IDisposable> _maps = [];

    public FilePdf(FileStream file)
    {
        if (!file.CanRead || !file.CanWrite || !file.CanSeek) throw new ArgumentException("The PDF file must be open for reading and writing", nameof(file));
        _file = file;
    }

    public override long Length => _file.Length;

    public override PdfFile Open()
    {
        _file.Flush();
        var length = _file.Length;
        if (length > int.MaxValue) throw new PdfFormatException("The file is larger than 2 GiB");
        var map = MemoryMappedFile.CreateFromFile(_file, null, length, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        _maps.Add(map);
        var view = new MappedView(map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read), (int)length);
        _maps.Add(view);
        return PdfFile.Open(view.Memory);
    }

    public override void HashInto(IncrementalHash digest)
    {
        _file.Flush();
        var buffer = ArrayPool<byte>.Shared.Rent(ReadChunk);
        try
        {
            long offset = 0;
            int read;
            while ((read = RandomAccess.Read(_file.SafeFileHandle, buffer.AsSpan(0, ReadChunk), offset)) > 0)
            {
                digest.AppendData(buffer, 0, read);
                offset += read;
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    public override void Append(ReadOnlySpan<byte> revision)
    {
        _file.Seek(0, SeekOrigin.End);
        _file.Write(revision);
        _file.Flush();
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        for (var i = _maps.Count - 1; i >= 0; i--) _maps[i].Dispose();
        _maps.Clear();
    }

    /// <summary>A mapped view as <see cref="Memory{T}"/>.</summary>
    private sealed unsafe class MappedView : MemoryManager<byte>
    {
        private readonly MemoryMappedViewAccessor _view;
        private readonly byte* _pointer;
        private readonly int _length;

        public MappedView(MemoryMappedViewAccessor view, int length)
        {
            _view = view;
            _length = length;
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            _pointer = pointer + view.PointerOffset;
        }

        public override Span<byte> GetSpan() => new(_pointer, _length);

        public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
    }
}
