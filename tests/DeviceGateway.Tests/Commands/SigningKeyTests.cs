using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using IoTPlatform.DeviceGateway.Commands.Signing;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.DeviceProtocol.Signing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IoTPlatform.DeviceGateway.Tests.Commands;

/// <summary>
/// Command-signing keys through the real backend on loopback: the key set at <c>GET /api/keys/command-signing</c>
/// verifies what the store signs, the way a controller checks it (<see cref="CommandVerifier"/>).
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class SigningKeyTests
{
    private const string KeysPath = "/api/keys/command-signing";
    private const string RotatePath = "/api/keys/command-signing/rotate";

    private readonly List<TestGateway> _gateways = [];
    private string _temp = null!;

    [SetUp]
    public void SetUp()
    {
        _gateways.Clear();
        _temp = Directory.CreateTempSubdirectory("iotplatform-signing-").FullName;
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        var errors = _gateways.SelectMany(g => g.Logs.Errors).ToList();
        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }

        Directory.Delete(_temp, recursive: true);
        Assert.That(errors, Is.Empty, "a gateway logged errors");
    }

    [Test]
    public async Task First_start_creates_a_key_that_verifies_what_the_store_signs_and_a_restart_keeps_it()
    {
        var gateway = await StartAsync();
        var folder = Path.Combine(gateway.DataDir, CommandKeyStore.FolderName);
        var set = await GetKeySetAsync(gateway);
        var command = Sign(gateway, "bike-0001");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(set.Keys, Has.Count.EqualTo(1));
            Assert.That(set.Keys[0].Kid, Is.EqualTo(set.Current).And.Match("^es256-[0-9a-f]{16}$"));
            Assert.That(set.Keys[0].Algorithm, Is.EqualTo("ES256"));
            Assert.That(command.Kid, Is.EqualTo(set.Current));
            Assert.That(Verify(set, command, "bike-0001").IsValid, Is.True);
            Assert.That(Verify(set, command, "bike-0002").Reason, Is.EqualTo(VerificationReasons.BadSignature), "signed for another device");
            Assert.That(File.Exists(Path.Combine(folder, set.Current + ".pem")), Is.True);
            Assert.That(File.Exists(Path.Combine(folder, CommandKeyStore.IndexFileName)), Is.True);
            Assert.That(gateway.Logs.Entries.Select(e => e.Message), Has.Some.Contains(Path.Combine(folder, set.Current + ".pem")));
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.That(File.GetUnixFileMode(Path.Combine(folder, set.Current + ".pem")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        }

        await gateway.RestartAsync();
        var after = await GetKeySetAsync(gateway);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(after.Current, Is.EqualTo(set.Current));
            Assert.That(after.Keys.Single().PublicKeyPem, Is.EqualTo(set.Keys[0].PublicKeyPem));
            Assert.That(Verify(after, command, "bike-0001").IsValid, Is.True, "a command signed before the restart");
        }
    }

    [Test]
    public async Task The_key_set_is_served_without_an_api_key_as_the_design_shows_and_not_cached()
    {
        var gateway = await StartAsync();
        using var anonymous = gateway.Client(apiKey: null);
        using var response = await anonymous.GetAsync(KeysPath);
        var text = await response.Content.ReadAsStringAsync();
        var json = JsonDocument.Parse(text).RootElement;
        var key = json.GetProperty("keys")[0];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
            Assert.That(response.Headers.CacheControl?.NoCache, Is.True);
            Assert.That(json.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "keys", "current" }));
            Assert.That(key.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "kid", "algorithm", "publicKeyPem" }));
            Assert.That(key.GetProperty("algorithm").GetString(), Is.EqualTo("ES256"));
            Assert.That(key.GetProperty("publicKeyPem").GetString(), Does.StartWith("-----BEGIN PUBLIC KEY-----"));
            Assert.That(json.GetProperty("current").GetString(), Is.EqualTo(key.GetProperty("kid").GetString()));
        }
    }

    [Test]
    public async Task Rotation_makes_a_new_key_current_and_keeps_the_old_one_listed_so_earlier_commands_still_verify()
    {
        var gateway = await StartAsync();
        var before = await GetKeySetAsync(gateway);
        var signedBefore = Sign(gateway, "bike-0001");

        using var admin = gateway.Client();
        using var response = await admin.PostAsync(RotatePath, content: null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var answered = (await response.Content.ReadFromJsonAsync<CommandSigningKeySet>())!;
        var served = await GetKeySetAsync(gateway);
        var signedAfter = Sign(gateway, "bike-0001");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(served.Current, Is.Not.EqualTo(before.Current));
            Assert.That(answered.Current, Is.EqualTo(served.Current));
            Assert.That(served.Keys.Select(k => k.Kid), Is.EqualTo(new[] { served.Current, before.Current }));
            Assert.That(signedAfter.Kid, Is.EqualTo(served.Current));
            Assert.That(Verify(served, signedBefore, "bike-0001").IsValid, Is.True, "signed before the rotation");
            Assert.That(Verify(served, signedAfter, "bike-0001").IsValid, Is.True, "signed after the rotation");
            Assert.That(Verify(before, signedAfter, "bike-0001").Reason, Is.EqualTo(VerificationReasons.UnknownKid), "a device with the old set");
        }

        await gateway.RestartAsync();
        var restarted = await GetKeySetAsync(gateway);
        Assert.That(restarted.Keys.Select(k => k.Kid), Is.EqualTo(served.Keys.Select(k => k.Kid)), "the overlap survives a restart");
    }

    [TestCase(TestGateway.OpsKey, HttpStatusCode.Forbidden)]
    [TestCase(TestGateway.MaintenanceKey, HttpStatusCode.Forbidden)]
    [TestCase(TestGateway.ReadOnlyKey, HttpStatusCode.Forbidden)]
    [TestCase(null, HttpStatusCode.Unauthorized)]
    [TestCase("not-a-configured-key-0123456789", HttpStatusCode.Unauthorized)]
    public async Task Only_an_admin_key_may_rotate(string? apiKey, HttpStatusCode expected)
    {
        var gateway = await StartAsync();
        var before = await GetKeySetAsync(gateway);
        using var client = gateway.Client(apiKey);
        using var response = await client.PostAsync(RotatePath, content: null);
        await Problem.ReadAsync(response, expected);
        Assert.That((await GetKeySetAsync(gateway)).Keys.Select(k => k.Kid), Is.EqualTo(before.Keys.Select(k => k.Kid)));
    }

    [Test]
    public async Task Instances_sharing_a_key_file_serve_the_same_key_sign_alike_and_refuse_rotation()
    {
        var keyFile = WriteKey("shared.pem", ECCurve.NamedCurves.nistP256, out var expectedPem);
        var previousFile = WriteKey("previous.pem", ECCurve.NamedCurves.nistP256, out var previousPem, publicOnly: true);
        var settings = new Dictionary<string, string?>
        {
            ["Commands:Signing:KeyFile"] = keyFile,
            ["Commands:Signing:PreviousKeyFiles:0"] = previousFile,
        };
        var first = await StartAsync(settings);
        var second = await StartAsync(settings);
        var firstSet = await GetKeySetAsync(first);
        var secondSet = await GetKeySetAsync(second);
        var fromSecond = Sign(second, "kiosk-0001");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(secondSet.Current, Is.EqualTo(firstSet.Current));
            Assert.That(firstSet.Keys[0].PublicKeyPem, Is.EqualTo(expectedPem));
            Assert.That(secondSet.Keys.Select(k => k.PublicKeyPem), Is.EqualTo(new[] { expectedPem, previousPem }));
            Assert.That(secondSet.Keys[1].Kid, Does.StartWith("es256-").And.Not.EqualTo(secondSet.Current));
            Assert.That(Verify(firstSet, fromSecond, "kiosk-0001").IsValid, Is.True, "signed by one instance, verified with the other's key set");
            Assert.That(Directory.Exists(Path.Combine(first.DataDir, CommandKeyStore.FolderName)), Is.False, "nothing written to the data dir");
        }

        using var admin = first.Client();
        using var response = await admin.PostAsync(RotatePath, content: null);
        var problem = await Problem.ReadAsync(response, HttpStatusCode.Conflict);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("Commands:Signing:PreviousKeyFiles").And.Contain(keyFile));
            Assert.That((await GetKeySetAsync(first)).Current, Is.EqualTo(firstSet.Current));
        }
    }

    [TestCase("missing")]
    [TestCase("garbage")]
    [TestCase("p384")]
    [TestCase("public-only")]
    [TestCase("empty-setting")]
    public async Task A_bad_key_file_stops_the_start_with_a_message_naming_the_setting(string kind)
    {
        var path = kind switch
        {
            "missing" => Path.Combine(_temp, "nowhere.pem"),
            "garbage" => Write("garbage.pem", "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"),
            "p384" => WriteKey("p384.pem", ECCurve.NamedCurves.nistP384, out _),
            "public-only" => WriteKey("public.pem", ECCurve.NamedCurves.nistP256, out _, publicOnly: true),
            _ => " ",
        };
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () => await StartAsync(new Dictionary<string, string?> { ["Commands:Signing:KeyFile"] = path }));
        Assert.That(error!.Message, Does.Contain("Commands:Signing:KeyFile"));
        if (kind != "empty-setting")
        {
            Assert.That(error.Message, Does.Contain(path));
        }
    }

    [Test]
    public async Task A_bad_previous_key_file_or_overlap_stops_the_start_with_a_message_naming_the_setting()
    {
        var previous = await Assert.ThrowsAsync<OptionsValidationException>(async () => await StartAsync(new Dictionary<string, string?>
        {
            ["Commands:Signing:PreviousKeyFiles:0"] = Write("old.pem", "not a pem"),
        }));
        var overlap = await Assert.ThrowsAsync<OptionsValidationException>(async () => await StartAsync(new Dictionary<string, string?>
        {
            ["Commands:Signing:OverlapHours"] = "0",
        }));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(previous!.Message, Does.Contain("Commands:Signing:PreviousKeyFiles:0"));
            Assert.That(overlap!.Message, Does.Contain("Commands:Signing:OverlapHours"));
        }
    }

    [TestCase("{\"current\": ", "index")]
    [TestCase("{\"current\": \"../../etc/passwd\"}", "index")]
    [TestCase(null, "index")]
    [TestCase("garbage-key", "key")]
    public async Task A_damaged_key_folder_stops_the_start_naming_the_file_and_no_new_key_is_made(string? indexText, string named)
    {
        var dataDir = Path.Combine(_temp, "data");
        var folder = Path.Combine(dataDir, CommandKeyStore.FolderName);
        Directory.CreateDirectory(folder);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var kid = CommandKeyFiles.KidOf(key);
        var keyPath = Path.Combine(folder, kid + ".pem");
        var indexPath = Path.Combine(folder, CommandKeyStore.IndexFileName);
        File.WriteAllText(keyPath, indexText == "garbage-key" ? "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n" : key.ExportPkcs8PrivateKeyPem());
        if (indexText is not null)
        {
            File.WriteAllText(indexPath, indexText == "garbage-key" ? $"{{\"current\": \"{kid}\"}}" : indexText);
        }

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await StartAsync(dataDir: dataDir));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error!.Message, Does.Contain(named == "index" ? indexPath : keyPath));
            Assert.That(Directory.GetFiles(folder, "*.pem"), Is.EqualTo(new[] { keyPath }), "no new key");
        }
    }

    private async Task<TestGateway> StartAsync(Dictionary<string, string?>? settings = null, string? dataDir = null)
    {
        var gateway = await TestGateway.StartAsync(settings, dataDir);
        _gateways.Add(gateway);
        return gateway;
    }

    private static async Task<CommandSigningKeySet> GetKeySetAsync(TestGateway gateway)
    {
        using var anonymous = gateway.Client(apiKey: null);
        return (await anonymous.GetFromJsonAsync<CommandSigningKeySet>(KeysPath))!;
    }

    private static DeviceCommand Sign(TestGateway gateway, string deviceId)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var signer = gateway.Services.GetRequiredService<CommandKeyStore>().Current;
        return signer.Sign(deviceId, Guid.NewGuid().ToString("N"), CommandAction.Unlock, slot: null, now, now + 30_000);
    }

    private static VerificationResult Verify(CommandSigningKeySet set, DeviceCommand command, string deviceId)
    {
        using var verifier = CommandVerifier.FromKeySet(set);
        return verifier.Verify(command, deviceId);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_temp, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string WriteKey(string name, ECCurve curve, out string publicKeyPem, bool publicOnly = false)
    {
        using var key = ECDsa.Create(curve);
        publicKeyPem = key.ExportSubjectPublicKeyInfoPem();
        return Write(name, publicOnly ? publicKeyPem : key.ExportPkcs8PrivateKeyPem());
    }
}
