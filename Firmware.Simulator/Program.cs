using System.CommandLine;
using IoTPlatform.Firmware.Simulator;

return await SimulatorCommand.Create().Parse(args).InvokeAsync();
