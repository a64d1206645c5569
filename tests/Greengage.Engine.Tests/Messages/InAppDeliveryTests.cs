using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Content;
using Greengage.Engine.Messages;
using Greengage.Engine.Storage;
using Greengage.Engine.Targeting;
using Greengage.Engine.Users;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Tests.Messages;

/// <summary>
/// Which in-app messages a user gets at start (InAppDelivery): audience, window, unsubscribe categories, hold-out
/// decided once and remembered, A/B variants changing a message, personalised text, and sends by hand.
/// </summary>
public sealed class InAppDeliveryTests
{
    private const long Now = 1_800_000_000_000;

    private static MessageDocument Message(long id, double holdOut = 0, JsonNode? rule = null, long? end = null, string? category = null, JsonObject? values = null, int priority = 1000) => new(
        id, $"message {id}", MessageChannels.InApp, "Alert", values ?? new JsonObject { ["Message"] = $"text {id}" }, MessageStates.Active, null, rule,
        null, end, priority, holdOut, [new MessageTrigger("event", "Go", "triggers", null)], [], [], null, null, false, category, null, 0, 0, 1, null);

    private static AppContent Content(IEnumerable<MessageDocument> messages, params ContentDocument[] more) => AppContent.Build(
        messages.Select(m => new ContentDocument(MessageContentKinds.Message, m.Id.ToString(), m.ToJson(), 0)).Concat(more));

    private static ContentDocument Settings(params UnsubscribeCategory[] categories) =>
        new(MessageContentKinds.Settings, MessageContentKinds.SettingsKey, new MessagingSettings([], [], categories).ToJson(), 0);

    private static UserState User(params UserRecord[] records)
    {
        var state = new UserState();
        state.Apply(new SessionStarted { TimeMs = 1, SessionId = "s" });
        foreach (var record in records)
            state.Apply(record);
        return state;
    }

    private static InAppDelivery.Outcome Resolve(AppContent content, UserState state, string user = "u", ExperimentOutcome? experiments = null) =>
        InAppDelivery.Resolve(content, new TargetingSubject(state, user, "d", Now), experiments ?? ExperimentOutcome.None, Now);

    /// <summary>A message's config as the answer writes it (shared configs are pre-written JSON).</summary>
    private static JsonNode Config(InAppDelivery.Outcome outcome, string id) => outcome.Messages[id] switch
    {
        JsonValue v when v.TryGetValue(out Greengage.Protocol.Responses.RawJson? raw) => JsonNode.Parse(raw.Utf8)!,
        var node => node!,
    };

    [Fact]
    public void Messages_ByPriority_WithAudienceWindowAndCategory()
    {
        var gold = JsonNode.Parse("""{"subject":"attribute","name":"plan","op":"is","value":"gold"}""");
        var content = Content(
            [
                Message(1, priority: 5),
                Message(2, rule: gold),
                Message(3, end: Now - 1),
                Message(4, end: Now + 1),
                Message(5, category: "news"),
            ],
            Settings(new UnsubscribeCategory("news", "News", null)));

        var plain = Resolve(content, User());
        Assert.Equal(["1", "4", "5"], plain.Messages.Select(m => m.Key));

        var goldUnsubscribed = Resolve(content, User(
            new AttributesSet { TimeMs = 2, Values = new() { ["plan"] = JsonSerializer.SerializeToElement("gold") } },
            new SubscriptionsChanged { TimeMs = 3, CategoriesToAdd = ["news"] }));
        Assert.Equal(["1", "2", "4"], goldUnsubscribed.Messages.Select(m => m.Key));
    }

    [Fact]
    public void HoldOut_IsDecidedOnce_AndRemembered_WhenThePercentageChanges()
    {
        var half = Content([Message(9, holdOut: 50)]);
        var held = new List<string>();
        var states = new Dictionary<string, UserState>();
        for (var i = 0; i < 2000; i++)
        {
            var user = $"user-{i}";
            var state = states[user] = User();
            var outcome = Resolve(half, state, user);
            var record = Assert.IsType<MessagesDecided>(outcome.Record);
            state.Apply(record);
            var action = (string?)Config(outcome, "9")["action"];
            if (action == MessageTemplates.HeldBack)
            {
                held.Add(user);
                Assert.Equal(["9"], record.HeldBack!);
                Assert.Equal(MessageTemplates.HeldBack, (string?)Config(outcome, "9")["vars"]!["__name__"]);
                // Held back users keep the triggers and limits: the SDK tracks Held Back when it would have shown.
                Assert.Equal("Go", (string?)Config(outcome, "9")["whenTriggers"]!["children"]![0]!["noun"]);
            }
            else
            {
                Assert.Equal("Alert", action);
                Assert.Equal(["9"], record.Reached!);
            }
        }
        // About half, within a generous binomial bound (sd ~ 22 at n = 2000).
        Assert.InRange(held.Count, 900, 1100);

        // The operator drops the hold-out to 0%: nobody moves, and nothing new is recorded.
        var none = Content([Message(9, holdOut: 0)]);
        foreach (var (user, state) in states)
        {
            var outcome = Resolve(none, state, user);
            Assert.Null(outcome.Record);
            Assert.Equal(held.Contains(user), (string?)Config(outcome, "9")["action"] == MessageTemplates.HeldBack);
        }
    }

