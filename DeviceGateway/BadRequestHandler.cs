using System.Text.Json;
using System.Text.RegularExpressions;
using IoTPlatform.DeviceGateway.Observability;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace IoTPlatform.DeviceGateway;

/// <summary>
/// Turns a request the framework could not bind (malformed JSON, a string where a number belongs,
/// a missing body) into a 400 problem that names the field, counts it and logs it — never a 500.
/// </summary>
internal sealed partial class BadRequestHandler(IProblemDetailsService problems, GatewayCounters counters, ILogger<BadRequestHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        var (field, detail) = Describe(bad);
        counters.BadRequest(field);
        Log.BadRequest(logger, httpContext.Request.Method, httpContext.Request.Path.Value ?? "", detail);

        httpContext.Response.StatusCode = bad.StatusCode;
        var problem = new ProblemDetails { Status = bad.StatusCode, Title = "The request cannot be read.", Detail = detail };
        problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [detail] };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception })
            .ConfigureAwait(false);
    }

    /// <summary>Names the field and says what is wrong, without the framework's type names.</summary>
    internal static (string Field, string Detail) Describe(BadHttpRequestException bad)
    {
        for (var e = bad.InnerException; e is not null; e = e.InnerException)
        {
            if (e is JsonException json)
            {
                var path = json.Path is null or "$" ? null : json.Path.TrimStart('$', '.');
                return path is null
                    ? ("body", $"The body is not the JSON object this request takes (line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1}).")
                    : (path, $"The field '{path}' has a value of the wrong type or form (line {json.LineNumber + 1}).");
            }
        }

        if (bad.Message.Contains("no body was provided", StringComparison.Ordinal))
        {
            return ("body", "A JSON body is required.");
        }

        var match = BindFailure().Match(bad.Message);
        return match.Success
            ? (match.Groups["name"].Value, $"The value '{match.Groups["value"].Value}' of '{match.Groups["name"].Value}' has the wrong form.")
            : ("request", bad.Message);
    }

    [GeneratedRegex("""parameter "(?:[^"]* )?(?<name>\w+)" from "(?<value>[^"]*)"\.""")]
    private static partial Regex BindFailure();
}
