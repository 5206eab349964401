using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace IoTPlatform.DeviceProtocol;

/// <summary>
/// Turns a serializer exception on a payload that passed <see cref="JsonPrescan"/> into a stable reason.
/// It does not read exception messages: it walks the exception's JSON path through the payload (to
/// find the offending token) and through the source-generated metadata (to find the expected type).
/// Runs on the error path only.
/// </summary>
internal static class DecodeErrorClassifier
{
    private const int MaxShownValue = 40;

    public static DecodeError Classify(JsonException exception, ReadOnlySpan<byte> json, JsonTypeInfo root)
    {
        var path = string.IsNullOrEmpty(exception.Path) ? "$" : exception.Path;
        var steps = ParsePath(path);
        var expected = steps is null ? null : ExpectedAt(root, steps);
        var found = steps is null ? null : Locate(json, steps);
        var field = steps?.LastOrDefault(s => s.Name is not null)?.Name ?? path;
        var type = expected is null ? null : Nullable.GetUnderlyingType(expected.Type) ?? expected.Type;

        if (found is null || type is null)
        {
            return new DecodeError(DecodeReasons.WrongType, path, $"'{field}' has a value of the wrong type.");
        }

        if (exception.InnerException is FormatException or OverflowException
            || (found.Token == JsonTokenType.Number && IsNumber(type)))
        {
            return new DecodeError(DecodeReasons.InvalidValue, path,
                $"'{field}' is {found.Raw}, which is not a valid {NumberName(type)}.");
        }

        if (found.Token == JsonTokenType.String && type.IsEnum)
        {
            return new DecodeError(DecodeReasons.InvalidValue, path, $"'{field}' has the unknown value {found.Raw}.");
        }

        if (found.Token == JsonTokenType.StartObject && expected!.Kind == JsonTypeInfoKind.Object && found.Names is not null)
        {
            var missing = expected.Properties.Where(p => p.IsRequired && !found.Names.Contains(p.Name)).Select(p => p.Name).ToList();
            if (missing.Count > 0)
            {
                var missingPath = path == "$" ? "$." + missing[0] : path + "." + missing[0];
                return new DecodeError(DecodeReasons.MissingField, missingPath,
                    $"Required field '{missing[0]}' is missing{(path == "$" ? string.Empty : " in " + path)}.");
            }
        }

        return new DecodeError(DecodeReasons.WrongType, path,
            $"'{field}' must be {ExpectedName(expected!, type)}, not {JsonPrescan.Describe(found.Token)}.");
    }

    private static bool IsNumber(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(double) || type == typeof(float)
        || type == typeof(decimal) || type == typeof(short) || type == typeof(byte);

    private static string NumberName(Type type) =>
        type == typeof(int) ? "32-bit integer"
        : type == typeof(long) ? "64-bit integer"
        : type == typeof(double) ? "finite number"
        : type.Name;

    private static string ExpectedName(JsonTypeInfo expected, Type type) =>
        type.IsEnum || type == typeof(string) ? "a string"
        : IsNumber(type) ? "a number"
        : type == typeof(bool) ? "a boolean"
        : expected.Kind == JsonTypeInfoKind.Enumerable ? "an array"
        : expected.Kind == JsonTypeInfoKind.Object ? "an object"
        : type.Name;

    private static JsonTypeInfo? ExpectedAt(JsonTypeInfo root, List<Step> steps)
    {
        var current = root;
        foreach (var step in steps)
        {
            Type? next;
            if (step.Name is not null)
            {
                next = current.Kind == JsonTypeInfoKind.Object
                    ? current.Properties.FirstOrDefault(p => p.Name == step.Name)?.PropertyType
                    : null;
            }
            else
            {
                next = current.Kind == JsonTypeInfoKind.Enumerable ? current.ElementType : null;
            }

            if (next is null)
            {
                return null;
            }

            current = current.Options.GetTypeInfo(next);
        }

        return current;
    }

    private static Found? Locate(ReadOnlySpan<byte> json, List<Step> steps)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read())
        {
            return null;
        }

        foreach (var step in steps)
        {
            if (!Enter(ref reader, step))
            {
                return null;
            }
        }

        var token = reader.TokenType;
        string raw;
        List<string>? names = null;
        if (token == JsonTokenType.StartObject)
        {
            raw = "{…}";
            names = [];
            var depth = reader.CurrentDepth;
            while (reader.Read() && reader.CurrentDepth > depth)
            {
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    names.Add(reader.GetString()!);
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        else if (token == JsonTokenType.StartArray)
        {
            raw = "[…]";
        }
        else
        {
            var bytes = reader.ValueSpan.ToArray(); // a single-span reader never has a value sequence
            raw = Encoding.UTF8.GetString(bytes);
            raw = token == JsonTokenType.String ? "\"" + raw + "\"" : raw;
            if (raw.Length > MaxShownValue)
            {
                raw = raw[..MaxShownValue] + "…";
            }
        }

        return new Found(token, raw, names);
    }

    private static bool Enter(ref Utf8JsonReader reader, Step step)
    {
        if (step.Name is not null)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var match = reader.ValueTextEquals(step.Name);
                reader.Read();
                if (match)
                {
                    return true;
                }

                reader.Skip();
            }

            return false;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (index++ == step.Index)
            {
                return true;
            }

            reader.Skip();
        }

        return false;
    }

    /// <summary>Parses System.Text.Json's paths: <c>$</c>, <c>.name</c>, <c>['name']</c>, <c>[3]</c>.</summary>
    internal static List<Step>? ParsePath(string path)
    {
        if (!path.StartsWith('$'))
        {
            return null;
        }

        var steps = new List<Step>();
        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                steps.Add(new Step(path[(i + 1)..end], -1));
                i = end;
            }
            else if (path.AsSpan(i).StartsWith("['", StringComparison.Ordinal))
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    return null;
                }

                steps.Add(new Step(path[(i + 2)..end].Replace("\\'", "'", StringComparison.Ordinal), -1));
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0 || !int.TryParse(path.AsSpan(i + 1, end - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    return null;
                }

                steps.Add(new Step(null, index));
                i = end + 1;
            }
            else
            {
                return null;
            }
        }

        return steps;
    }

    internal sealed record Step(string? Name, int Index);

    private sealed record Found(JsonTokenType Token, string Raw, List<string>? Names);
}