    [Fact]
    public void Variant_ChangesTheMessageForItsUsers_Only()
    {
        var message = Message(5, values: new JsonObject { ["Title"] = "Sale", ["Message"] = "10% off" });
        var test = new AbTestDocument(77, "Copy", AbTestStates.Running, null, null, true,
        [
            new AbVariant(770, "Control", 50, []),
            new AbVariant(771, "Bigger", 50, []) { Messages = new JsonObject { ["5"] = new JsonObject { ["Message"] = "20% off" } } },
        ], 0, 0, 1, null, null);
        var content = Content([message], new ContentDocument(ContentKinds.AbTest, "77", test.ToJson(), 0));
        var texts = new HashSet<string>();
        for (var i = 0; i < 40; i++)
        {
            var state = User();
            var subject = new TargetingSubject(state, $"u{i}", "d", Now);
            var experiments = ExperimentOutcome.Resolve(content, subject, state.Experiments);
            var outcome = InAppDelivery.Resolve(content, subject, experiments, Now);
            var text = (string)Config(outcome, "5")["vars"]!["Message"]!;
            Assert.Equal(experiments.Active.Single().VariantId == "771" ? "20% off" : "10% off", text);
            Assert.Equal("Sale", (string?)Config(outcome, "5")["vars"]!["Title"]);
            texts.Add(text);
        }
        Assert.Equal(2, texts.Count);
    }

    [Fact]
    public void PersonalisedText_IsRenderedPerUser_WithFallbacks()
    {
        var content = Content([Message(6, values: new JsonObject { ["Title"] = "Hi {{userAttribute['name'] | default('friend')}}", ["Message"] = "Your id: {{userId}}" })]);
        var named = Resolve(content, User(new AttributesSet { TimeMs = 2, Values = new() { ["name"] = JsonSerializer.SerializeToElement("Ada") } }), "ada-1");
        Assert.Equal("Hi Ada", (string?)Config(named, "6")["vars"]!["Title"]);
        Assert.Equal("Your id: ada-1", (string?)Config(named, "6")["vars"]!["Message"]);
        var anonymous = Resolve(content, User(), "x");
        Assert.Equal("Hi friend", (string?)Config(anonymous, "6")["vars"]!["Title"]);
    }

    [Fact]
    public void SentByHand_ReachesAUserOutsideTheAudience_WithTheSendsValues_UntilSeen()
    {
        var nobody = JsonNode.Parse("""{"subject":"attribute","name":"plan","op":"is","value":"nobody"}""");
        var content = Content([Message(8, rule: nobody, values: new JsonObject { ["Message"] = "Code {{Value \"code\"}}" })]);
        Assert.Empty(Resolve(content, User()).Messages);

        var state = User(new InAppQueued { TimeMs = 2, MessageId = "8", Values = JsonSerializer.SerializeToElement(new { code = "X1" }) });
        var outcome = Resolve(content, state);
        Assert.Equal("Code X1", (string?)Config(outcome, "8")["vars"]!["Message"]);

        state.Apply(new EventTracked { TimeMs = 3, Name = ".m8 View", MessageId = "8" });
        Assert.Empty(Resolve(content, state).Messages);
    }

    [Fact]
    public void VariantValues_WithPlaceholders_AreRenderedEvenWhenTheMessagesOwnAreNot()
    {
        var message = Message(5, values: new JsonObject { ["Message"] = "plain" });
        var test = new AbTestDocument(78, "Personal", AbTestStates.Running, null, null, true,
        [
            new AbVariant(780, "Control", 0, []),
            new AbVariant(781, "Named", 100, []) { Messages = new JsonObject { ["5"] = new JsonObject { ["Message"] = "Hi {{userId}}" } } },
        ], 0, 0, 1, null, null);
        var content = Content([message], new ContentDocument(ContentKinds.AbTest, "78", test.ToJson(), 0));
        var state = User();
        var subject = new TargetingSubject(state, "grace", "d", Now);
        var outcome = InAppDelivery.Resolve(content, subject, ExperimentOutcome.Resolve(content, subject, state.Experiments), Now);
        Assert.Equal("Hi grace", (string?)Config(outcome, "5")["vars"]!["Message"]);
    }
}
