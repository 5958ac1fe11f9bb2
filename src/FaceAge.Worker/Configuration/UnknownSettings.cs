using System.Collections;
using System.Reflection;

namespace FaceAge.Worker.Configuration;

/// <summary>
/// Settings that nothing reads — usually a typo ("Pipeline:SamplesPerSecondPerTrak") — found by walking the
/// configuration against the option types. They are reported as warnings naming the full key; the
/// worker still starts, with the default in place of what was meant.
/// </summary>
public static class UnknownSettings
{
    /// <summary>
    /// Top-level keys the host or ASP.NET Core read themselves, and FaceAge's own FACEAGE_ variables that are not
    /// settings (FACEAGE_CONFIG, FACEAGE_MODELS, FACEAGE_SHARED become these keys once the prefix is taken off).
    /// </summary>
    private static readonly HashSet<string> HostKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "Logging", "AllowedHosts", "Kestrel", "Urls", "Environment", "ContentRoot", "ApplicationName", "HostingStartupAssemblies",
        "HostingStartupExcludeAssemblies", "PreventHostingStartup", "ShutdownTimeoutSeconds", "DetailedErrors", "HttpPorts", "HttpsPorts",
        "CONFIG", "MODELS", "SHARED",
    };

    /// <summary>
    /// The sources of <paramref name="configuration"/> that hold the user's settings: settings files (JSON), the
    /// FACEAGE_-prefixed environment variables and the command line — not the host's unprefixed environment variables.
    /// </summary>
    public static IConfiguration UserSettings(IConfigurationBuilder configuration)
    {
        var builder = new ConfigurationBuilder();
        foreach (var source in configuration.Sources)
        {
            bool user = source switch
            {
                Microsoft.Extensions.Configuration.Json.JsonConfigurationSource => true,
                Microsoft.Extensions.Configuration.CommandLine.CommandLineConfigurationSource => true,
                Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource env => env.Prefix == EnvironmentPrefix,
                _ => false,
            };
            if (user) builder.Add(source);
        }
        return builder.Build();
    }

    /// <summary>Environment variables with this prefix are settings (FACEAGE_Pipeline__BatchSize = Pipeline:BatchSize).</summary>
    public const string EnvironmentPrefix = "FACEAGE_";

    public static IEnumerable<string> Find(IConfiguration configuration, IReadOnlyDictionary<string, Type> sections)
    {
        foreach (var child in configuration.GetChildren())
        {
            var match = sections.Keys.FirstOrDefault(k => string.Equals(k, child.Key, StringComparison.OrdinalIgnoreCase));
            if (match is not null)
            {
                foreach (var key in Walk(child, sections[match])) yield return key;
            }
            else if (!HostKeys.Contains(child.Key))
                yield return child.Path;
        }
    }

    private static IEnumerable<string> Walk(IConfigurationSection section, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsLeaf(type))
        {
            foreach (var child in section.GetChildren()) yield return child.Path;
            yield break;
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() is var def
            && (def == typeof(Dictionary<,>) || def == typeof(IReadOnlyDictionary<,>) || def == typeof(IDictionary<,>)))
            yield break; // free-form keys
        if (ElementType(type) is { } element)
        {
            foreach (var item in section.GetChildren())
                foreach (var key in Walk(item, element)) yield return key;
            yield break;
        }
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToDictionary(p => p.Name, p => p.PropertyType,
            StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var propertyType)) yield return child.Path;
            else foreach (var key in Walk(child, propertyType)) yield return key;
        }
    }

    private static bool IsLeaf(Type t) => t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan)
        || t == typeof(DateTimeOffset) || t == typeof(DateTime) || t == typeof(Uri);

    private static Type? ElementType(Type t)
    {
        if (t.IsArray) return t.GetElementType();
        if (t.IsGenericType && typeof(IEnumerable).IsAssignableFrom(t)) return t.GetGenericArguments()[0];
        return null;
    }
}
