using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace Certification.Cli;

/// <summary>
/// A file's bytes as <see cref="ReadOnlyMemory{T}"/> straight from the page cache (a read-only memory
/// map), so verifying a 30 MB copy does not first copy it into a 30 MB array. Empty files, which cannot
/// be mapped, are read normally.
/// </summary>
public sealed unsafe class MappedFile : MemoryManager<byte>
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _pointer;
    private readonly int _length;
    private readonly byte[]? _copy;

    private MappedFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length == 0)
        {
            _copy = [];
            return;
        }
        if (stream.Length > int.MaxValue) throw new IOException($"'{path}' is larger than 2 GB");
        _length = (int)stream.Length;
        _map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        _view = _map.CreateViewAccessor(0, _length, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _pointer = pointer + _view.PointerOffset;
    }

    public static MappedFile Open(string path) => new(path);

    public ReadOnlyMemory<byte> Bytes => _copy ?? Memory;

    public override Span<byte> GetSpan() => _copy ?? new Span<byte>(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (_view is null) return;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map?.Dispose();
    }
}
