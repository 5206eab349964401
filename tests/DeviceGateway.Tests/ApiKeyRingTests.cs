using IoTPlatform.DeviceGateway.Auth;

namespace IoTPlatform.DeviceGateway.Tests;

public sealed class ApiKeyRingTests
{
    private static readonly ApiKeyRing Ring = new(
        "admin-key-0123456789",
        new Dictionary<string, ApiKeyOptions>
        {
            ["crew-7"] = new() { Key = "crew-key-0123456789", Role = ApiRole.Maintenance },
            ["ops-team"] = new() { Key = "ops-key-0123456789", Role = ApiRole.Ops },
        });

    [TestCase("admin-key-0123456789", "admin", "admin")]
    [TestCase("crew-key-0123456789", "crew-7", "maintenance")]
    [TestCase("ops-key-0123456789", "ops-team", "ops")]
    public void A_configured_key_is_found_with_its_name_and_role(string key, string name, string role) =>
        Assert.That(Ring.Find(key), Is.EqualTo((name, role)));

    [TestCase("")]
    [TestCase("admin-key-012345678")]
    [TestCase("admin-key-01234567890")]
    [TestCase("ADMIN-KEY-0123456789")]
    public void Anything_else_is_not(string key) => Assert.That(Ring.Find(key), Is.Null);
}
