namespace Certification.Cli;

/// <summary>Dispatches the verbs; each verb lives in its own file.</summary>
public static class CommandLine
{
    public static Task<int> RunAsync(string[] args)
    {
        if (args.Length > 0 && args[0] == "verify") return VerifyCommand.RunAsync(args[1..]);
        Console.Error.WriteLine("usage: certification <pki|sign|verify|certify> ...");
        return Task.FromResult(4);
    }
}
