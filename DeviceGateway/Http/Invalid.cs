using IoTPlatform.DeviceGateway.Observability;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IoTPlatform.DeviceGateway.Http;

/// <summary>A 400 that names every bad field, each counted on the gateway meter.</summary>
internal static class Invalid
{
    public static ValidationProblem Problem(GatewayCounters counters, Dictionary<string, string[]> errors, string? title = null)
    {
        foreach (var field in errors.Keys)
        {
            counters.BadRequest(field);
        }

        return TypedResults.ValidationProblem(errors, title: title);
    }

    public static ValidationProblem Problem(GatewayCounters counters, string field, string message) =>
        Problem(counters, new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });
}
