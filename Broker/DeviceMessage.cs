using System.Buffers;
using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.Broker;

/// <summary>A publish from an authenticated device to one of its own topics, after the ACL let it through.</summary>
public sealed record DeviceMessage(string DeviceId, TopicKind Kind, ReadOnlySequence<byte> Payload, bool Retain);
