using System.ComponentModel.DataAnnotations;

namespace IoTPlatform.LockController.Pi.Agent.Outbox;

/// <summary>Configuration section <c>Outbox</c>: the store-and-forward queue and the seq counter. Checked by <see cref="Validate"/>.</summary>
public sealed class OutboxOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Outbox";

    /// <summary>The largest payload a record may ever hold (16 MiB); <see cref="MaxRecordBytes"/> may not exceed it.</summary>
    public const int HardMaxRecordBytes = 16 * 1024 * 1024;

    private const string Message = SectionName + ":{0} must be between {1} and {2}.";

    /// <summary>When the files are flushed to the disk.</summary>
    public OutboxFsyncPolicy FsyncPolicy { get; set; } = OutboxFsyncPolicy.Grouped;

    /// <summary><see cref="OutboxFsyncPolicy.Grouped"/>: the longest a reading or a removal waits for its flush (and the loss window of a power cut).</summary>
    [Range(1, 60_000, ErrorMessage = Message)]
    public int FsyncIntervalMilliseconds { get; set; } = 1000;

    /// <summary>The most the segment files may hold together (64 MiB); at the bound the oldest readings go first.</summary>
    [Range(typeof(long), "65536", "9223372036854775807", ErrorMessage = Message)]
    public long MaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>A segment is closed and a new one begun once it holds this much (1 MiB); at most a quarter of <see cref="MaxBytes"/>.</summary>
    [Range(typeof(long), "4096", "9223372036854775807", ErrorMessage = Message)]
    public long SegmentBytes { get; set; } = 1024 * 1024;

    /// <summary>The largest payload one append may carry (64 KiB, the broker's default payload limit); at most <see cref="SegmentBytes"/>.</summary>
    [Range(1, HardMaxRecordBytes, ErrorMessage = Message)]
    public int MaxRecordBytes { get; set; } = 64 * 1024;

    /// <summary>Seq values reserved per write of the seq file: a restart skips at most this many; one write per block.</summary>
    [Range(1, 1_000_000, ErrorMessage = Message)]
    public int SeqBlockSize { get; set; } = 1000;

    /// <summary>The problems with these options, each naming its setting; empty when they are good.</summary>
    public IReadOnlyList<string> Validate()
    {
        var context = new ValidationContext(this);
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, context, results, validateAllProperties: true);
        var errors = results.Select(r => r.ErrorMessage ?? "invalid").ToList();
        if (results.Count == 0)
        {
            errors.AddRange(Validate(context).Select(r => r.ErrorMessage ?? "invalid"));
        }

        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem.</summary>
    public void ThrowIfInvalid()
    {
        IReadOnlyList<string> errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid outbox configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)));
        }
    }

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enum.IsDefined(FsyncPolicy))
        {
            yield return new ValidationResult($"{SectionName}:FsyncPolicy = {FsyncPolicy} is not one of {string.Join(", ", Enum.GetNames<OutboxFsyncPolicy>())}.", [nameof(FsyncPolicy)]);
        }

        if (SegmentBytes > MaxBytes / 4)
        {
            yield return new ValidationResult($"{SectionName}:SegmentBytes = {SegmentBytes} must be at most a quarter of {SectionName}:MaxBytes ({MaxBytes / 4}), so that dropping at the bound frees room a segment at a time.", [nameof(SegmentBytes)]);
        }

        if (MaxRecordBytes > SegmentBytes)
        {
            yield return new ValidationResult($"{SectionName}:MaxRecordBytes = {MaxRecordBytes} must be at most {SectionName}:SegmentBytes ({SegmentBytes}).", [nameof(MaxRecordBytes)]);
        }
    }
}
