using System.Text.Json;
using Greengage.Engine.Apps;
using Greengage.Engine.Users;
using Greengage.Engine.Users.Components;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Tests;

/// <summary>
/// A user's state outlives its requests, so the components write what changes into the objects they hold and keep
/// what did not change (see <see cref="StatesComponent"/>, <see cref="SessionsComponent"/>): these tests hold that
/// doing so leaves nothing of the old values behind, and that an unchanged value keeps the instance already held.
/// </summary>
public sealed class LongLivedStateTests
{
    [Fact]
    public void StateEntered_AfterALeftStateThatWasPausedAndClosed_IsTheStateAFreshUserEnters()
    {
        var used = new StatesComponent();
        used.Apply(new StateEntered { TimeMs = 1_000, Name = "Menu", SessionId = "s1" });
        used.Apply(new StatePaused { TimeMs = 2_000, Name = "Menu" });
        used.Apply(new SessionPaused { TimeMs = 2_500, SessionId = "s1" });
        used.Apply(new SessionEnded { TimeMs = 3_000, SessionId = "s1", DurationSeconds = 1 });
        used.Apply(new StateLeft { TimeMs = 3_000, Name = "Menu", DurationSeconds = 1 });
        used.Apply(new StateEntered { TimeMs = 10_000, Name = "Level", SessionId = "s2" });

        var fresh = new StatesComponent();
        fresh.Apply(new StateEntered { TimeMs = 10_000, Name = "Level", SessionId = "s2" });

        Assert.Equal(Json(fresh), Json(used));
        Assert.True(used.Current!.Running);
    }

    [Fact]
    public void StateEntered_AfterOneWasLeft_TakesTheLeftStatesObject()
    {
        var states = new StatesComponent();
        states.Apply(new StateEntered { TimeMs = 1_000, Name = "Menu", SessionId = "s1" });
        var first = states.Current;
        states.Apply(new StateLeft { TimeMs = 2_000, Name = "Menu", DurationSeconds = 1 });
        states.Apply(new StateEntered { TimeMs = 2_000, Name = "Shop", SessionId = "s1" });

        Assert.Same(first, states.Current);
        Assert.Equal("Shop", states.Current!.Name);
    }

    [Fact]
    public void StateEntered_OutsideASession_DropsThePreviousStatesSession()
    {
        var used = new StatesComponent();
        used.Apply(new StateEntered { TimeMs = 1_000, Name = "Menu", SessionId = "s1" });
        used.Apply(new StateLeft { TimeMs = 2_000, Name = "Menu", DurationSeconds = 1 });
        used.Apply(new StateEntered { TimeMs = 3_000, Name = "Menu" });

        Assert.Null(used.Current!.SessionId);
        Assert.Equal(3_000, used.Current.EnterMs);
    }

    [Fact]
    public void CountsOfANewSession_StartAtZero()
    {
        var states = new StatesComponent();
        states.Apply(new EventTracked { TimeMs = 1_000, Name = "Open", SessionId = "s1" });
        states.Apply(new StateEntered { TimeMs = 1_100, Name = "Menu", SessionId = "s1" });
        states.Apply(new EventTracked { TimeMs = 1_200, Name = "Open", SessionId = "s1" });
        var first = states.Session;

        states.Apply(new EventTracked { TimeMs = 9_000, Name = "Open", SessionId = "s2" });

        Assert.Same(first, states.Session);
        Assert.Equal(0, states.EventsIn("s1"));
        Assert.Equal(1, states.EventsIn("s2"));
        Assert.Equal(0, states.StatesIn("s2"));
    }

    [Fact]
    public void SessionStarted_AfterAPausedBackgroundSessionEnded_IsTheSessionAFreshUserStarts()
    {
        var used = new SessionsComponent();
        used.Apply(new SessionStarted { TimeMs = 1_000, SessionId = "s1", Background = true, DeviceId = "d1" });
        used.Apply(new SessionResumed { TimeMs = 2_000, SessionId = "s1", Activates = true });
        used.Apply(new Heartbeat { TimeMs = 5_000 });
        used.Apply(new SessionPaused { TimeMs = 6_000, SessionId = "s1" });
        used.Apply(new SessionEnded { TimeMs = 6_000, SessionId = "s1", DurationSeconds = 4 });
        used.Apply(new SessionStarted { TimeMs = 10_000, SessionId = "s2", DeviceId = "d2" });

        var fresh = new SessionsComponent();
        fresh.Apply(new SessionStarted { TimeMs = 10_000, SessionId = "s2", DeviceId = "d2" });

        Assert.Equal(Json(fresh), Json(used));
    }

