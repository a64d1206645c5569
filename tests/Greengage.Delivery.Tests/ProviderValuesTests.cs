using System.Text.Json.Nodes;
using Greengage.Delivery.Outbox;
using Greengage.Delivery.Push;
using Greengage.Engine.Messages;

namespace Greengage.Delivery.Tests;

/// <summary>A message's template arguments also under the names the providers read, on a copy only when one is mapped.</summary>
public sealed class ProviderValuesTests
{
    [Fact]
    public void PushArguments_AreMappedOnACopy_AndAValueUnderTheProvidersNameWins()
    {
        var values = new JsonObject
        {
            ["Message"] = "Hi",
            ["Image URL"] = "https://img.example.test/a.png",
            ["iOS options"] = new JsonObject { ["Badge"] = 3, ["Sound"] = "ping" },
            [PushValues.Sound] = "own",
        };

        var mapped = ProviderDeliverySender.ProviderValues(MessageChannels.Push, values);

        Assert.NotSame(values, mapped);
        Assert.Equal("https://img.example.test/a.png", (string)mapped[PushValues.Image]!);
        Assert.Equal(3, (int)mapped[PushValues.Badge]!);
        Assert.Equal("own", (string)mapped[PushValues.Sound]!);
        Assert.False(values.ContainsKey(PushValues.Image));
    }

    [Fact]
    public void NothingToMap_TheValuesGoAsTheyAre()
    {
        var push = new JsonObject { ["Message"] = "Hi" };
        var webhook = new JsonObject { ["URL"] = "https://hooks.example.test/" };

        Assert.Same(push, ProviderDeliverySender.ProviderValues(MessageChannels.Push, push));
        Assert.Same(webhook, ProviderDeliverySender.ProviderValues(MessageChannels.Webhook, webhook));
    }
}
