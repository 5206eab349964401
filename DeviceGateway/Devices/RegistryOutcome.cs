namespace IoTPlatform.DeviceGateway.Devices;

/// <summary>Why a registry change did not happen.</summary>
public enum RegistryOutcome
{
    Done,
    NotFound,
    AlreadyExists,
    Decommissioned,
}
