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

    [Theory]
    // New York skips 02:00-03:00 on 2027-03-14 (EST, UTC-5, before): 02:30 is 03:30, 02:45 is 03:45.
    [InlineData("America/New_York", "2027-03-14T02:00", "2027-03-14T07:00:00")]
    [InlineData("America/New_York", "2027-03-14T02:30", "2027-03-14T07:30:00")]
    [InlineData("America/New_York", "2027-03-14T02:45", "2027-03-14T07:45:00")]
    [InlineData("America/New_York", "2027-03-14T03:00", "2027-03-14T07:00:00")]
    // London skips 01:00-02:00 on 2027-03-28 (GMT before).
    [InlineData("Europe/London", "2027-03-28T01:30", "2027-03-28T01:30:00")]
    // Lord Howe moves by 30 minutes: it skips 02:00-02:30 on 2026-10-04 (UTC+10:30 before).
    [InlineData("Australia/Lord_Howe", "2026-10-04T02:00", "2026-10-03T15:30:00")]
    [InlineData("Australia/Lord_Howe", "2026-10-04T02:15", "2026-10-03T15:45:00")]
    [InlineData("Australia/Lord_Howe", "2026-10-04T02:30", "2026-10-03T15:30:00")]
    public void InstantIn_ALocalTimeTheClocksSkip_IsShiftedByTheLengthOfTheSkip(string zone, string local, string utc)
    {
        Assert.True(ScheduleRules.TryParseLocal(local, out var at));
        Assert.Equal(Utc(utc), ScheduleRules.InstantIn(at, ScheduleRules.Zone(zone)!));
    }

    [Fact]
    public void InstantIn_ASkipNotOnAHalfHour_IsShiftedByItsOwnLength()
    {
        // A zone whose clocks go forward 45 minutes at 02:00 on the last Sunday of March: 02:40 does not exist and is
        // 03:25 (02:40 at UTC+0, the offset before), not the first valid half hour after it.
        var rule = TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(DateTime.MinValue.Date, DateTime.MaxValue.Date, TimeSpan.FromMinutes(45),
            TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 3, 5, DayOfWeek.Sunday),
            TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 10, 5, DayOfWeek.Sunday));
        var zone = TimeZoneInfo.CreateCustomTimeZone("Test/Forty_Five", TimeSpan.Zero, "Forty-five", "Standard", "Daylight", [rule]);
        var local = new DateTime(2027, 3, 28, 2, 40, 0);
        Assert.True(zone.IsInvalidTime(local));

        var instant = ScheduleRules.InstantIn(local, zone);

        Assert.Equal(Utc("2027-03-28T02:40:00"), instant);
        Assert.Equal(new DateTime(2027, 3, 28, 3, 25, 0), TimeZoneInfo.ConvertTime(instant, zone).DateTime);
    }

    [Theory]
    // New York goes back from 02:00 EDT to 01:00 EST on 2026-11-01: 01:30 is first at UTC-4.
    [InlineData("America/New_York", "2026-11-01T01:30", "2026-11-01T05:30:00")]
    // London goes back from 02:00 BST to 01:00 GMT on 2026-10-25.
    [InlineData("Europe/London", "2026-10-25T01:30", "2026-10-25T00:30:00")]
    // Lord Howe goes back from 02:00 (UTC+11) to 01:30 (UTC+10:30) on 2027-04-04.
    [InlineData("Australia/Lord_Howe", "2027-04-04T01:45", "2027-04-03T14:45:00")]
    public void InstantIn_ALocalTimeThatHappensTwice_IsItsFirstOccurrence(string zone, string local, string utc)
    {
        Assert.True(ScheduleRules.TryParseLocal(local, out var at));
        Assert.Equal(Utc(utc), ScheduleRules.InstantIn(at, ScheduleRules.Zone(zone)!));
    }

    [Fact]
    public void Daily_AtATimeThatHappensTwice_IsDueOnceThatDay_AtTheFirst()
    {
        // 01:30 in New York every day from 2026-10-30; on 2026-11-01 01:30 happens at 05:30 UTC and again at 06:30.
        var daily = new MessageSchedule("2026-10-30T01:30", "America/New_York", ScheduleRules.Daily);
        Assert.Equal(Utc("2026-10-31T05:30:00"), ScheduleRules.FirstInstant(daily, 1));
        Assert.Equal(Utc("2026-11-01T05:30:00"), ScheduleRules.FirstInstant(daily, 2));
        Assert.Equal(Utc("2026-11-02T06:30:00"), ScheduleRules.FirstInstant(daily, 3));

        // Polled every five minutes over the three days, each occurrence becomes due once, at its instant, in order.
        var live = Utc("2026-10-01T00:00:00");
        var began = new List<(long Occurrence, DateTimeOffset At)>();
        long? last = null;
        for (var now = Utc("2026-10-30T00:00:00"); now < Utc("2026-11-03T00:00:00"); now = now.AddMinutes(5))
        {
            if (ScheduleRules.Due(daily, live, now) is { } k && k != last)
                began.Add((k, now));
            last = ScheduleRules.Due(daily, live, now);
        }
        Assert.Equal(
            [(0L, Utc("2026-10-30T05:30:00")), (1L, Utc("2026-10-31T05:30:00")), (2L, Utc("2026-11-01T05:30:00")), (3L, Utc("2026-11-02T06:30:00"))],
            began);

        // In users' own zones, the same: a New York user's 01:30 that day is the first.
        var inUsersZones = daily with { TimeZone = ScheduleRules.UserTimeZone };
        Assert.Equal(Utc("2026-11-01T05:30:00"), ScheduleRules.InstantFor(inUsersZones, 2, UserIn("America/New_York")));
        Assert.Equal(Utc("2026-11-02T06:30:00"), ScheduleRules.InstantFor(inUsersZones, 3, UserIn("America/New_York")));
    }

    [Fact]
    public void Daily_AtATimeTheClocksSkip_IsDueOnceThatDay_ShiftedByTheSkip()
    {
        // 02:30 in New York every day from 2027-03-12; 2027-03-14 has no 02:30 (02:00-03:00 is skipped): it is 03:30 EDT.
        var daily = new MessageSchedule("2027-03-12T02:30", "America/New_York", ScheduleRules.Daily);
        Assert.Equal(Utc("2027-03-13T07:30:00"), ScheduleRules.FirstInstant(daily, 1));
        Assert.Equal(Utc("2027-03-14T07:30:00"), ScheduleRules.FirstInstant(daily, 2));
        Assert.Equal(Utc("2027-03-15T06:30:00"), ScheduleRules.FirstInstant(daily, 3));
        var live = Utc("2027-03-01T00:00:00");
        Assert.Equal(1, ScheduleRules.Due(daily, live, Utc("2027-03-14T07:29:59")));
        Assert.Equal(2, ScheduleRules.Due(daily, live, Utc("2027-03-14T07:30:00")));
        Assert.Equal(2, ScheduleRules.Due(daily, live, Utc("2027-03-15T06:29:59")));
        Assert.Equal(3, ScheduleRules.Due(daily, live, Utc("2027-03-15T06:30:00")));
    }

    [Fact]
    public void Superseded_IsAUsersNextOccurrenceComing_AndEverywhereOnceItReachedUtcMinus12()
    {
        var daily = new MessageSchedule("2026-12-10T09:00", ScheduleRules.UserTimeZone, ScheduleRules.Daily);
        // Day 0 in Tokyo is superseded at Tokyo's 09:00 of day 1 (00:00 UTC), in New York at its own (14:00 UTC).
        Assert.False(ScheduleRules.Superseded(daily, 0, UserIn("Asia/Tokyo"), Utc("2026-12-10T23:59:59")));
        Assert.True(ScheduleRules.Superseded(daily, 0, UserIn("Asia/Tokyo"), Utc("2026-12-11T00:00:00")));
        Assert.False(ScheduleRules.Superseded(daily, 0, UserIn("America/New_York"), Utc("2026-12-11T13:59:59")));
        Assert.True(ScheduleRules.Superseded(daily, 0, UserIn("America/New_York"), Utc("2026-12-11T14:00:00")));
        // Everywhere once day 1 reached UTC-12 (21:00 UTC).
        Assert.False(ScheduleRules.SupersededEverywhere(daily, 0, Utc("2026-12-11T20:59:59")));
        Assert.True(ScheduleRules.SupersededEverywhere(daily, 0, Utc("2026-12-11T21:00:00")));
        // Once has no next occurrence; a fixed zone's next occurrence is one instant.
        var once = daily with { Repeat = ScheduleRules.Once };
        Assert.False(ScheduleRules.Superseded(once, 0, UserIn("Asia/Tokyo"), Utc("2027-12-11T00:00:00")));
        Assert.False(ScheduleRules.SupersededEverywhere(once, 0, Utc("2027-12-11T00:00:00")));
        var berlin = new MessageSchedule("2026-12-10T09:00", "Europe/Berlin", ScheduleRules.Weekly);
        Assert.False(ScheduleRules.SupersededEverywhere(berlin, 0, Utc("2026-12-17T07:59:59")));
        Assert.True(ScheduleRules.SupersededEverywhere(berlin, 0, Utc("2026-12-17T08:00:00")));
    }

    [Fact]
    public void Missed_IsAUserTimeMoreThanTheGraceBeforeTheMessageWasLastLive()
    {
        var resumed = Utc("2026-12-10T09:10:00");
        Assert.False(ScheduleRules.Missed(Utc("2026-12-10T09:00:00"), resumed));
        Assert.False(ScheduleRules.Missed(resumed - ScheduleRules.Grace, resumed));
        Assert.True(ScheduleRules.Missed(resumed - ScheduleRules.Grace - TimeSpan.FromMilliseconds(1), resumed));
        Assert.False(ScheduleRules.Missed(Utc("2026-12-10T15:00:00"), resumed));
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
