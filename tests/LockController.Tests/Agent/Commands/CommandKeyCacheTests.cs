using System.Net;
using System.Net.Sockets;
using System.Text;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.DeviceProtocol.Signing;
using IoTPlatform.LockController.Pi.Agent.Commands;
using IoTPlatform.LockController.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace IoTPlatform.LockController.Tests.Agent.Commands;

/// <summary>The key cache against a real HTTP server on loopback, and its file.</summary>
[TestFixture]
public sealed class CommandKeyCacheTests
{
    private const string Device = "bike-0001";

    private FakeTimeProvider _time = null!;
    private string _dir = null!;
    private KeySetServer _server = null!;
    private HttpClient _http = null!;
    private TestSigning _k1 = null!;
    private RecordingLogger<CommandKeyCache> _logger = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
        _dir = Directory.CreateTempSubdirectory("keys-").FullName;
        _server = new KeySetServer();
        _http = new HttpClient();
        _k1 = new TestSigning("k1");
        _logger = new RecordingLogger<CommandKeyCache>();
        _server.Serve(TestSigning.KeySet(_k1));
    }

    [TearDown]
    public void TearDown()
    {
        _http.Dispose();
        _server.Dispose();
        _k1.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string KeyFile => Path.Combine(_dir, "data", "command-keys.json");

    private CommandKeyCache Cache(Uri? api = null) => new(_http, new CommandKeyCacheOptions
    {
        KeySetUri = CommandKeyCacheOptions.KeySetUriFor(api ?? _server.BaseUri),
        FilePath = KeyFile,
        RequestTimeout = TimeSpan.FromSeconds(5),
    }, _time, _logger);

    private static DeviceCommand Signed(TestSigning by, string device = Device) =>
        by.Signer.Sign(device, "01JDZ8XK3V9Q4S2M7N6P5R4T3W", CommandAction.Unlock, null, 1763805600000, 1763805630000);

    /// <summary>A loopback address nothing listens on: the backend is down.</summary>
    private static Uri DeadApi()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }

    [Test]
    public void The_key_set_address_is_under_the_api_base()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(CommandKeyCacheOptions.KeySetUriFor(new Uri("http://10.0.0.5:8080")).ToString(), Is.EqualTo("http://10.0.0.5:8080/api/keys/command-signing"));
            Assert.That(CommandKeyCacheOptions.KeySetUriFor(new Uri("https://iot.example/base/")).ToString(), Is.EqualTo("https://iot.example/base/api/keys/command-signing"));
        }
    }

    [Test]
    public async Task A_refresh_fetches_verifies_and_keeps_the_key_set_in_the_file()
    {
        using CommandKeyCache cache = Cache();
        VerificationResult before = cache.Verify(Signed(_k1), Device);

        bool refreshed = await cache.RefreshAsync(CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(before.Reason, Is.EqualTo(VerificationReasons.UnknownKid), "no keys yet");
            Assert.That(refreshed, Is.True);
            Assert.That(cache.Verify(Signed(_k1), Device).IsValid, Is.True);
            Assert.That(cache.Verify(Signed(_k1, "bike-0002"), Device).Reason, Is.EqualTo(VerificationReasons.BadSignature));
            Assert.That(File.ReadAllBytes(KeyFile), Is.EqualTo(TestSigning.KeySet(_k1)));
            Assert.That(cache.Stats.Refreshes, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task An_offline_start_verifies_with_the_kept_key_set()
    {
        using (CommandKeyCache first = Cache())
            await first.RefreshAsync(CancellationToken.None);

        using CommandKeyCache offline = Cache(DeadApi());
        bool refreshed = await offline.RefreshAsync(CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(refreshed, Is.False);
            Assert.That(offline.Stats.FetchFailures, Is.EqualTo(1));
            Assert.That(offline.Verify(Signed(_k1), Device).IsValid, Is.True);
            Assert.That(_logger.Count(291), Is.EqualTo(1));
        }
    }

    [TestCase(500, "oops", TestName = "A server error keeps the keys")]
    [TestCase(200, "{\"keys\": 5}", TestName = "An undecodable key set keeps the keys")]
    [TestCase(200, "{\"keys\":[{\"kid\":\"k2\",\"algorithm\":\"ES256\",\"publicKeyPem\":\"not a pem\"}],\"current\":\"k2\"}", TestName = "A key set with a bad key keeps the keys")]
    public async Task A_bad_answer_never_replaces_good_keys(int status, string body)
    {
        using CommandKeyCache cache = Cache();
        await cache.RefreshAsync(CancellationToken.None);
        _server.Serve(Encoding.UTF8.GetBytes(body), status);

        bool refreshed = await cache.RefreshAsync(CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(refreshed, Is.False);
            Assert.That(cache.Kids, Is.EqualTo(new[] { "k1" }));
            Assert.That(cache.Verify(Signed(_k1), Device).IsValid, Is.True);
            Assert.That(File.ReadAllBytes(KeyFile), Is.EqualTo(TestSigning.KeySet(_k1)));
            Assert.That(cache.Stats.FetchFailures + cache.Stats.InvalidKeySets, Is.EqualTo(1));
        }
    }

    [Test]
    public void A_damaged_file_is_refused_and_counted()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        File.WriteAllText(KeyFile, "{\"keys\":");

        using CommandKeyCache cache = Cache();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(cache.Kids, Is.Empty);
            Assert.That(cache.Stats.InvalidKeySets, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task An_unknown_kid_refreshes_at_most_once_per_interval()
    {
        using CommandKeyCache cache = Cache();
        await cache.RefreshAsync(CancellationToken.None);
        using var k2 = new TestSigning("k2");
        int before = _server.Requests;

        VerificationResult unknown = await cache.VerifyAsync(Signed(k2), Device, CancellationToken.None);
        VerificationResult skipped = await cache.VerifyAsync(Signed(k2), Device, CancellationToken.None);
        _server.Serve(TestSigning.KeySet(k2, _k1));
        _time.Advance(TimeSpan.FromSeconds(30));
        VerificationResult known = await cache.VerifyAsync(Signed(k2), Device, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(unknown.Reason, Is.EqualTo(VerificationReasons.UnknownKid));
            Assert.That(skipped.Reason, Is.EqualTo(VerificationReasons.UnknownKid));
            Assert.That(known.IsValid, Is.True);
            Assert.That(_server.Requests - before, Is.EqualTo(2));
            Assert.That(cache.Stats.UnknownKidRefreshes, Is.EqualTo(2));
            Assert.That(cache.Stats.UnknownKidRefreshesSkipped, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task RunAsync_refreshes_at_once_and_then_every_interval()
    {
        using CommandKeyCache cache = Cache();
        using var cts = new CancellationTokenSource();
        Task run = cache.RunAsync(cts.Token);

        bool first = await Eventually.HoldsAsync(() => cache.Stats.Refreshes == 1, TimeSpan.FromSeconds(10));
        using var k2 = new TestSigning("k2");
        _server.Serve(TestSigning.KeySet(k2, _k1));
        _time.Advance(TimeSpan.FromMinutes(59));
        bool early = cache.Stats.Refreshes > 1;
        bool second = await Eventually.HoldsAsync(() => cache.Stats.Refreshes == 2, TimeSpan.FromSeconds(10), () => _time.Advance(TimeSpan.FromSeconds(10)));
        await cts.CancelAsync();
        await run;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.True);
            Assert.That(early, Is.False);
            Assert.That(second, Is.True);
            Assert.That(cache.Kids, Is.EquivalentTo(new[] { "k1", "k2" }));
        }
    }
}
