namespace Certification.Signing.Tests.Revocation;

/// <summary>Counts the exchanges that reach the responder; <see cref="Hold"/> keeps them waiting until <see cref="Release"/>.</summary>
internal sealed class CountingHandler(HttpMessageHandler? inner = null) : DelegatingHandler(inner ?? new HttpClientHandler())
{
    private int _count;
    private TaskCompletionSource _gate = Released();

    public int Count => Volatile.Read(ref _count);

    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate.TrySetResult();

    private static TaskCompletionSource Released()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        Interlocked.Increment(ref _count);
        await _gate.Task;
        return await base.SendAsync(request, ct);
    }
}
