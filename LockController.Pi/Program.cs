using System.CommandLine;
using IoTPlatform.LockController.Pi.Cli;

return await CommandLineApp.CreateRoot().Parse(args).InvokeAsync();
