using System.Collections.Concurrent;
using System.Text;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Agent;
using IoTPlatform.LockController.Pi.Agent.Mqtt;
using IoTPlatform.LockController.Pi.Agent.Outbox;
using OutboxQueue = IoTPlatform.LockController.Pi.Agent.Outbox.Outbox;
using IoTPlatform.LockController.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using MQTTnet;
using MQTTnet.Exceptions;

namespace IoTPlatform.LockController.Tests.Agent;

/// <summary>
/// The sender over a real outbox in a temp folder; the MQTT client is the seam (a mock answering each PUBLISH with
/// the reason code a broker would). Removed on every PUBACK but 0x97; in order; kept across a dropped connection.
/// </summary>
[TestFixture]
public sealed class OutboxSenderTests
{
    private const string DeviceId = "bike-0001";
    private static readonly TimeSpan RealWait = TimeSpan.FromSeconds(5);

    private string _dir = null!;
    private FakeTimeProvider _time = null!;
    private OutboxQueue _outbox = null!;
    private Mock<IMqttClient> _client = null!;
    private MqttLink _link = null!;
    private RecordingLogger<OutboxSender> _log = null!;
    private OutboxSender _sender = null!;
    private ConcurrentQueue<(string Topic, string Payload)> _published = null!;
    private Func<string, MqttClientPublishResult> _answer = null!;

    [SetUp]
    public async Task SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("lockctl-sender-").FullName;
        _time = new FakeTimeProvider();
        _outbox = OutboxQueue.Open(_dir, new OutboxOptions(), _time, new RecordingLogger<OutboxQueue>());
        _published = new();
        _answer = _ => Result(MqttClientPublishReasonCode.Success);
        _client = new Mock<IMqttClient>();
        _client.SetupGet(c => c.IsConnected).Returns(true);
        _client.Setup(c => c.PublishAsync(It.IsAny<MqttApplicationMessage>(), It.IsAny<CancellationToken>()))
            .Returns((MqttApplicationMessage m, CancellationToken _) =>
            {
                string payload = Encoding.UTF8.GetString(m.Payload);
                _published.Enqueue((m.Topic, payload));
                return Task.FromResult(_answer(payload));
            });
        _link = new MqttLink(_client.Object);
        _log = new RecordingLogger<OutboxSender>();
        _sender = new OutboxSender(_outbox, _link, Options.Create(new DeviceOptions { Id = DeviceId, Secret = "s" }),
            Options.Create(new MqttOptions { QuotaRetryDelayMilliseconds = 1000, QuotaRetryMaxDelayMilliseconds = 8000 }), _time, _log);
        await _sender.StartAsync(CancellationToken.None);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _sender.StopAsync(CancellationToken.None);
        _sender.Dispose();
        _link.Dispose();
        _outbox.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static MqttClientPublishResult Result(MqttClientPublishReasonCode code) => new(1, code, code == MqttClientPublishReasonCode.Success ? null : "refused", []);

    private async Task AppendAsync(TopicKind kind, params string[] payloads)
    {
        foreach (string payload in payloads)
            await _outbox.AppendAsync(kind, Encoding.UTF8.GetBytes(payload), CancellationToken.None);
    }

    private string[] PublishedPayloads => [.. _published.Select(p => p.Payload)];

