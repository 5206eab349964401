using System.Security.Cryptography;
using IoTPlatform.DeviceGateway.Devices;

namespace IoTPlatform.DeviceGateway.Tests;

public sealed class SecretHasherTests
{
    private static readonly byte[] Pepper = RandomNumberGenerator.GetBytes(32);

    [Test]
    public void A_secret_verifies_against_its_own_hash_only()
    {
        var hasher = new SecretHasher(Pepper);
        var hash = hasher.Hash("nOvN9wzXvZc5oB1_3tYgKqYbXLW6pbZQBbR5OHpZRAA");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(hash, Has.Length.EqualTo(SecretHasher.HashLength));
            Assert.That(hasher.Verify("nOvN9wzXvZc5oB1_3tYgKqYbXLW6pbZQBbR5OHpZRAA", hash), Is.True);
            Assert.That(hasher.Verify("nOvN9wzXvZc5oB1_3tYgKqYbXLW6pbZQBbR5OHpZRAB", hash), Is.False);
            Assert.That(hasher.Verify("", hash), Is.False);
            Assert.That(hasher.Verify(new string('x', 10_000), hash), Is.False);
        }
    }

    [Test]
    public void The_hash_is_keyed_by_the_pepper()
    {
        var one = new SecretHasher(Pepper).Hash("secret-value");
        var other = new SecretHasher(RandomNumberGenerator.GetBytes(32)).Hash("secret-value");
        Assert.That(other, Is.Not.EqualTo(one));
        Assert.That(one, Is.EqualTo(HMACSHA256.HashData(Pepper, "secret-value"u8.ToArray())));
    }

    [Test]
    public void A_short_pepper_is_refused() =>
        Assert.Throws<ArgumentException>(() => _ = new SecretHasher(new byte[16]));
}
