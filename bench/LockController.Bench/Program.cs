using BenchmarkDotNet.Running;
using IoTPlatform.LockController.Bench;

BenchmarkSwitcher.FromAssembly(typeof(NmeaParserBenchmarks).Assembly).Run(args);
