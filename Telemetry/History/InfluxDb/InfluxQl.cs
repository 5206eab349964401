using System.Text;

namespace IoTPlatform.Telemetry.History.InfluxDb;

/// <summary>Quoting for InfluxQL text: identifiers in double quotes, string literals in single quotes.</summary>
internal static class InfluxQl
{
    /// <summary><c>"name"</c>, with backslashes and double quotes escaped.</summary>
    public static string Identifier(string name) => Quote(name, '"');

    /// <summary><c>'text'</c>, with backslashes and single quotes escaped.</summary>
    public static string Literal(string text) => Quote(text, '\'');

    private static string Quote(string text, char quote)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(text.Length + 2).Append(quote);
        foreach (var c in text)
        {
            if (c == quote || c == '\\')
            {
                builder.Append('\\');
            }
            else if (char.IsControl(c))
            {
                throw new ArgumentException($"InfluxQL text can not carry a control character (U+{(int)c:X4}).", nameof(text));
            }

            builder.Append(c);
        }

        return builder.Append(quote).ToString();
    }
}
