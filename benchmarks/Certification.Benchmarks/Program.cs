using BenchmarkDotNet.Running;
using Certification.Benchmarks;

// "peak-memory ..." measures peak resident memory in this process; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "peak-memory") return await PeakMemory.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "issue-time") return await IssueTime.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "verify-vs-pdfsig") return await ValidationProcessComparison.RunAsync(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
