using System.Diagnostics;
using System.Text;

namespace Certification.TestSupport.ExternalTools;

/// <summary>A process started by <see cref="ExternalTool.Start"/>; disposing kills it if still running.</summary>
public sealed class RunningProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Result)> _lineWaiters = [];

    internal RunningProcess(ProcessStartInfo info)
    {
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (_stdout)
            {
                _stdout.AppendLine(e.Data);
                foreach (var waiter in _lineWaiters.Where(w => w.Match(e.Data)).ToList())
                {
                    waiter.Result.TrySetResult(e.Data);
                    _lineWaiters.Remove(waiter);
                }
            }
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.Exited += (_, _) =>
        {
            lock (_stdout)
            {
                foreach (var waiter in _lineWaiters)
                    waiter.Result.TrySetException(new InvalidOperationException(
                        $"The process exited (code {_process.ExitCode}) before printing the expected line.\nstdout:\n{StdOut}\nstderr:\n{StdErr}"));
                _lineWaiters.Clear();
            }
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _process.StandardInput.Close();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string StdOut { get { lock (_stdout) return _stdout.ToString(); } }

    public string StdErr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>Waits for a line of standard output that satisfies <paramref name="match"/>; returns it.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var result = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_stdout)
        {
            var existing = _stdout.ToString().Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(match);
            if (existing is not null)
                return existing;
            if (_process.HasExited)
                throw new InvalidOperationException($"The process exited (code {_process.ExitCode}).\nstdout:\n{_stdout}\nstderr:\n{StdErr}");
            _lineWaiters.Add((match, result));
        }
        var finished = await Task.WhenAny(result.Task, Task.Delay(timeout));
        if (finished != result.Task)
            throw new TimeoutException($"No matching line within {timeout.TotalSeconds:0.#} s.\nstdout:\n{StdOut}\nstderr:\n{StdErr}");
        return await result.Task;
    }

    /// <summary>Waits for the process to exit; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The process did not exit within {timeout.TotalSeconds:0.#} s.\nstdout:\n{StdOut}\nstderr:\n{StdErr}");
        }
        return _process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
