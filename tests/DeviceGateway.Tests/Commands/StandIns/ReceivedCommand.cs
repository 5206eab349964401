using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.DeviceGateway.Tests.Commands.StandIns;

/// <summary>One delivery on <c>v1/devices/{id}/commands</c> as a stand-in got it: the decoded command, the raw payload, when, and on which of its connections (1 = first).</summary>
public sealed record ReceivedCommand(DeviceCommand Command, string Payload, DateTimeOffset ReceivedAt, int Connection);
