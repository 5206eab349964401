using BenchmarkDotNet.Running;
using IoTPlatform.Gateway.Bench;

// Two tools in one program: "connect-storm" runs the real gateway under a CONNECT storm; anything
// else goes to BenchmarkDotNet (e.g. --filter '*SecretBenchmarks*' --job short).
if (args is ["connect-storm", .. var stormArgs])
{
    return await ConnectStorm.RunAsync(stormArgs);
}

BenchmarkSwitcher.FromAssembly(typeof(SecretBenchmarks).Assembly).Run(args);
return 0;
