using System.Globalization;
using System.Text.Json;

namespace Greengage.Engine.Targeting;

/// <summary>One value of a user as a criterion sees it: missing, text, a number, a boolean or a time (Unix ms).</summary>
internal readonly record struct Field(FieldKind Kind, string? Text = null, double Number = 0)
{
    public static readonly Field Missing = new(FieldKind.Missing);

    public static Field Of(string? text) => text is null ? Missing : new(FieldKind.Text, text);

    public static Field Of(double number) => new(FieldKind.Number, Number: number);

    public static Field Of(bool value) => new(FieldKind.Bool, Number: value ? 1 : 0);

    public static Field Time(long? ms) => ms is { } t ? new(FieldKind.Time, Number: t) : Missing;

    public static Field Of(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => new(FieldKind.Text, value.GetString()),
        JsonValueKind.Number => new(FieldKind.Number, Number: value.GetDouble()),
        JsonValueKind.True => Of(true),
        JsonValueKind.False => Of(false),
        JsonValueKind.Null or JsonValueKind.Undefined => Missing,
        _ => new(FieldKind.Text, value.GetRawText()),
    };

    public bool IsMissing => Kind == FieldKind.Missing;

    /// <summary>The value as a number, if it is one or is text that reads as one.</summary>
    public bool TryNumber(out double number)
    {
        number = Number;
        return Kind is FieldKind.Number or FieldKind.Time or FieldKind.Bool
            || (Kind == FieldKind.Text && double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out number));
    }

    /// <summary>The value as a time (Unix ms): a time; a number of seconds (below 10^11) or milliseconds; ISO-8601 text.</summary>
    public bool TryTime(out double ms)
    {
        ms = 0;
        switch (Kind)
        {
            case FieldKind.Time:
                ms = Number;
                return true;
            case FieldKind.Number:
                ms = Math.Abs(Number) < 1e11 ? Number * 1000 : Number;
                return true;
            case FieldKind.Text when RuleValues.TryAbsoluteDate(Text!, out var at):
                ms = at;
                return true;
            case FieldKind.Text when double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n):
                ms = Math.Abs(n) < 1e11 ? n * 1000 : n;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The value as text: numbers in their shortest invariant form, booleans as <c>true</c>/<c>false</c>.</summary>
    public string AsText() => Kind switch
    {
        FieldKind.Text => Text!,
        FieldKind.Bool => Number != 0 ? "true" : "false",
        FieldKind.Missing => "",
        _ => Number.ToString("R", CultureInfo.InvariantCulture),
    };
}

internal enum FieldKind
{
    Missing,
    Text,
    Number,
    Bool,
    Time,
}
