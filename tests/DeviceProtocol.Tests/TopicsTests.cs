namespace IoTPlatform.DeviceProtocol.Tests;

[TestFixture]
public sealed class TopicsTests
{
    [Test]
    public void Builders_make_the_design_topics()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Topics.Telemetry("bike-0001"), Is.EqualTo("v1/devices/bike-0001/telemetry"));
            Assert.That(Topics.Events("bike-0001"), Is.EqualTo("v1/devices/bike-0001/events"));
            Assert.That(Topics.Status("bike-0001"), Is.EqualTo("v1/devices/bike-0001/status"));
            Assert.That(Topics.Commands("bike-0001"), Is.EqualTo("v1/devices/bike-0001/commands"));
            Assert.That(Topics.Acks("bike-0001"), Is.EqualTo("v1/devices/bike-0001/acks"));
            Assert.That(Topics.AllDevices(TopicKind.Telemetry), Is.EqualTo("v1/devices/+/telemetry"));
        }
    }

    [TestCase("Bike-1")]
    [TestCase("ab")]
    [TestCase("-bike")]
    [TestCase("bike/1")]
    [TestCase("+")]
    public void Builders_refuse_invalid_ids(string id)
    {
        Assert.That(() => Topics.Telemetry(id), Throws.ArgumentException);
    }

    [Test]
    public void Every_kind_round_trips_through_the_parser()
    {
        foreach (var kind in Enum.GetValues<TopicKind>())
        {
            var topic = Topics.For("charger-kiosk-12", kind);
            Assert.That(Topics.TryParse(topic, out string? id, out var parsed), Is.True, topic);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(id, Is.EqualTo("charger-kiosk-12"));
                Assert.That(parsed, Is.EqualTo(kind));
            }
        }
    }

    [Test]
    public void Span_parser_gives_the_range_of_the_id()
    {
        var topic = "v1/devices/bike-0001/acks".AsSpan();
        Assert.That(Topics.TryParse(topic, out Range range, out var kind), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(topic[range].ToString(), Is.EqualTo("bike-0001"));
            Assert.That(kind, Is.EqualTo(TopicKind.Acks));
        }
    }

    [TestCase("v1/devices/+/telemetry")]
    [TestCase("v1/devices/#")]
    [TestCase("v1/devices/bike-0001/#")]
    [TestCase("v1/devices/bike-0001/+")]
    [TestCase("$share/gateway/v1/devices/bike-0001/telemetry")]
    [TestCase("$SYS/broker/uptime")]
    [TestCase("v1/devices/bike-0001/telemetry/extra")]
    [TestCase("v1/devices/bike-0001/telemetry/")]
    [TestCase("v1/devices//telemetry")]
    [TestCase("v1/devices/bike-0001/")]
    [TestCase("v1/devices/bike-0001")]
    [TestCase("v1/devices/")]
    [TestCase("/v1/devices/bike-0001/telemetry")]
    [TestCase("v2/devices/bike-0001/telemetry")]
    [TestCase("V1/devices/bike-0001/telemetry")]
    [TestCase("v1/devices/bike-0001/Telemetry")]
    [TestCase("v1/devices/bike-0001/gps")]
    [TestCase("v1/devices/Bike-0001/telemetry")]
    [TestCase("v1/devices/-bike/telemetry")]
    [TestCase("v1/devices/ab/telemetry")]
    [TestCase("v1/devices/bike 1/telemetry")]
    [TestCase("v1/devices/bike-0001\0/telemetry")]
    [TestCase("")]
    [TestCase(null)]
    public void Parser_refuses_what_is_not_a_concrete_device_topic(string? topic)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Topics.TryParse(topic, out string? id, out _), Is.False);
            Assert.That(id, Is.Null);
            Assert.That(Topics.TryParse((topic ?? string.Empty).AsSpan(), out Range _, out _), Is.False);
        }
    }

    [Test]
    public void Id_of_64_characters_is_accepted_and_65_refused()
    {
        var id64 = "a" + new string('1', 63);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Topics.TryParse($"v1/devices/{id64}/status", out string? id, out _), Is.True);
            Assert.That(id, Is.EqualTo(id64));
            Assert.That(Topics.TryParse($"v1/devices/{id64}1/status", out string? _, out _), Is.False);
        }
    }

    [TestCase("v1/devices/bike-0001/telemetry", "bike-0001", true)]
    [TestCase("v1/devices/bike-0001/commands", "bike-0001", true)]
    [TestCase("v1/devices/bike-0002/telemetry", "bike-0001", false)]
    [TestCase("v1/devices/bike-00011/telemetry", "bike-0001", false)]
    [TestCase("v1/devices/bike-000/telemetry", "bike-0001", false)]
    [TestCase("v1/devices/+/telemetry", "+", false)]
    [TestCase("$share/g/v1/devices/bike-0001/telemetry", "bike-0001", false)]
    public void Topic_belongs_to_a_device_only_when_the_ids_are_equal(string topic, string clientId, bool expected)
    {
        Assert.That(Topics.IsDeviceTopic(topic, clientId, out _), Is.EqualTo(expected));
    }

    [Test]
    public void Device_acl_publishes_up_and_subscribes_to_commands_only()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Enum.GetValues<TopicKind>().Where(Topics.DeviceMayPublish), Is.EqualTo(new[] { TopicKind.Telemetry, TopicKind.Events, TopicKind.Status, TopicKind.Acks }.AsEnumerable()));
            Assert.That(Enum.GetValues<TopicKind>().Where(Topics.DeviceMaySubscribe), Is.EqualTo(new[] { TopicKind.Commands }.AsEnumerable()));
        }
    }
}
