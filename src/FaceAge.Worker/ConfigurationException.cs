namespace FaceAge.Worker;

/// <summary>A bad setting, or one that cannot be put into effect (a port already taken); the message names the key.</summary>
public sealed class ConfigurationException(string message) : Exception(message);
