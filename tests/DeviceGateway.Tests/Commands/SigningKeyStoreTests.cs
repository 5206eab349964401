using System.Security.Cryptography;
using System.Text.Json;
using IoTPlatform.DeviceGateway.Commands.Signing;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.DeviceProtocol.Signing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IoTPlatform.DeviceGateway.Tests.Commands;

/// <summary>The key store on its own, with a fake clock: overlaps end without waiting a day.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class SigningKeyStoreTests
{
    private string _dataDir = null!;
    private FakeTimeProvider _time = null!;
    private List<CommandKeyStore> _stores = null!;

    private string Folder => Path.Combine(_dataDir, CommandKeyStore.FolderName);

    [SetUp]
    public void SetUp()
    {
        _dataDir = Directory.CreateTempSubdirectory("iotplatform-keystore-").FullName;
        _time = new FakeTimeProvider(new DateTimeOffset(2025, 11, 22, 10, 0, 0, TimeSpan.Zero));
        _stores = [];
    }

    [TearDown]
    public void TearDown()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        Directory.Delete(_dataDir, recursive: true);
    }

    [Test]
    public void The_kid_is_derived_from_the_public_key()
    {
        var store = Open();
        using var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(Path.Combine(Folder, store.Current.Kid + ".pem")));
        var spkiHash = Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
        Assert.That(store.Current.Kid, Is.EqualTo("es256-" + spkiHash[..16]));
    }

    [Test]
    public async Task A_rotated_out_key_stays_for_the_overlap_then_leaves_the_key_set_the_index_and_the_disk()
    {
        var store = Open(overlapHours: 2);
        var oldKid = store.Current.Kid;
        var signedBefore = Sign(store);

        var fresh = await store.RotateAsync(CancellationToken.None);
        Assert.That(store.KeySet.Keys.Select(k => k.Kid), Is.EqualTo(new[] { fresh.Kid, oldKid }));
        Assert.That(ReadIndex().GetProperty("retired")[0].GetProperty("retireAt").GetDateTimeOffset(), Is.EqualTo(_time.GetUtcNow().AddHours(2)));

        _time.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1));
        using (var verifier = CommandVerifier.FromKeySet(store.KeySet))
        {
            Assert.That(verifier.Verify(signedBefore, "bike-0001").IsValid, Is.True, "one second before the overlap ends");
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        var set = store.KeySet;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(set.Keys.Select(k => k.Kid), Is.EqualTo(new[] { fresh.Kid }));
            Assert.That(set.Current, Is.EqualTo(fresh.Kid));
            Assert.That(File.Exists(Path.Combine(Folder, oldKid + ".pem")), Is.False);
            Assert.That(ReadIndex().GetProperty("retired").GetArrayLength(), Is.Zero);
            Assert.That(ReadIndex().GetProperty("current").GetString(), Is.EqualTo(fresh.Kid));
        }

        using var after = CommandVerifier.FromKeySet(set);
        Assert.That(after.Verify(signedBefore, "bike-0001").Reason, Is.EqualTo(VerificationReasons.UnknownKid));
    }

    [Test]
    public async Task A_restart_keeps_the_overlap_and_one_after_it_ended_drops_the_old_key()
    {
        var first = Open(overlapHours: 24);
        var oldKid = first.Current.Kid;
        var fresh = await first.RotateAsync(CancellationToken.None);
        first.Dispose();

        _time.Advance(TimeSpan.FromHours(23));
        var second = Open(overlapHours: 24);
        Assert.That(second.KeySet.Keys.Select(k => k.Kid), Is.EqualTo(new[] { fresh.Kid, oldKid }));
        second.Dispose();

        _time.Advance(TimeSpan.FromHours(1));
        var third = Open(overlapHours: 24);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(third.KeySet.Keys.Select(k => k.Kid), Is.EqualTo(new[] { fresh.Kid }));
            Assert.That(third.Current.Kid, Is.EqualTo(fresh.Kid));
            Assert.That(Directory.GetFiles(Folder, "*.pem").Select(Path.GetFileNameWithoutExtension), Is.EqualTo(new[] { fresh.Kid }));
        }
    }

    [Test]
    public async Task Two_rotations_within_an_overlap_list_three_keys_newest_first()
    {
        var store = Open(overlapHours: 10);
        var first = store.Current.Kid;
        var second = await store.RotateAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromHours(4));
        var third = await store.RotateAsync(CancellationToken.None);
        Assert.That(store.KeySet.Keys.Select(k => k.Kid), Is.EqualTo(new[] { third.Kid, second.Kid, first }));

        _time.Advance(TimeSpan.FromHours(6));
        Assert.That(store.KeySet.Keys.Select(k => k.Kid), Is.EqualTo(new[] { third.Kid, second.Kid }), "the first key's overlap ended");
    }

    [Test]
    public async Task Concurrent_rotations_and_signing_leave_a_consistent_store()
    {
        var store = Open();
        var signing = Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                var command = Sign(store);
                using var verifier = CommandVerifier.FromKeySet(store.KeySet);
                Assert.That(verifier.Verify(command, "bike-0001").IsValid, Is.True);
            }
        });
        var rotations = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => store.RotateAsync(CancellationToken.None))));
        await signing;

        var reopened = Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(store.KeySet.Keys, Has.Count.EqualTo(9));
            Assert.That(rotations.Select(r => r.Kid), Does.Contain(store.Current.Kid));
            Assert.That(reopened.KeySet, Is.EqualTo(store.KeySet).Using<CommandSigningKeySet>((a, b) => a.Current == b.Current && a.Keys.SequenceEqual(b.Keys)));
        }
    }

    [Test]
    public void With_a_key_file_rotation_is_refused_and_the_data_dir_is_not_touched()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var file = Path.Combine(_dataDir, "signing.pem");
        File.WriteAllText(file, key.ExportECPrivateKeyPem());
        var store = Open(keyFile: "signing.pem");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(store.CanRotate, Is.False);
            Assert.That(store.KeyFile, Is.EqualTo(file), "relative to the content root");
            Assert.That(store.Current.PublicKey.PublicKeyPem, Is.EqualTo(key.ExportSubjectPublicKeyInfoPem()));
            Assert.That(async () => await store.RotateAsync(CancellationToken.None), Throws.InvalidOperationException.With.Message.Contain("Commands:Signing:PreviousKeyFiles"));
            Assert.That(Directory.Exists(Folder), Is.False);
        }
    }

    [Test]
    public void A_retired_entry_whose_key_file_is_gone_inside_its_overlap_stops_the_start_naming_the_file()
    {
        var store = Open();
        store.RotateAsync(CancellationToken.None).GetAwaiter().GetResult();
        var oldKid = store.KeySet.Keys[1].Kid;
        store.Dispose();
        File.Delete(Path.Combine(Folder, oldKid + ".pem"));

        Assert.That(() => Open(), Throws.TypeOf<InvalidDataException>().With.Message.Contain(Path.Combine(Folder, oldKid + ".pem")));
    }

    [Test]
    public void A_key_file_renamed_to_another_kid_stops_the_start()
    {
        var store = Open();
        var kid = store.Current.Kid;
        store.Dispose();
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(Path.Combine(Folder, kid + ".pem"), other.ExportPkcs8PrivateKeyPem());

        Assert.That(() => Open(), Throws.TypeOf<InvalidDataException>().With.Message.Contain("holds another key"));
    }

    private CommandKeyStore Open(int overlapHours = 24, string? keyFile = null)
    {
        var options = new CommandSigningOptions { OverlapHours = overlapHours, KeyFile = keyFile };
        var store = new CommandKeyStore(options, _dataDir, contentRoot: _dataDir, _time, NullLogger<CommandKeyStore>.Instance);
        _stores.Add(store);
        return store;
    }

    private DeviceCommand Sign(CommandKeyStore store)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return store.Current.Sign("bike-0001", Guid.NewGuid().ToString("N"), CommandAction.Unlock, slot: null, now, now + 30_000);
    }

    private JsonElement ReadIndex() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, CommandKeyStore.IndexFileName))).RootElement;
}