    [Test]
    public async Task Nothing_is_sent_before_the_link_is_connected_then_everything_in_order_on_its_topic()
    {
        await AppendAsync(TopicKind.Telemetry, "r1");
        await AppendAsync(TopicKind.Events, "e2");
        await AppendAsync(TopicKind.Acks, "a3");
        await Task.Delay(100);
        Assert.That(_published, Is.Empty, "not connected");
        _link.MarkConnected();
        Assert.That(await Eventually.HoldsAsync(() => _outbox.Stats.Count == 0, RealWait), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_published.Select(p => p.Topic), Is.EqualTo(new[]
            {
                "v1/devices/bike-0001/telemetry", "v1/devices/bike-0001/events", "v1/devices/bike-0001/acks",
            }));
            Assert.That(PublishedPayloads, Is.EqualTo(new[] { "r1", "e2", "a3" }));
            Assert.That(_sender.Sent, Is.EqualTo(3));
        }
        await AppendAsync(TopicKind.Telemetry, "r4");
        Assert.That(await Eventually.HoldsAsync(() => _published.Count == 4, RealWait), Is.True, "an append wakes the sender");
    }

    [Test]
    public async Task A_refused_record_is_logged_and_removed_never_retried()
    {
        _answer = p => p == "bad" ? Result(MqttClientPublishReasonCode.PayloadFormatInvalid) : Result(MqttClientPublishReasonCode.Success);
        await AppendAsync(TopicKind.Telemetry, "r1", "bad", "r3");
        _link.MarkConnected();
        Assert.That(await Eventually.HoldsAsync(() => _outbox.Stats.Count == 0, RealWait), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(PublishedPayloads, Is.EqualTo(new[] { "r1", "bad", "r3" }));
            Assert.That(_sender.Rejected, Is.EqualTo(1));
            Assert.That(_sender.Sent, Is.EqualTo(2));
            Assert.That(_log.Entries.Single(e => e.Id.Id == 320).Message, Does.Contain("PayloadFormatInvalid (0x99)"));
        }
    }

    [Test]
    public async Task A_withheld_record_0x97_is_kept_and_sent_again_after_a_pause_before_anything_behind_it()
    {
        int withheld = 2;
        _answer = p => p == "r2" && withheld-- > 0 ? Result(MqttClientPublishReasonCode.QuotaExceeded) : Result(MqttClientPublishReasonCode.Success);
        await AppendAsync(TopicKind.Telemetry, "r1", "r2", "r3");
        _link.MarkConnected();
        Assert.That(await Eventually.HoldsAsync(() => _published.Count == 2, RealWait), Is.True);
        await Task.Delay(100);
        Assert.That(PublishedPayloads, Is.EqualTo(new[] { "r1", "r2" }), "waits before sending it again; r3 waits behind it");
        // Jittered 50–100 % of 1 s, then of 2 s.
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await Eventually.HoldsAsync(() => _published.Count == 3, RealWait), Is.True);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.That(await Eventually.HoldsAsync(() => _outbox.Stats.Count == 0, RealWait), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(PublishedPayloads, Is.EqualTo(new[] { "r1", "r2", "r2", "r2", "r3" }));
            Assert.That(_sender.Withheld, Is.EqualTo(2));
            Assert.That(_sender.Rejected, Is.Zero);
            Assert.That(_log.Count(321), Is.EqualTo(2));
        }
    }

    [Test]
    public async Task A_publish_cut_off_by_a_dropped_connection_keeps_the_record_for_the_next_connection()
    {
        bool drop = true;
        _client.Setup(c => c.PublishAsync(It.IsAny<MqttApplicationMessage>(), It.IsAny<CancellationToken>()))
            .Returns((MqttApplicationMessage m, CancellationToken _) =>
            {
                string payload = Encoding.UTF8.GetString(m.Payload);
                _published.Enqueue((m.Topic, payload));
                if (drop && payload == "r2")
                {
                    drop = false;
                    _link.MarkDisconnected();
                    return Task.FromException<MqttClientPublishResult>(new MqttClientDisconnectedException(new IOException("connection reset")));
                }
                return Task.FromResult(Result(MqttClientPublishReasonCode.Success));
            });
        await AppendAsync(TopicKind.Telemetry, "r1", "r2", "r3");
        _link.MarkConnected();
        Assert.That(await Eventually.HoldsAsync(() => _published.Count == 2, RealWait), Is.True);
        _time.Advance(TimeSpan.FromSeconds(1));
        await Task.Delay(100);
        Assert.That(_outbox.Stats.Count, Is.EqualTo(2), "r2 and r3 kept while disconnected");
        _link.MarkConnected();
        Assert.That(await Eventually.HoldsAsync(() => _outbox.Stats.Count == 0, RealWait), Is.True);
        Assert.That(PublishedPayloads, Is.EqualTo(new[] { "r1", "r2", "r2", "r3" }));
    }
}
