using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.LockController.Pi.Agent.Outbox;

/// <summary>One queued message: its outbox id (increasing in append order), its topic and its payload exactly as appended.</summary>
public sealed record OutboxRecord(long Id, TopicKind Kind, byte[] Payload);
