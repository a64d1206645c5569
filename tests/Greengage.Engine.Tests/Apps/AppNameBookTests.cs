using Greengage.Engine.Apps;
using Greengage.Engine.Storage;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Values;
using static Greengage.Engine.Tests.TestBatches;

namespace Greengage.Engine.Tests.Apps;

/// <summary>Spec 6.2: names per app, each kind limited, and no name both an event and a state.</summary>
public sealed class AppNameBookTests
{
    private static readonly ProtocolLimits Small = new() { MaxEventNamesPerApp = 2, MaxStateNamesPerApp = 2, MaxAttributeNamesPerApp = 1, MaxParameterNamesPerApp = 3 };

    private static AppName Event(string n) => new(NameKinds.Event, n);
    private static AppName State(string n) => new(NameKinds.State, n);

    [Fact]
    public void Decide_TakesNewNamesUpToTheLimit_ThenRefuses()
    {
        var book = new AppNameBook(Small);

        var (taken, refused) = book.Decide([Event("A"), Event("B"), Event("C"), Event("A")]);

        Assert.Equal([Event("A"), Event("B")], taken);
        var refusal = Assert.Single(refused);
        Assert.Equal(Event("C"), refusal.Name);
        Assert.Equal("This app already has 2 event names (the limit); 'C' is not recorded.", refusal.Message);
    }

    [Fact]
    public void Decide_KnownNamesPass_EvenAtTheLimit()
    {
        var book = new AppNameBook(Small);
        book.Load([Event("A"), Event("B")]);

        var (taken, refused) = book.Decide([Event("B"), Event("A")]);

        Assert.Empty(taken);
        Assert.Empty(refused);
    }

    [Fact]
    public void Decide_EventAndStateMustNotShareAName()
    {
        var book = new AppNameBook(Small);
        book.Load([Event("Home")]);

        var (_, refused) = book.Decide([State("Home"), State("Level"), Event("Level")]);

        Assert.Equal([State("Home"), Event("Level")], refused.Select(r => r.Name));
        Assert.Equal("'Home' is already an event name of this app; an event and a state must not share a name.", refused[0].Message);
        Assert.Equal("'Level' is already a state name of this app; an event and a state must not share a name.", refused[1].Message);
    }

    [Fact]
    public void Decide_KindsCountSeparately_AndChangeNothingUntilLoaded()
    {
        var book = new AppNameBook(Small);

        var (taken, refused) = book.Decide([new AppName(NameKinds.Attribute, "plan"), new AppName(NameKinds.Parameter, "plan"), Event("plan")]);

        Assert.Equal(3, taken.Count);
        Assert.Empty(refused);
        Assert.Equal(0, book.Count(NameKinds.Attribute));
        book.Load(taken);
        Assert.True(book.Knows(new AppName(NameKinds.Parameter, "plan")));
    }

    [Fact]
    public void ItemNames_CollectsWhatEachActionWrites_AndSkipsMessageEventsAndBadNames()
    {
        List<AppName> Names(string action, object parameters)
        {
            var into = new List<AppName>();
            ItemNames.Collect(action, Item(0, action, parameters).Parameters, new ProtocolLimits(), into);
            return into;
        }

        Assert.Equal([Event("Buy"), new AppName(NameKinds.Parameter, "item")], Names("track", new { @event = "Buy", @params = new { item = "gem" } }));
        Assert.Empty(Names("track", new { @event = "Buy", messageId = "123" }));
        Assert.Empty(Names("track", new { @event = "42" }));
        Assert.Equal([State("Home")], Names("advance", new { state = "Home" }));
        Assert.Equal([new AppName(NameKinds.Attribute, "age")], Names("start", new { userAttributes = "{\"age\":3}" }));
        Assert.Equal(
            [new AppName(NameKinds.Attribute, "a"), new AppName(NameKinds.Attribute, "b"), Event("E"), State("S")],
            Names("setUserAttributes", new { userAttributes = new { a = 1 }, userAttributeValuesToIncrement = new { b = 1 }, events = new { E = new { count = 1 } }, states = new { S = new { count = 1 } } }));
        Assert.Empty(Names("setUserAttributes", new { userAttributes = "{not json" }));
        Assert.Empty(Names("stop", new { }));
    }

    [Fact]
    public async Task LocalRegistry_RefusesOverTheLimit_AndRemembersWhatItAdmitted()
    {
        var registry = new LocalAppNameRegistry(Small);

        Assert.Empty(await registry.AdmitAsync("app", [Event("A"), Event("B")], CancellationToken.None));
        var refused = await registry.AdmitAsync("app", [Event("A"), Event("C")], CancellationToken.None);
        Assert.Empty(await registry.AdmitAsync("other", [Event("C")], CancellationToken.None));

        Assert.Equal([Event("C")], refused.Select(r => r.Name));
    }
}
