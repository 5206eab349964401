using System.Security.Cryptography;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.DeviceProtocol.Signing;

namespace IoTPlatform.LockController.Tests.Agent.Commands;

/// <summary>A backend signing key for the tests, and the key set that publishes it.</summary>
internal sealed class TestSigning : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestSigning(string kid)
    {
        Signer = new CommandSigner(_key, kid);
    }

    public CommandSigner Signer { get; }

    public static byte[] KeySet(params TestSigning[] keys) => PayloadCodec.Encode(new CommandSigningKeySet
    {
        Keys = [.. keys.Select(k => k.Signer.PublicKey)],
        Current = keys[0].Signer.Kid,
    });

    /// <summary>A signed command, encoded as on the wire.</summary>
    public byte[] Payload(string deviceId, string id, CommandAction action, int? slot, DateTimeOffset issuedAt, TimeSpan ttl) =>
        PayloadCodec.Encode(Signer.Sign(deviceId, id, action, slot, issuedAt.ToUnixTimeMilliseconds(), (issuedAt + ttl).ToUnixTimeMilliseconds()));

    public void Dispose() => _key.Dispose();
}
