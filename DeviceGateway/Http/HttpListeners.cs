using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace IoTPlatform.DeviceGateway.Http;

/// <summary>
/// Binds the HTTP URLs (<c>--urls</c>, default <see cref="GatewayApp.DefaultUrl"/>) explicitly: Kestrel ignores
/// <c>--urls</c> once any listener is configured in code, and the MQTT TCP listener is.
/// </summary>
internal static class HttpListeners
{
    public static void ListenUrls(this KestrelServerOptions kestrel, string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var address = BindingAddress.Parse(url);
            if (!string.Equals(address.Scheme, "http", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"--urls '{url}': only http:// is served here; terminate TLS in front of the gateway.");
            }

            switch (address.Host)
            {
                case "localhost":
                    kestrel.ListenLocalhost(address.Port);
                    break;
                case "*" or "+" or "0.0.0.0" or "[::]":
                    kestrel.ListenAnyIP(address.Port);
                    break;
                default:
                    if (!IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip))
                    {
                        throw new InvalidOperationException($"--urls '{url}': the host must be an IP address, localhost or *.");
                    }

                    kestrel.Listen(ip, address.Port);
                    break;
            }
        }
    }
}
