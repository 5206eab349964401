using System.Net;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;

namespace IoTPlatform.DeviceGateway.Tests.Fleet;

/// <summary>Every malformed fleet parameter is a 400 problem naming it.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class FleetParameterTests
{
    private TestGateway _gateway = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _gateway = await TestGateway.StartAsync();
        _client = _gateway.Client(TestGateway.ReadOnlyKey);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        var errors = _gateway.Logs.Errors.ToList();
        await _gateway.DisposeAsync();
        Assert.That(errors, Is.Empty, "the gateway logged errors");
    }

    [TestCase("kind=scooter", "kind")]
    [TestCase("kind=Bike", "kind")]
    [TestCase("batteryBelow=0", "batteryBelow")]
    [TestCase("batteryBelow=102", "batteryBelow")]
    [TestCase("batteryBelow=-5", "batteryBelow")]
    [TestCase("batteryBelow=1.5", "batteryBelow")]
    [TestCase("batteryBelow=low", "batteryBelow")]
    [TestCase("batteryBelow=99999999999", "batteryBelow")]
    [TestCase("lock=open", "lock")]
    [TestCase("lock=LOCKED", "lock")]
    [TestCase("online=maybe", "online")]
    [TestCase("online=1", "online")]
    [TestCase("offlineForSeconds=-1", "offlineForSeconds")]
    [TestCase("offlineForSeconds=1.5", "offlineForSeconds")]
    [TestCase("offlineForSeconds=soon", "offlineForSeconds")]
    [TestCase("offlineForSeconds=99999999999999999999", "offlineForSeconds")]
    [TestCase("bbox=1,2,3", "bbox")]
    [TestCase("bbox=1,2,3,4,5", "bbox")]
    [TestCase("bbox=1,2,,4", "bbox")]
    [TestCase("bbox=a,b,c,d", "bbox")]
    [TestCase("bbox=1;2;3;4", "bbox")]
    [TestCase("bbox=NaN,0,1,1", "bbox")]
    [TestCase("bbox=0,0,1,Infinity", "bbox")]
    [TestCase("bbox=91,0,92,1", "bbox")]
    [TestCase("bbox=-91,0,0,1", "bbox")]
    [TestCase("bbox=10,0,5,1", "bbox")]
    [TestCase("bbox=0,-181,1,0", "bbox")]
    [TestCase("bbox=0,0,1,180.5", "bbox")]
    [TestCase("bbox=116.3,39.8,116.5,40.0", "bbox")]
    [TestCase("near=1,2", "near")]
    [TestCase("near=1,2,3,4", "near")]
    [TestCase("near=1,2,-5", "near")]
    [TestCase("near=1,2,0", "near")]
    [TestCase("near=1,2,1000001", "near")]
    [TestCase("near=91,0,10", "near")]
    [TestCase("near=0,181,10", "near")]
    [TestCase("near=a,b,c", "near")]
    [TestCase("near=0,0,NaN", "near")]
    [TestCase("limit=0", "limit")]
    [TestCase("limit=1001", "limit")]
    [TestCase("limit=ten", "limit")]
    public async Task A_malformed_parameter_is_400_naming_it(string query, string field)
    {
        using var response = await _client.GetAsync("/api/fleet?" + query);
        Assert.That(await Problem.FieldsAsync(response), Is.EqualTo(new[] { field }), query);
    }

    [Test]
    public async Task Every_malformed_parameter_is_named_at_once()
    {
        using var response = await _client.GetAsync("/api/fleet?online=maybe&bbox=1,2,3&near=1,2,-5&limit=0&kind=bike");
        Assert.That(await Problem.FieldsAsync(response), Is.EquivalentTo(new[] { "online", "bbox", "near", "limit" }));
    }

    [TestCase("batteryBelow=1")]
    [TestCase("batteryBelow=101")]
    [TestCase("offlineForSeconds=0")]
    [TestCase("offlineForSeconds=9223372036854775807")]
    [TestCase("bbox=-90,-180,90,180")]
    [TestCase("bbox=0,180,0,-180")]
    [TestCase("bbox=1e1,2E1,1.1e1,2.1e1")]
    [TestCase("near=90,0,1000000")]
    [TestCase("near=-90,180,0.5")]
    [TestCase("limit=1")]
    [TestCase("limit=1000")]
    public async Task Values_at_the_edges_are_accepted(string query)
    {
        using var response = await _client.GetAsync("/api/fleet?" + query);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }
}
