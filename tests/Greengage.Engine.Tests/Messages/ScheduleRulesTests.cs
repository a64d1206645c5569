using Greengage.Engine.Messages;
using Greengage.Engine.Users;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Tests.Messages;

/// <summary>The clock of scheduled sends: occurrences, the instant each reaches a user in their zone, clock changes.</summary>
public sealed class ScheduleRulesTests
{
    private static UserState UserIn(string? zone, long? offsetSeconds = null)
    {
        var state = new UserState();
        state.Profile.Locale = new LocaleInfo { Timezone = zone, TimezoneOffsetSeconds = offsetSeconds };
        return state;
    }

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void InUsersZones_TheSameLocalTime_IsADifferentInstantForTokyoBerlinAndNewYork()
    {
        var schedule = new MessageSchedule("2026-12-10T09:00", ScheduleRules.UserTimeZone, ScheduleRules.Once);

        Assert.Equal(Utc("2026-12-10T00:00:00"), ScheduleRules.InstantFor(schedule, 0, UserIn("Asia/Tokyo")));
        Assert.Equal(Utc("2026-12-10T08:00:00"), ScheduleRules.InstantFor(schedule, 0, UserIn("Europe/Berlin")));
        Assert.Equal(Utc("2026-12-10T14:00:00"), ScheduleRules.InstantFor(schedule, 0, UserIn("America/New_York")));
        // Without a zone id: the reported offset; without either: the fallback, UTC unless set.
        Assert.Equal(Utc("2026-12-10T03:30:00"), ScheduleRules.InstantFor(schedule, 0, UserIn(null, 5 * 3600 + 1800)));
        Assert.Equal(Utc("2026-12-10T09:00:00"), ScheduleRules.InstantFor(schedule, 0, UserIn(null)));
        Assert.Equal(Utc("2026-12-10T17:00:00"), ScheduleRules.InstantFor(schedule with { FallbackTimeZone = "America/Los_Angeles" }, 0, UserIn("Not/AZone")));
    }

    [Fact]
    public void AnOccurrenceInUsersZones_SpansFromUtcPlus14ToUtcMinus12_AndIsDueFromItsFirstInstant()
    {
        var schedule = new MessageSchedule("2026-12-10T09:00", ScheduleRules.UserTimeZone, ScheduleRules.Once);
        Assert.Equal(Utc("2026-12-09T19:00:00"), ScheduleRules.FirstInstant(schedule, 0));
        Assert.Equal(Utc("2026-12-10T21:00:00"), ScheduleRules.LastInstant(schedule, 0));

        var live = Utc("2026-12-01T00:00:00");
        Assert.Null(ScheduleRules.Due(schedule, live, Utc("2026-12-09T18:59:59")));
        Assert.Equal(0, ScheduleRules.Due(schedule, live, Utc("2026-12-09T19:00:00")));
        Assert.Equal(0, ScheduleRules.Due(schedule, live, Utc("2027-06-01T00:00:00")));
        // Live only after the last zone's time had passed: due within the grace (a schedule set for "now"), never after.
        Assert.Equal(0, ScheduleRules.Due(schedule, Utc("2026-12-10T21:15:00"), Utc("2026-12-11T00:00:00")));
        Assert.Null(ScheduleRules.Due(schedule, Utc("2026-12-10T21:15:01"), Utc("2026-12-11T00:00:00")));
    }

    [Fact]
    public void Recurring_DailyAndWeekly_CountOccurrencesFromTheFirst_AcrossAClockChange()
    {
        // Berlin moves its clocks forward on 2027-03-28: 09:00 local is 08:00 UTC before and 07:00 UTC after.
        var daily = new MessageSchedule("2027-03-26T09:00", "Europe/Berlin", ScheduleRules.Daily);
        var live = Utc("2027-03-01T00:00:00");
        Assert.Equal(Utc("2027-03-27T08:00:00"), ScheduleRules.FirstInstant(daily, 1));
        Assert.Equal(Utc("2027-03-28T07:00:00"), ScheduleRules.FirstInstant(daily, 2));
        Assert.Equal(1, ScheduleRules.Due(daily, live, Utc("2027-03-28T06:59:59")));
        Assert.Equal(2, ScheduleRules.Due(daily, live, Utc("2027-03-28T07:00:00")));
        Assert.Equal(33, ScheduleRules.Due(daily, live, Utc("2027-04-28T07:00:00")));

        var weekly = new MessageSchedule("2026-12-07T18:30", "UTC", ScheduleRules.Weekly);
        live = Utc("2026-12-01T00:00:00");
        Assert.Equal(0, ScheduleRules.Due(weekly, live, Utc("2026-12-14T18:29:59")));
        Assert.Equal(1, ScheduleRules.Due(weekly, live, Utc("2026-12-14T18:30:00")));
        Assert.Equal(Utc("2026-12-21T18:30:00"), ScheduleRules.FirstInstant(weekly, 2));
    }

    [Fact]
    public void ALocalTimeSkippedByTheClocks_IsSentAtTheNextValidTime()
    {
        // New York skips 02:00-03:00 on 2027-03-14.
        var schedule = new MessageSchedule("2027-03-14T02:30", ScheduleRules.UserTimeZone, ScheduleRules.Once);
        Assert.Equal(Utc("2027-03-14T07:00:00"), ScheduleRules.InstantFor(schedule, 0, UserIn("America/New_York")));
    }

    [Theory]
    [InlineData("2026-12-10 09:00", "UTC", "once", "schedule.at")]
    [InlineData("2026-12-10T09:00+01:00", "UTC", "once", "schedule.at")]
    [InlineData("2026-12-10T09:00", "Mars/Olympus", "once", "schedule.timeZone")]
    [InlineData("2026-12-10T09:00", "UTC", "hourly", "schedule.repeat")]
    public void Problem_NamesWhatIsWrong(string at, string zone, string repeat, string expected)
    {
        Assert.StartsWith(expected, ScheduleRules.Problem(new MessageSchedule(at, zone, repeat)), StringComparison.Ordinal);
        Assert.Null(ScheduleRules.Problem(new MessageSchedule("2026-12-10T09:00", "Europe/Berlin", "weekly")));
    }
}
