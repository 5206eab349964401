namespace IoTPlatform.Broker.Transport;

/// <summary>Why <see cref="PacketSizeGuard"/> ended a connection, with the remaining length the packet announced.</summary>
public sealed record PacketViolation(string Reason, long AnnouncedLength);
