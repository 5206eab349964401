using System.Text;

namespace IoTPlatform.DeviceProtocol.Tests;

/// <summary>Every way a telemetry payload can be bad gives a stable reason, a path and no exception.</summary>
[TestFixture]
[SetCulture("de-DE")]
[SetUICulture("de-DE")]
public sealed class DecodeErrorTests
{
    private const string Ok = """ "seq":1,"ts":1763805600000 """;

    /// <summary>(payload, reason, path, a word the message must name).</summary>
    public static IEnumerable<TestCaseData> BadReadings()
    {
        static TestCaseData Case(string name, byte[] payload, string reason, string path, string mention) =>
            new TestCaseData(payload, reason, path, mention).SetName($"{reason}: {name}");
        static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

        yield return Case("no bytes", [], DecodeReasons.Empty, "$", "empty");
        yield return Case("whitespace", B(" \r\n\t "), DecodeReasons.Empty, "$", "empty");
        yield return Case("empty array", B("[]"), DecodeReasons.Empty, "$", "no items");
        yield return Case("over 1 MiB", B(new string(' ', PayloadCodec.MaxPayloadBytes + 1)), DecodeReasons.TooLarge, "$", "1048576");
        yield return Case("invalid UTF-8 in a string", [.. B("""{"seq":1,"ts":2,"item":"""), 0x22, 0xC3, 0x28, 0x22, 0x7D], DecodeReasons.NotUtf8, "$", "UTF-8");
        yield return Case("UTF-16 payload", Encoding.Unicode.GetBytes("""{"seq":1,"ts":2}"""), DecodeReasons.MalformedJson, "$", "line 1");
        yield return Case("truncated", B("""{"seq":1,"ts":"""), DecodeReasons.MalformedJson, "$", "line");
        yield return Case("unquoted name", B("{seq:1,ts:2}"), DecodeReasons.MalformedJson, "$", "byte 2");
        yield return Case("trailing comma", B($$"""{{{Ok}},}"""), DecodeReasons.MalformedJson, "$", "line");
        yield return Case("comment", B($$"""// hi{{"\n"}}{{{Ok}}}"""), DecodeReasons.MalformedJson, "$", "line 1");
        yield return Case("two documents", B($$"""{{{Ok}}} {{{Ok}}}"""), DecodeReasons.MalformedJson, "$", "line");
        yield return Case("NaN literal", B($$"""{{{Ok}},"lat":NaN,"lon":1}"""), DecodeReasons.MalformedJson, "$", "line");
        yield return Case("leading zero", B("""{"seq":01,"ts":2}"""), DecodeReasons.MalformedJson, "$", "line");
        yield return Case("nested too deep", B($$"""{{{Ok}},"x":[[[[[[[[1]]]]]]]]}"""), DecodeReasons.TooDeep, "$", "8 levels");
        yield return Case("10000 open brackets", B("{\"x\":" + new string('[', 10_000)), DecodeReasons.TooDeep, "$", "8 levels");
        yield return Case("array of arrays", B(new string('[', 10_000)), DecodeReasons.WrongType, "$[0]", "an array");
        yield return Case("1001 readings", B("[" + string.Join(",", Enumerable.Repeat("{}", PayloadCodec.MaxItems + 1)) + "]"), DecodeReasons.TooManyItems, "$", "1000");
        yield return Case("string document", B("\"hello\""), DecodeReasons.WrongType, "$", "a string");
        yield return Case("number document", B("42"), DecodeReasons.WrongType, "$", "a number");
        yield return Case("null document", B("null"), DecodeReasons.WrongType, "$", "null");
        yield return Case("array of numbers", B($$"""[{{{Ok}}},3]"""), DecodeReasons.WrongType, "$[1]", "a number");
        yield return Case("seq as string", B("""{"seq":"1042","ts":1763805600000}"""), DecodeReasons.WrongType, "$.seq", "seq");
        yield return Case("seq null", B("""{"seq":null,"ts":1763805600000}"""), DecodeReasons.WrongType, "$.seq", "seq");
        yield return Case("lat as string", B($$"""{{{Ok}},"lat":"39.9","lon":116.4}"""), DecodeReasons.WrongType, "$.lat", "lat");
        yield return Case("lock as number", B($$"""{{{Ok}},"lock":1}"""), DecodeReasons.WrongType, "$.lock", "lock");
        yield return Case("battery as boolean", B($$"""{{{Ok}},"battery":true}"""), DecodeReasons.WrongType, "$.battery", "battery");
        yield return Case("slots as object", B("""{"seq":1,"ts":1763805600000,"slots":{"n":1} }"""), DecodeReasons.WrongType, "$.slots", "slots");
        yield return Case("slot null", B($$"""{{{Ok}},"slots":[null]}"""), DecodeReasons.WrongType, "$.slots[0]", "slots[0]");
        yield return Case("slot n as string", B($$"""{{{Ok}},"slots":[{"n":"1","state":"empty"}]}"""), DecodeReasons.WrongType, "$.slots[0].n", "'n'");
        yield return Case("item as number", B($$"""{{{Ok}},"slots":[{"n":1,"state":"empty","item":42}]}"""), DecodeReasons.WrongType, "$.slots[0].item", "item");
        yield return Case("seq absent", B("""{"ts":1763805600000}"""), DecodeReasons.MissingField, "$.seq", "seq");
        yield return Case("ts absent", B("""{"seq":1}"""), DecodeReasons.MissingField, "$.ts", "ts");
        yield return Case("names are case-sensitive", B("""{"SEQ":1,"ts":2}"""), DecodeReasons.MissingField, "$.seq", "seq");
        yield return Case("empty object", B("{}"), DecodeReasons.MissingField, "$.seq", "seq");
        yield return Case("second reading lacks ts", B($$"""[{{{Ok}}},{"seq":2}]"""), DecodeReasons.MissingField, "$[1].ts", "ts");
        yield return Case("slot lacks n", B($$"""{{{Ok}},"slots":[{"state":"empty"}]}"""), DecodeReasons.MissingField, "$.slots[0].n", "'n'");
        yield return Case("seq beyond long", B("""{"seq":99999999999999999999,"ts":2}"""), DecodeReasons.InvalidValue, "$.seq", "99999999999999999999");
        yield return Case("sats beyond int", B($$"""{{{Ok}},"sats":99999999999}"""), DecodeReasons.InvalidValue, "$.sats", "sats");
        yield return Case("fraction for an integer", B($$"""{{{Ok}},"sats":9.5}"""), DecodeReasons.InvalidValue, "$.sats", "9.5");
        yield return Case("exponent for an integer", B($$"""{{{Ok}},"battery":1e2}"""), DecodeReasons.InvalidValue, "$.battery", "battery");
        yield return Case("1e400 for a double", B($$"""{{{Ok}},"lat":1e400,"lon":1}"""), DecodeReasons.InvalidValue, "$.lat", "finite");
        yield return Case("-1e400 for a double", B($$"""{{{Ok}},"alt":-1e400}"""), DecodeReasons.InvalidValue, "$.alt", "alt");
        yield return Case("1e400 in the 2nd reading", B($$"""[{{{Ok}}},{{{Ok}},"speed":1e400}]"""), DecodeReasons.InvalidValue, "$[1].speed", "speed");
        yield return Case("unknown lock state", B($$"""{{{Ok}},"lock":"open"}"""), DecodeReasons.InvalidValue, "$.lock", "\"open\"");
        yield return Case("numeric string for an enum", B($$"""{{{Ok}},"lock":"1"}"""), DecodeReasons.InvalidValue, "$.lock", "lock");
        yield return Case("unknown slot state", B($$"""{{{Ok}},"slots":[{"n":1,"state":"broken"}]}"""), DecodeReasons.InvalidValue, "$.slots[0].state", "state");
        yield return Case("unknown state in the 3rd reading", B($$"""[{{{Ok}}},{{{Ok}}},{{{Ok}},"lock":"wobbly"}]"""), DecodeReasons.InvalidValue, "$[2].lock", "wobbly");
    }

    [TestCaseSource(nameof(BadReadings))]
    public void Bad_reading_payload_is_refused_with_its_reason(byte[] payload, string reason, string path, string mention)
    {
        var decoded = PayloadCodec.TryDecodeReadings(payload, out var readings, out var error);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(decoded, Is.False);
            Assert.That(readings, Is.Null);
            Assert.That(error!.Reason, Is.EqualTo(reason), error.ToString());
            Assert.That(error.Path, Is.EqualTo(path), error.ToString());
            Assert.That(error.Message, Does.Contain(mention), error.ToString());
        }
    }

    [Test]
    public void The_cases_cover_every_decode_reason()
    {
        var covered = BadReadings().Select(c => (string)c.Arguments[1]!).ToHashSet();
        Assert.That(covered, Is.SupersetOf(DecodeReasons.All));
    }

    [Test]
    public void Reason_codes_are_unique_kebab_case()
    {
        Assert.That(DecodeReasons.All, Is.Unique);
        Assert.That(DecodeReasons.All, Has.All.Match("^[a-z0-9]+(-[a-z0-9]+)*$"));
    }
}
