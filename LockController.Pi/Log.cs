using IoTPlatform.DeviceProtocol;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Pi;

/// <summary>The controller's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "GNSS receiver {Device} opened")]
    public static partial void GnssOpened(ILogger logger, string device);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "GNSS receiver {Device} cannot be opened; next try in {Delay}")]
    public static partial void GnssOpenFailed(ILogger logger, string device, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "GNSS receiver {Device} went away; reopening in {Delay}")]
    public static partial void GnssLost(ILogger logger, string device, TimeSpan delay, Exception? exception);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "GNSS capture {Device} ended")]
    public static partial void GnssEnded(ILogger logger, string device);

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Clock disciplined by GNSS: offset {OffsetMs} ms")]
    public static partial void ClockTrusted(ILogger logger, double offsetMs);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "GNSS time disagrees with the disciplined clock by {DeltaMs} ms; clock no longer trusted until it settles")]
    public static partial void ClockJump(ILogger logger, double deltaMs);

    [LoggerMessage(EventId = 112, Level = LogLevel.Warning, Message = "GNSS time {GnssTime} is implausible (before {Minimum}); ignored")]
    public static partial void ClockImplausible(ILogger logger, DateTimeOffset gnssTime, DateTimeOffset minimum);

    // 200–249: hardware layer.

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Hardware started: {Mode} driver, {Kind} with {Locks} lock(s), battery from {Battery}")]
    public static partial void HardwareStarted(ILogger logger, string mode, string kind, int locks, string battery);

    [LoggerMessage(EventId = 201, Level = LogLevel.Critical, Message = "Hardware cannot start: {Reason}")]
    public static partial void HardwareFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 210, Level = LogLevel.Debug, Message = "Actuator on pin {Pin}: pulse {PulseMs} ms")]
    public static partial void ActuatorPulse(ILogger logger, int pin, double pulseMs);

    [LoggerMessage(EventId = 211, Level = LogLevel.Warning, Message = "Actuator on pin {Pin}: pulse cut short (cancelled or failed); pin set low")]
    public static partial void ActuatorInterrupted(ILogger logger, int pin);

    [LoggerMessage(EventId = 215, Level = LogLevel.Debug, Message = "Input on pin {Pin} settled {High}")]
    public static partial void InputSettled(ILogger logger, int pin, bool high);

    [LoggerMessage(EventId = 220, Level = LogLevel.Information, Message = "{Lock}: sensor confirms {State}")]
    public static partial void LockConfirmed(ILogger logger, string @lock, LockState state);

    [LoggerMessage(EventId = 221, Level = LogLevel.Warning, Message = "{Lock}: jammed: commanded {Target}, sensor still {Sensed} {TimeoutMs} ms after the pulse")]
    public static partial void LockJammed(ILogger logger, string @lock, LockState target, LockState sensed, double timeoutMs);

    [LoggerMessage(EventId = 222, Level = LogLevel.Information, Message = "{Lock}: sensor reads {State}")]
    public static partial void LockSensed(ILogger logger, string @lock, LockState state);

    [LoggerMessage(EventId = 223, Level = LogLevel.Information, Message = "{Lock}: already {State}; not actuated")]
    public static partial void LockAlreadyThere(ILogger logger, string @lock, LockState state);

    [LoggerMessage(EventId = 230, Level = LogLevel.Warning, Message = "Battery {Source}: read failed: {Error}; keeping the last good level")]
    public static partial void BatteryReadFailed(ILogger logger, string source, string error);

    [LoggerMessage(EventId = 231, Level = LogLevel.Information, Message = "Battery {Source}: reads good again")]
    public static partial void BatteryReadRecovered(ILogger logger, string source);

    // 250–269: store-and-forward outbox and the seq counter.

    [LoggerMessage(EventId = 250, Level = LogLevel.Information, Message = "Outbox {Directory} opened: {Records} record(s) to send ({Bytes} bytes in {Segments} segment(s)), fsync policy {Policy}")]
    public static partial void OutboxOpened(ILogger logger, string directory, int records, long bytes, int segments, string policy);

    [LoggerMessage(EventId = 251, Level = LogLevel.Warning, Message = "Outbox segment {Path}: torn or corrupt record at offset {Offset} ({Reason}); cut off {Bytes} byte(s), the records before it are kept")]
    public static partial void OutboxTornRecord(ILogger logger, string path, long offset, string reason, long bytes);

    [LoggerMessage(EventId = 252, Level = LogLevel.Warning, Message = "Outbox cursor {Path} is unreadable ({Reason}); every record still on disk will be sent again (the backend drops the duplicates)")]
    public static partial void OutboxCursorUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 253, Level = LogLevel.Warning, Message = "Outbox full ({Bytes} of {MaxBytes} bytes): dropping the oldest readings to make room; events and acks are kept while readings remain")]
    public static partial void OutboxFull(ILogger logger, long bytes, long maxBytes);

    [LoggerMessage(EventId = 254, Level = LogLevel.Warning, Message = "Outbox full and no reading left to drop: dropping the oldest events and acks")]
    public static partial void OutboxDroppingEvents(ILogger logger);

    [LoggerMessage(EventId = 255, Level = LogLevel.Information, Message = "Outbox back below half its bound ({Bytes} bytes); while full it dropped {Readings} reading(s), {Events} event(s), {Acks} ack(s)")]
    public static partial void OutboxDrained(ILogger logger, long bytes, long readings, long events, long acks);

    [LoggerMessage(EventId = 256, Level = LogLevel.Error, Message = "Outbox append to {Path} failed; the record is not queued")]
    public static partial void OutboxAppendFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 257, Level = LogLevel.Error, Message = "Outbox {Directory}: deferred fsync or cursor write failed; retried at the next interval")]
    public static partial void OutboxSyncFailed(ILogger logger, string directory, Exception exception);

    [LoggerMessage(EventId = 258, Level = LogLevel.Debug, Message = "Outbox segment {Path} rewritten without its {Removed} removed record(s): {Before} → {After} bytes")]
    public static partial void OutboxCompacted(ILogger logger, string path, int removed, long before, long after);

    [LoggerMessage(EventId = 260, Level = LogLevel.Information, Message = "Seq counter {Path}: resuming at {Next} (the persisted bound)")]
    public static partial void SeqOpened(ILogger logger, string path, long next);

    [LoggerMessage(EventId = 261, Level = LogLevel.Warning, Message = "Seq counter {Path} does not exist: starting at {Next} (first start, or the data directory was wiped)")]
    public static partial void SeqStartedFresh(ILogger logger, string path, long next);

    [LoggerMessage(EventId = 262, Level = LogLevel.Debug, Message = "Seq counter {Path}: reserved up to {Bound}")]
    public static partial void SeqReserved(ILogger logger, string path, long bound);

    [LoggerMessage(EventId = 263, Level = LogLevel.Critical, Message = "Seq counter {Path} is unreadable ({Reason}); refusing to start")]
    public static partial void SeqCorrupt(ILogger logger, string path, string reason);

    // 270–299: command executor, executed-command store, key cache, trusted clock.

    [LoggerMessage(EventId = 270, Level = LogLevel.Warning, Message = "Command payload refused ({Reason}): {Detail}; no ack (no id)")]
    public static partial void CommandUndecodable(ILogger logger, string reason, string detail);

    [LoggerMessage(EventId = 271, Level = LogLevel.Warning, Message = "Command {CommandId} invalid at {Field}: {Detail}")]
    public static partial void CommandInvalid(ILogger logger, string commandId, string field, string detail);

    [LoggerMessage(EventId = 272, Level = LogLevel.Warning, Message = "Command {CommandId}: signature refused (kid {Kid}: {Reason}); rejected bad-signature")]
    public static partial void CommandBadSignature(ILogger logger, string commandId, string kid, string reason);

    [LoggerMessage(EventId = 273, Level = LogLevel.Information, Message = "Command {CommandId} seen before: recorded acks ({Acks}) sent again, not actuated")]
    public static partial void CommandDuplicate(ILogger logger, string commandId, string acks);

    [LoggerMessage(EventId = 274, Level = LogLevel.Warning, Message = "Command {CommandId} ({Action}) rejected: {Reason}")]
    public static partial void CommandRejected(ILogger logger, string commandId, CommandAction action, string reason);

    [LoggerMessage(EventId = 275, Level = LogLevel.Information, Message = "Command {CommandId} ({Action}, slot {Slot}) accepted and recorded; actuating")]
    public static partial void CommandAccepted(ILogger logger, string commandId, CommandAction action, int? slot);

    [LoggerMessage(EventId = 276, Level = LogLevel.Information, Message = "Command {CommandId} ({Action}) done: sensor confirms {Lock}")]
    public static partial void CommandSucceeded(ILogger logger, string commandId, CommandAction action, LockState @lock);

    [LoggerMessage(EventId = 277, Level = LogLevel.Warning, Message = "Command {CommandId} ({Action}) failed: sensor reports {Lock}")]
    public static partial void CommandFailed(ILogger logger, string commandId, CommandAction action, LockState @lock);

    [LoggerMessage(EventId = 278, Level = LogLevel.Warning, Message = "Command {CommandId} ({Action}) was accepted before a restart without an outcome; not actuated again; sensor reads {Lock}: {Result}")]
    public static partial void CommandInterrupted(ILogger logger, string commandId, CommandAction action, LockState @lock, AckResult result);

    [LoggerMessage(EventId = 279, Level = LogLevel.Error, Message = "Command {CommandId}: the executed-command store cannot record it")]
    public static partial void CommandStoreFailed(ILogger logger, string commandId, Exception exception);

    [LoggerMessage(EventId = 280, Level = LogLevel.Warning, Message = "Command {CommandId}: {Stage} ack could not be sent; a repeat of the command gets it again")]
    public static partial void AckSendFailed(ILogger logger, string commandId, string stage, Exception exception);

    [LoggerMessage(EventId = 281, Level = LogLevel.Error, Message = "Command {CommandId}: actuation failed in the GPIO layer")]
    public static partial void CommandActuationError(ILogger logger, string commandId, Exception exception);

    [LoggerMessage(EventId = 282, Level = LogLevel.Warning, Message = "Executed-command store could not be pruned")]
    public static partial void CommandStorePruneFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 285, Level = LogLevel.Information, Message = "Executed-command store {Path}: {Entries} id(s), {Unfinished} without an outcome")]
    public static partial void StoreLoaded(ILogger logger, string path, int entries, int unfinished);

    [LoggerMessage(EventId = 286, Level = LogLevel.Warning, Message = "Executed-command store {Path}: torn tail at byte {Offset}; {Dropped} byte(s) cut off")]
    public static partial void StoreTornTail(ILogger logger, string path, long offset, long dropped);

    [LoggerMessage(EventId = 287, Level = LogLevel.Warning, Message = "Executed-command store {Path}: unreadable record at byte {Offset} skipped")]
    public static partial void StoreRecordUnreadable(ILogger logger, string path, long offset);

    [LoggerMessage(EventId = 288, Level = LogLevel.Information, Message = "Executed-command store pruned {Removed} id(s); {Remaining} kept")]
    public static partial void StorePruned(ILogger logger, int removed, int remaining);

    [LoggerMessage(EventId = 290, Level = LogLevel.Information, Message = "Command-signing keys from {Source}: kids {Kids}, current {Current}")]
    public static partial void KeySetLoaded(ILogger logger, string source, string kids, string current);

    [LoggerMessage(EventId = 291, Level = LogLevel.Warning, Message = "Command-signing keys: fetching {Uri} failed: {Reason}")]
    public static partial void KeySetFetchFailed(ILogger logger, string uri, string reason);

    [LoggerMessage(EventId = 292, Level = LogLevel.Warning, Message = "Command-signing keys from {Source} refused: {Reason}")]
    public static partial void KeySetInvalid(ILogger logger, string source, string reason);

    [LoggerMessage(EventId = 293, Level = LogLevel.Warning, Message = "Command-signing keys could not be saved to {Path}")]
    public static partial void KeySetPersistFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 294, Level = LogLevel.Information, Message = "Command names unknown kid {Kid}; refreshing the key set: {Refreshing}")]
    public static partial void KeySetUnknownKid(ILogger logger, string kid, bool refreshing);

    [LoggerMessage(EventId = 296, Level = LogLevel.Information, Message = "Clock source: {From} -> {To}")]
    public static partial void ClockSource(ILogger logger, ClockState? from, ClockState to);

    // 300–349: agent (host, MQTT, telemetry).

    [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "Reading {Seq} appended (fix {Fix}, active {Active})")]
    public static partial void ReadingAppended(ILogger logger, long seq, int fix, bool active);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Event {Type} appended as seq {Seq}")]
    public static partial void EventAppended(ILogger logger, string type, long seq);

    [LoggerMessage(EventId = 302, Level = LogLevel.Error, Message = "A {Kind} could not be appended to the outbox; it is lost")]
    public static partial void AppendFailed(ILogger logger, string kind, Exception exception);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "No GNSS receiver configured (Gnss:Port or Gnss:File): readings go without a position")]
    public static partial void GnssNotConfigured(ILogger logger);

    [LoggerMessage(EventId = 304, Level = LogLevel.Information, Message = "GNSS reading stopped: {Accepted} sentences, {Fixes} fixes, {Rejected} lines not used")]
    public static partial void GnssStopped(ILogger logger, long accepted, long fixes, long rejected);

    [LoggerMessage(EventId = 305, Level = LogLevel.Error, Message = "{Kind} seq {Seq} is not valid and is not sent: {Error}")]
    public static partial void PayloadInvalid(ILogger logger, string kind, long seq, string error);

    [LoggerMessage(EventId = 306, Level = LogLevel.Error, Message = "Ack {Stage} of command {CommandId} is not valid and is not sent: {Error}")]
    public static partial void AckInvalid(ILogger logger, string stage, string commandId, string error);

    [LoggerMessage(EventId = 310, Level = LogLevel.Warning, Message = "Connected, but publishing the status or subscribing failed; reconnecting")]
    public static partial void MqttAnnounceFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 311, Level = LogLevel.Information, Message = "Connected to {Broker} as {DeviceId}: status online, subscribed to commands")]
    public static partial void MqttConnected(ILogger logger, string broker, string deviceId);

    [LoggerMessage(EventId = 312, Level = LogLevel.Warning, Message = "Disconnected from the broker ({Reason}): {Detail}")]
    public static partial void MqttDisconnected(ILogger logger, string reason, string detail);

    [LoggerMessage(EventId = 313, Level = LogLevel.Warning, Message = "The broker refused the status message: {ReasonCode} {ReasonString}")]
    public static partial void MqttStatusRefused(ILogger logger, string reasonCode, string reasonString);

    [LoggerMessage(EventId = 314, Level = LogLevel.Error, Message = "The broker refused the subscription to {Topic}: {ResultCode}; commands cannot arrive")]
    public static partial void MqttSubscribeRefused(ILogger logger, string topic, string resultCode);

    [LoggerMessage(EventId = 315, Level = LogLevel.Error, Message = "The broker {Broker} refused device {DeviceId}: {ResultCode} (check Device:Id and Device:Secret); next try in {Delay}")]
    public static partial void MqttIdentityRefused(ILogger logger, string broker, string deviceId, string resultCode, TimeSpan delay);

    [LoggerMessage(EventId = 316, Level = LogLevel.Warning, Message = "Connect to {Broker} failed (attempt {Attempt}): {Reason}; next try in {Delay}")]
    public static partial void MqttConnectFailed(ILogger logger, string broker, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 317, Level = LogLevel.Warning, Message = "Message on unexpected topic {Topic} ignored")]
    public static partial void MqttUnexpectedMessage(ILogger logger, string topic);

    [LoggerMessage(EventId = 318, Level = LogLevel.Information, Message = "Status offline published; disconnected cleanly")]
    public static partial void MqttOffline(ILogger logger);

    [LoggerMessage(EventId = 319, Level = LogLevel.Warning, Message = "Could not say goodbye to the broker ({Reason}); the last will covers it")]
    public static partial void MqttOfflineFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 320, Level = LogLevel.Warning, Message = "The broker rejected {Kind} record {RecordId}: {ReasonCode} {ReasonString}; removed, not retried")]
    public static partial void RecordRejected(ILogger logger, string kind, long recordId, string reasonCode, string reasonString);

    [LoggerMessage(EventId = 321, Level = LogLevel.Warning, Message = "The backend withheld {Kind} record {RecordId} (quota exceeded, 0x97); sending again in {Delay}")]
    public static partial void RecordWithheld(ILogger logger, string kind, long recordId, TimeSpan delay);

    [LoggerMessage(EventId = 322, Level = LogLevel.Information, Message = "Sending {Kind} record {RecordId} failed ({Reason}); kept for the next connection")]
    public static partial void PublishFailed(ILogger logger, string kind, long recordId, string reason);

    [LoggerMessage(EventId = 323, Level = LogLevel.Debug, Message = "{Kind} record {RecordId} acknowledged (reason code {ReasonCode})")]
    public static partial void RecordSent(ILogger logger, string kind, long recordId, int reasonCode);

    [LoggerMessage(EventId = 330, Level = LogLevel.Error, Message = "Executing a command failed")]
    public static partial void CommandFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 340, Level = LogLevel.Information, Message = "Lock controller {DeviceId} started: firmware {Fw}, boot reason {BootReason}, broker {Broker}, data in {DataDir}")]
    public static partial void AgentStarted(ILogger logger, string deviceId, string fw, string bootReason, string broker, string dataDir);

    [LoggerMessage(EventId = 341, Level = LogLevel.Information, Message = "Lock controller stopped cleanly")]
    public static partial void AgentStopped(ILogger logger);
}
