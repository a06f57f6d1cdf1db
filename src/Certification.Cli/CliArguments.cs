namespace Certification.Cli;

/// <summary>A usage error: printed as one line, exit code 4.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Minimal POSIX-style parsing: positionals, "--name value" options (repeatable) and flags.</summary>
public sealed class CliArguments
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public CliArguments(IEnumerable<string> args, IReadOnlySet<string> valueOptions, IReadOnlySet<string> flagOptions)
    {
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var arg = e.Current;
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var name = arg[2..];
                string? inline = null;
                var eq = name.IndexOf('=');
                if (eq >= 0) { inline = name[(eq + 1)..]; name = name[..eq]; }
                if (flagOptions.Contains(name)) { _flags.Add(name); continue; }
                if (!valueOptions.Contains(name)) throw new UsageException($"Unknown option --{name}");
                var value = inline ?? (e.MoveNext() ? e.Current : throw new UsageException($"Option --{name} needs a value"));
                if (!_options.TryGetValue(name, out var list)) _options[name] = list = [];
                list.Add(value);
            }
            else Positionals.Add(arg);
        }
    }

    public List<string> Positionals { get; } = [];

    public bool Flag(string name) => _flags.Contains(name);

    public string? Value(string name) => _options.TryGetValue(name, out var list) ? list[^1] : null;

    public IReadOnlyList<string> Values(string name) => _options.TryGetValue(name, out var list) ? list : [];

    public string Required(string name) => Value(name) ?? throw new UsageException($"Missing required option --{name}");

    public string Positional(int index, string what) =>
        index < Positionals.Count ? Positionals[index] : throw new UsageException($"Missing {what}");

    /// <summary>PKCS#12 passwords never come from argv (they would show in process lists and shell history).</summary>
    public static string Pkcs12Password() =>
        Environment.GetEnvironmentVariable("CERTIFICATION_P12_PASSWORD") is { Length: > 0 } password
            ? password
            : throw new UsageException("Set the PKCS#12 password in the environment variable CERTIFICATION_P12_PASSWORD");
}
