using System.Security.Cryptography;

namespace IoTPlatform.DeviceProtocol.Signing;

/// <summary>Recognises NIST P-256 keys (other 256-bit curves, e.g. secp256k1, are refused).</summary>
internal static class P256
{
    private const string Oid = "1.2.840.10045.3.1.7";

    public static bool Is(ECDsa key)
    {
        if (key.KeySize != 256)
        {
            return false;
        }

        var curve = key.ExportParameters(includePrivateParameters: false).Curve;
        return curve.IsNamed && (curve.Oid.Value == Oid || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "prime256v1");
    }
}
