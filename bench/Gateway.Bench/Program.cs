using BenchmarkDotNet.Running;
using IoTPlatform.Gateway.Bench;

// Four tools in one program: "connect-storm" runs the real gateway under a CONNECT storm, "ingest" under
// durable QoS 1 telemetry load, "commands" under riders' unlock/lock commands; anything else goes to
// BenchmarkDotNet (e.g. --filter '*SecretBenchmarks*' --job short).
if (args is ["connect-storm", .. var stormArgs])
{
    return await ConnectStorm.RunAsync(stormArgs);
}

if (args is ["ingest", .. var ingestArgs])
{
    return await IngestBench.RunAsync(ingestArgs);
}

if (args is ["commands", .. var commandArgs])
{
    return await CommandBench.RunAsync(commandArgs);
}

BenchmarkSwitcher.FromAssembly(typeof(SecretBenchmarks).Assembly).Run(args);
return 0;
