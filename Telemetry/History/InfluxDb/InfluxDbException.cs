using System.Net;

namespace IoTPlatform.Telemetry.History.InfluxDb;

/// <summary>InfluxDB refused a request or failed it; <see cref="Exception.Message"/> carries the server's own error text.</summary>
public sealed class InfluxDbException : Exception
{
    public InfluxDbException()
    {
    }

    public InfluxDbException(string message)
        : base(message)
    {
    }

    public InfluxDbException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public InfluxDbException(string message, HttpStatusCode? statusCode, string? serverError)
        : base(message)
    {
        StatusCode = statusCode;
        ServerError = serverError;
    }

    /// <summary>The HTTP status of the answer; null when the error came inside a 200 answer (a statement's error).</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The server's error text as it sent it.</summary>
    public string? ServerError { get; }
}
