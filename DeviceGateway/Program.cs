using IoTPlatform.DeviceGateway;

// The backend: embedded defaults (HTTP on 127.0.0.1:8080, state in ./data); see GatewayApp for its parts.
await GatewayApp.Build(args).RunAsync();
