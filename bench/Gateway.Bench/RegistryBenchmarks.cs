using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using IoTPlatform.Broker;
using IoTPlatform.DeviceGateway.Devices;
using IoTPlatform.DeviceGateway.Storage;
using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.Gateway.Bench;

/// <summary>
/// The whole credential check of one CONNECT as the broker calls it: <see cref="DeviceRegistry.VerifySecretAsync"/>
/// on a real <c>state.db</c> (WAL, 5,000 registered bikes): a pooled connection with its per-open PRAGMAs,
/// a point SELECT, then <see cref="SecretHasher.Verify"/>. <see cref="OpenConnection"/> is the first part alone.
/// </summary>
[MemoryDiagnoser]
public class RegistryBenchmarks
{
    private const int Devices = 5000;
    private string _dataDir = "";
    private StateStore _store = null!;
    private DeviceRegistry _registry = null!;
    private string _id = "";
    private string _secret = "";
    private string _wrongSecret = "";

    [GlobalSetup]
    public void Setup()
    {
        _dataDir = Directory.CreateTempSubdirectory("iotplatform-regbench-").FullName;
        _store = new StateStore(_dataDir);
        _registry = new DeviceRegistry(_store, new SecretHasher(RandomNumberGenerator.GetBytes(32)), TimeProvider.System);
        for (var i = 0; i < Devices; i++)
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"bike-{i:D6}");
            var (_, issued) = _registry.RegisterAsync(id, DeviceKind.Bike, 0, CancellationToken.None).GetAwaiter().GetResult();
            if (i == Devices / 2)
            {
                _id = id;
                _secret = issued!.Secret;
            }
        }

        _wrongSecret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        if (VerifySecret().GetAwaiter().GetResult() != DeviceAuthResult.Accepted
            || VerifyWrongSecret().GetAwaiter().GetResult() != DeviceAuthResult.BadSecret)
        {
            throw new InvalidOperationException("The registry gave the wrong answer.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        StateStore.ReleasePooledConnections();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public Task<DeviceAuthResult> VerifySecret() => _registry.VerifySecretAsync(_id, _secret, CancellationToken.None);

    [Benchmark]
    public Task<DeviceAuthResult> VerifyWrongSecret() => _registry.VerifySecretAsync(_id, _wrongSecret, CancellationToken.None);

    [Benchmark]
    public async Task OpenConnection()
    {
        var connection = await _store.OpenAsync(CancellationToken.None);
        await connection.DisposeAsync();
    }
}
