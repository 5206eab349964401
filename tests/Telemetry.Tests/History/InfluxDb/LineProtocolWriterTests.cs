using System.Globalization;
using IoTPlatform.Telemetry.History.InfluxDb;

namespace IoTPlatform.Telemetry.Tests.History.InfluxDb;

/// <summary>The escaping rules of InfluxDB line protocol (docs: "Line protocol reference", special characters).</summary>
public sealed class LineProtocolWriterTests
{
    [Test]
    public void A_point_is_measurement_tags_fields_and_time()
    {
        var text = new LineProtocolWriter()
            .Measurement("readings").Tag("device", "bike-0001").Tag("kind", "bike")
            .Field("seq", 7).Field("lat", 39.90421).Field("lock", "locked").Field("ok", true)
            .Timestamp(1_763_805_600_000_000_007).ToString();

        Assert.That(text, Is.EqualTo("readings,device=bike-0001,kind=bike seq=7i,lat=39.90421,lock=\"locked\",ok=true 1763805600000000007\n"));
    }

    [Test]
    public void Measurement_escapes_commas_and_spaces_but_not_equals_signs()
    {
        var text = new LineProtocolWriter().Measurement("a,b c=d").Field("f", 1).Timestamp(1).ToString();

        Assert.That(text, Is.EqualTo("a\\,b\\ c=d f=1i 1\n"));
    }

    [Test]
    public void Tag_keys_tag_values_and_field_keys_escape_commas_equals_signs_and_spaces()
    {
        var text = new LineProtocolWriter().Measurement("m").Tag("k,e=y z", "v,a=l u").Field("f,i=e ld", 1).Timestamp(1).ToString();

        Assert.That(text, Is.EqualTo("m,k\\,e\\=y\\ z=v\\,a\\=l\\ u f\\,i\\=e\\ ld=1i 1\n"));
    }

    [Test]
    public void String_field_values_escape_double_quotes_and_backslashes_and_keep_the_rest()
    {
        var text = new LineProtocolWriter().Measurement("m").Field("s", "say \"hi\" C:\\dir, a=b").Timestamp(1).ToString();

        Assert.That(text, Is.EqualTo("m s=\"say \\\"hi\\\" C:\\\\dir, a=b\" 1\n"));
    }

    [Test]
    public void Json_text_in_a_string_field_keeps_its_quotes_and_escapes()
    {
        var text = new LineProtocolWriter().Measurement("m").Field("slots", "[{\"item\":\"a\\u00e9\"}]").Timestamp(1).ToString();

        Assert.That(text, Is.EqualTo("m slots=\"[{\\\"item\\\":\\\"a\\\\u00e9\\\"}]\" 1\n"));
    }

    [TestCase("line\nbreak")]
    [TestCase("carriage\rreturn")]
    [TestCase("tab\tstop")]
    [TestCase("nul\0")]
    public void No_control_character_gets_into_a_line(string text)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => new LineProtocolWriter().Measurement(text), Throws.ArgumentException);
            Assert.That(() => new LineProtocolWriter().Measurement("m").Tag(text, "v"), Throws.ArgumentException);
            Assert.That(() => new LineProtocolWriter().Measurement("m").Tag("k", text), Throws.ArgumentException);
            Assert.That(() => new LineProtocolWriter().Measurement("m").Field(text, 1), Throws.ArgumentException);
            Assert.That(() => new LineProtocolWriter().Measurement("m").Field("f", text), Throws.ArgumentException);
        }
    }

    [Test]
    public void Names_must_not_be_empty_nor_end_with_a_backslash_that_would_escape_the_separator()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => new LineProtocolWriter().Measurement(string.Empty), Throws.ArgumentException);
            Assert.That(() => new LineProtocolWriter().Measurement("m").Tag("k", string.Empty), Throws.ArgumentException);
            Assert.That(() => new LineProtocolWriter().Measurement("m").Tag("k", "v\\"), Throws.ArgumentException);
        }
    }

    [Test]
    public void Integers_carry_the_i_suffix_and_floats_never_do()
    {
        var text = new LineProtocolWriter().Measurement("m")
            .Field("i", long.MinValue).Field("whole", 40.0).Field("neg", -0.5).Timestamp(1).ToString();

        Assert.That(text, Is.EqualTo("m i=-9223372036854775808i,whole=40,neg=-0.5 1\n"));
    }

    [Test]
    [SetCulture("de-DE")]
    public void Floats_are_invariant_and_round_trip_under_a_foreign_culture()
    {
        double[] values = [0.1 + 0.2, 1e-5, 1.7976931348623157e308, 116.40739, double.Epsilon];
        var writer = new LineProtocolWriter().Measurement("m");
        for (var i = 0; i < values.Length; i++)
        {
            writer.Field($"f{i}", values[i]);
        }

        var fields = writer.Timestamp(1).ToString().Split(' ')[1].Split(',');

        Assert.That(
            fields.Select(f => double.Parse(f.Split('=')[1], NumberStyles.Float, CultureInfo.InvariantCulture)),
            Is.EqualTo(values));
    }

    [Test]
    public void Not_a_number_and_infinities_are_refused()
    {
        Assert.That(() => new LineProtocolWriter().Measurement("m").Field("f", double.NaN), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new LineProtocolWriter().Measurement("m").Field("f", double.PositiveInfinity), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void A_point_needs_a_field_and_tags_come_before_fields()
    {
        Assert.That(() => new LineProtocolWriter().Measurement("m").Tag("k", "v").Timestamp(1), Throws.InvalidOperationException);
        Assert.That(() => new LineProtocolWriter().Measurement("m").Field("f", 1).Tag("k", "v"), Throws.InvalidOperationException);
    }

    [Test]
    public void Lines_are_counted_and_cleared()
    {
        var writer = new LineProtocolWriter();
        writer.Measurement("m").Field("f", 1).Timestamp(1);
        writer.Measurement("m").Field("f", 2).Timestamp(2);

        Assert.That((writer.LineCount, writer.ToString()), Is.EqualTo((2, "m f=1i 1\nm f=2i 2\n")));
        writer.Clear();
        Assert.That((writer.LineCount, writer.ToString()), Is.EqualTo((0, string.Empty)));
    }
}
