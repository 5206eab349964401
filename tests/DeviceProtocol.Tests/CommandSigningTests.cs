using System.Security.Cryptography;
using System.Text;
using IoTPlatform.DeviceProtocol.Signing;

namespace IoTPlatform.DeviceProtocol.Tests;

[TestFixture]
[SetCulture("de-DE")]
public sealed class CommandSigningTests
{
    private const string Kid = "cmd-2025-11";
    private const string Device = "bike-0001";

    private static readonly string[] BothKids = ["k-old", "k-new"];

    private CommandVerifier _vectorVerifier = null!;

    private static DeviceCommand VectorCommand => new()
    {
        Id = "01JDZ8XK3V9Q4S2M7N6P5R4T3W",
        Action = CommandAction.Unlock,
        IssuedAt = 1763805600000,
        ExpiresAt = 1763805630000,
        Kid = Kid,
        Sig = CapturedPayloads.VectorSignature,
    };

    [SetUp]
    public void SetUp() =>
        _vectorVerifier = new CommandVerifier([new CommandSigningKey { Kid = Kid, PublicKeyPem = CapturedPayloads.VectorPublicKeyPem }]);

    [TearDown]
    public void TearDown() => _vectorVerifier.Dispose();

    [Test]
    public void Canonical_form_of_the_vector_command_is_the_design_message()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(CommandCanonicalForm.ToCanonicalString(VectorCommand, Device), Is.EqualTo(CapturedPayloads.VectorMessage));
            Assert.That(CommandCanonicalForm.GetBytes(VectorCommand, Device), Is.EqualTo(Encoding.UTF8.GetBytes(CapturedPayloads.VectorMessage)));
            Assert.That(CommandCanonicalForm.ToCanonicalString(Device, "c1", CommandAction.Release, 12, 1, 2), Is.EqualTo("v1|bike-0001|c1|release|12|1|2"));
        }
    }

    [Test]
    public void Design_test_vector_verifies()
    {
        var result = _vectorVerifier.Verify(VectorCommand, Device);
        Assert.That(result, Is.EqualTo(VerificationResult.Valid));
    }

    [Test]
    public void Design_test_vector_verifies_as_decoded_from_the_wire()
    {
        Assert.That(PayloadCodec.TryDecodeCommand(CapturedPayloads.VectorCommand, out var command, out _), Is.True);
        Assert.That(_vectorVerifier.Verify(command!, Device).IsValid, Is.True);
    }

    [Test]
    public void Design_test_vector_verifies_with_plain_ecdsa_over_the_message()
    {
        // Independent of CommandCanonicalForm: the design's message and signature, straight into ECDsa.
        using var key = ECDsa.Create();
        key.ImportFromPem(CapturedPayloads.VectorPublicKeyPem);
        var ok = key.VerifyData(Encoding.UTF8.GetBytes(CapturedPayloads.VectorMessage), Convert.FromBase64String(CapturedPayloads.VectorSignature), HashAlgorithmName.SHA256);
        Assert.That(ok, Is.True);
    }

    public static IEnumerable<TestCaseData> Tampered()
    {
        static TestCaseData T(string name, Func<DeviceCommand, DeviceCommand> tamper, string reason) =>
            new TestCaseData(tamper, reason).SetName("tampered " + name);
        yield return T("id", c => c with { Id = "01JDZ8XK3V9Q4S2M7N6P5R4T3X" }, VerificationReasons.BadSignature);
        yield return T("action", c => c with { Action = CommandAction.Lock }, VerificationReasons.BadSignature);
        yield return T("slot", c => c with { Slot = 1 }, VerificationReasons.BadSignature);
        yield return T("issuedAt", c => c with { IssuedAt = c.IssuedAt + 1 }, VerificationReasons.BadSignature);
        yield return T("expiresAt (extended)", c => c with { ExpiresAt = c.ExpiresAt + 3_600_000 }, VerificationReasons.BadSignature);
        yield return T("kid", c => c with { Kid = "cmd-2025-12" }, VerificationReasons.UnknownKid);
        yield return T("kid null", c => c with { Kid = null! }, VerificationReasons.UnknownKid);
        yield return T("sig: one bit", c => c with { Sig = FlipBit(c.Sig, 100) }, VerificationReasons.BadSignature);
        yield return T("sig: r and s swapped", c => c with { Sig = SwapHalves(c.Sig) }, VerificationReasons.BadSignature);
        yield return T("sig: not base64", c => c with { Sig = new string('!', 88) }, VerificationReasons.BadSignature);
        yield return T("sig: base64url alphabet", c => c with { Sig = c.Sig.Replace('+', '-').Replace('/', '_') }, VerificationReasons.BadSignature);
        yield return T("sig: unpadded", c => c with { Sig = c.Sig.TrimEnd('=') }, VerificationReasons.BadSignature);
        yield return T("sig: empty", c => c with { Sig = "" }, VerificationReasons.BadSignature);
        yield return T("sig: null", c => c with { Sig = null! }, VerificationReasons.BadSignature);
        yield return T("sig: DER form", c => c with { Sig = ToDer(c.Sig) }, VerificationReasons.BadSignature);
        yield return T("sig: 63 bytes", c => c with { Sig = Convert.ToBase64String(Convert.FromBase64String(c.Sig)[..63]) }, VerificationReasons.BadSignature);
        yield return T("sig: with whitespace", c => c with { Sig = c.Sig[..40] + " " + c.Sig[41..] }, VerificationReasons.BadSignature);
        yield return T("id: null", c => c with { Id = null! }, VerificationReasons.BadSignature);
    }

    [TestCaseSource(nameof(Tampered))]
    public void Tampered_vector_fails(Func<DeviceCommand, DeviceCommand> tamper, string reason)
    {
        ArgumentNullException.ThrowIfNull(tamper);
        var result = _vectorVerifier.Verify(tamper(VectorCommand), Device);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.IsValid, Is.False);
            Assert.That(result.Reason, Is.EqualTo(reason));
        }
    }

    [TestCase("bike-0002")]
    [TestCase("bike-00001")]
    [TestCase("BIKE-0001")]
    [TestCase("")]
    [TestCase("bike-0001|x")]
    public void Vector_fails_for_another_device(string otherDevice)
    {
        var result = _vectorVerifier.Verify(VectorCommand, otherDevice);
        Assert.That(result, Is.EqualTo(VerificationResult.Invalid(VerificationReasons.BadSignature)));
    }

    [Test]
    public void Null_command_or_device_never_throws()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_vectorVerifier.Verify(null!, Device).Reason, Is.EqualTo(VerificationReasons.UnknownKid));
            Assert.That(_vectorVerifier.Verify(VectorCommand, null!).Reason, Is.EqualTo(VerificationReasons.BadSignature));
            Assert.That(_vectorVerifier.Verify(VectorCommand with { Action = (CommandAction)77 }, Device).Reason, Is.EqualTo(VerificationReasons.BadSignature));
        }
    }

    [Test]
    public void Sign_then_verify_round_trips_for_bikes_and_kiosks()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signer = new CommandSigner(key, "k-test");
        using var verifier = new CommandVerifier([signer.PublicKey]);
        var unlock = signer.Sign("bike-0042", "01JE000000000000000000000A", CommandAction.Unlock, null, 1763805600000, 1763805630000);
        var release = signer.Sign("umbrella-kiosk-7", "01JE000000000000000000000B", CommandAction.Release, 12, 1763805600000, 1763805660000);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(unlock.Kid, Is.EqualTo("k-test"));
            Assert.That(unlock.Sig, Has.Length.EqualTo(CommandVerifier.SignatureBase64Length));
            Assert.That(Convert.FromBase64String(unlock.Sig), Has.Length.EqualTo(64));
            Assert.That(verifier.Verify(unlock, "bike-0042").IsValid, Is.True);
            Assert.That(verifier.Verify(release, "umbrella-kiosk-7").IsValid, Is.True);
            Assert.That(verifier.Verify(release, "umbrella-kiosk-8").IsValid, Is.False);
            Assert.That(verifier.Verify(release with { Slot = 11 }, "umbrella-kiosk-7").IsValid, Is.False);

            // Through the wire and back.
            Assert.That(PayloadCodec.TryDecodeCommand(PayloadCodec.Encode(release), out var received, out _), Is.True);
            Assert.That(verifier.Verify(received!, "umbrella-kiosk-7").IsValid, Is.True);
        }
    }

    [Test]
    public void Verifier_built_from_the_served_key_set_verifies_commands_of_old_and_current_keys()
    {
        using var oldKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var newKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var oldSigner = new CommandSigner(oldKey, "k-old");
        var newSigner = new CommandSigner(newKey, "k-new");
        var set = new CommandSigningKeySet { Keys = [oldSigner.PublicKey, newSigner.PublicKey], Current = "k-new" };
        Assert.That(PayloadCodec.TryDecodeKeySet(PayloadCodec.Encode(set), out var served, out _), Is.True);
        using var verifier = CommandVerifier.FromKeySet(served!);
        var byOld = oldSigner.Sign(Device, "c-1", CommandAction.Lock, null, 1, 2);
        var byNew = newSigner.Sign(Device, "c-2", CommandAction.Lock, null, 1, 2);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(verifier.Kids, Is.EquivalentTo(BothKids));
            Assert.That(verifier.Verify(byOld, Device).IsValid, Is.True);
            Assert.That(verifier.Verify(byNew, Device).IsValid, Is.True);
            Assert.That(verifier.Verify(byNew with { Kid = "k-old" }, Device).Reason, Is.EqualTo(VerificationReasons.BadSignature));
        }
    }

    [Test]
    public void Signer_signs_the_canonical_message_like_the_design()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signer = new CommandSigner(key, "k");
        var sig = signer.SignCanonical(CapturedPayloads.VectorMessage);
        using var verifier = new CommandVerifier([signer.PublicKey]);
        Assert.That(verifier.Verify(VectorCommand with { Kid = "k", Sig = sig }, Device).IsValid, Is.True);
    }

    [Test]
    public void Signer_refuses_what_the_protocol_does_not_allow()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signer = new CommandSigner(key, "k");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => signer.Sign("Bike_1", "c", CommandAction.Unlock, null, 1, 2), Throws.ArgumentException);
            Assert.That(() => signer.Sign(Device, "c|1", CommandAction.Unlock, null, 1, 2), Throws.ArgumentException);
            Assert.That(() => signer.Sign(Device, "c", CommandAction.Release, null, 1, 2), Throws.ArgumentException);
            Assert.That(() => signer.Sign(Device, "c", CommandAction.Unlock, 3, 1, 2), Throws.ArgumentException);
            Assert.That(() => signer.Sign(Device, "c", CommandAction.Unlock, null, 2, 2), Throws.ArgumentException);
            Assert.That(() => signer.Sign(Device, "c", (CommandAction)9, null, 1, 2), Throws.ArgumentException);
        }
    }

    [Test]
    public void Only_p256_keys_are_accepted()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => new CommandSigner(p384, "k"), Throws.ArgumentException);
            Assert.That(() => new CommandSigner(p256, ""), Throws.ArgumentException);
            Assert.That(() => new CommandVerifier([new CommandSigningKey { Kid = "k", PublicKeyPem = p384.ExportSubjectPublicKeyInfoPem() }]), Throws.ArgumentException);
            Assert.That(CommandVerifier.TryCreate([new CommandSigningKey { Kid = "k", PublicKeyPem = "not a pem" }], out _, out var error), Is.False);
            Assert.That(error, Does.Contain("'k'"));
            Assert.That(CommandVerifier.TryCreate([new CommandSigningKey { Kid = "k", Algorithm = "RS256", PublicKeyPem = p256.ExportSubjectPublicKeyInfoPem() }], out _, out error), Is.False);
            Assert.That(error, Does.Contain("RS256"));
            var pem = p256.ExportSubjectPublicKeyInfoPem();
            Assert.That(CommandVerifier.TryCreate([new CommandSigningKey { Kid = "k", PublicKeyPem = pem }, new CommandSigningKey { Kid = "k", PublicKeyPem = pem }], out _, out error), Is.False);
            Assert.That(error, Does.Contain("twice"));
            Assert.That(CommandVerifier.TryCreate([null!], out _, out _), Is.False);
            Assert.That(CommandVerifier.TryCreate(null, out _, out _), Is.False);
            Assert.That(CommandVerifier.TryCreate([new CommandSigningKey { Kid = "k", PublicKeyPem = pem }], out var ok, out _), Is.True);
            ok?.Dispose();
        }
    }

    [Test]
    public void Verification_is_thread_safe()
    {
        var results = new bool[200];
        Parallel.For(0, results.Length, i => results[i] = _vectorVerifier.Verify(VectorCommand, Device).IsValid && !_vectorVerifier.Verify(VectorCommand, "bike-0002").IsValid);
        Assert.That(results, Has.All.True);
    }

    private static string FlipBit(string base64, int bit)
    {
        var bytes = Convert.FromBase64String(base64);
        bytes[bit / 8] ^= (byte)(1 << (bit % 8));
        return Convert.ToBase64String(bytes);
    }

    private static string SwapHalves(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        return Convert.ToBase64String([.. bytes[32..], .. bytes[..32]]);
    }

    private static string ToDer(string base64)
    {
        // The same r and s as a DER SEQUENCE (RFC 3279), the form .NET's default does not use.
        var p1363 = Convert.FromBase64String(base64);
        var r = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (r.PushSequence())
        {
            r.WriteIntegerUnsigned(p1363.AsSpan(0, 32));
            r.WriteIntegerUnsigned(p1363.AsSpan(32, 32));
        }

        return Convert.ToBase64String(r.Encode());
    }
}