    [Fact]
    public void SessionStarted_AfterOneEnded_TakesTheEndedSessionsObject()
    {
        var sessions = new SessionsComponent();
        sessions.Apply(new SessionStarted { TimeMs = 1_000, SessionId = "s1" });
        var first = sessions.Open;
        sessions.Apply(new SessionEnded { TimeMs = 2_000, SessionId = "s1", DurationSeconds = 1 });
        sessions.Apply(new SessionStarted { TimeMs = 3_000, SessionId = "s2" });
        Assert.Same(first, sessions.Open);
        Assert.Equal("s2", sessions.Open!.Id);
    }

    [Fact]
    public void DeviceUpdate_KeepsTheHeldInstanceOfAnUnchangedValue_AndTakesAChangedOne()
    {
        var entry = new DeviceEntry();
        entry.Update(new DeviceInfo { Client = new string("js".AsSpan()), AppVersion = "1.0" });
        var held = entry.Client;

        entry.Update(new DeviceInfo { Client = new string("js".AsSpan()), AppVersion = "1.1" });

        Assert.Same(held, entry.Client);
        Assert.Equal("1.1", entry.AppVersion);
        entry.Update(new DeviceInfo());
        Assert.Equal("1.1", entry.AppVersion);
    }

    [Fact]
    public void AttributeSetAgainToTheSameValue_KeepsTheValueHeld()
    {
        var profile = new ProfileComponent();
        using var first = JsonDocument.Parse("""{"plan":"gold","score":1}""");
        profile.Apply(Set(first));
        var second = JsonDocument.Parse("""{"plan":"gold","score":2}""");
        profile.Apply(Set(second));
        second.Dispose();

        // The unchanged value is still the first document's (reading the second one's would throw: it is disposed).
        Assert.Equal("gold", profile.Attributes["plan"].GetString());
        Assert.Throws<ObjectDisposedException>(() => profile.Attributes["score"].GetInt32());
    }

    [Fact]
    public void AttributeSetToTheSameNumberWrittenDifferently_TakesTheNewWriting()
    {
        var profile = new ProfileComponent();
        using var first = JsonDocument.Parse("""{"score":1}""");
        using var second = JsonDocument.Parse("""{"score":1.0}""");
        profile.Apply(Set(first));
        profile.Apply(Set(second));

        Assert.Equal("1.0", profile.Attributes["score"].GetRawText());
    }

    [Fact]
    public void SharedNames_GiveOneInstancePerName_UpToTheirCapacity()
    {
        var names = new SharedNames(capacity: 2);
        var open = names.Get(new string("Open".AsSpan()));

        Assert.Same(open, names.Get(new string("Open".AsSpan())));
        var level = names.Get("Level");
        var third = new string("Shop".AsSpan());
        Assert.Same(third, names.Get(third));
        Assert.NotSame(third, names.Get(new string("Shop".AsSpan())));
        Assert.Same(level, names.Get(new string("Level".AsSpan())));
    }

    [Fact]
    public void MessageEventNames_AreNotShared()
    {
        var names = new SharedNames(capacity: 10);
        var name = new string(".m123 Open".AsSpan());

        Assert.Same(name, names.Get(name));
        Assert.NotSame(name, names.Get(new string(".m123 Open".AsSpan())));
    }

    [Fact]
    public void RecordsReadFromTheLog_CarryTheSharedNames()
    {
        var tracked = UserJson.Deserialize("""{"k":"event","n":"Tap Banner","t":1000}"""u8);
        var entered = UserJson.Deserialize("""{"k":"state.enter","n":"Shop","t":1000}"""u8);

        Assert.Same(SharedNames.Process.Get(new string("Tap Banner".AsSpan())), Assert.IsType<EventTracked>(tracked).Name);
        Assert.Same(SharedNames.Process.Get(new string("Shop".AsSpan())), Assert.IsType<StateEntered>(entered).Name);
    }

    private static AttributesSet Set(JsonDocument values) => new()
    {
        TimeMs = 1_000,
        Values = values.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value),
    };

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);
}
