return await Certification.Cli.CommandLine.RunAsync(args);
