using Greengage.Server.Tests.Infrastructure;

namespace Greengage.Server.Tests.BadInput;

/// <summary>
/// Every corpus case gets a clear error in the Leanplum envelope (never a 5xx, a hang or a non-JSON answer) and
/// changes nothing; the server survives the whole corpus.
/// </summary>
public sealed class BadInputCorpusTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    public static TheoryData<string> Cases => BadInputCorpus.Names;

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Api_BadInputCase_AnswersEnvelopeErrorAndStoresNothing(string name)
    {
        var http = RawApi.Client(factory);
        await BadInputCorpus.Cases[name].RunAsync(http, new CaseContext(factory), name);
    }

    [Fact]
    public async Task Api_AfterWholeCorpus_HealthzAnswersAndStartSucceeds()
    {
        var http = RawApi.Client(factory);
        foreach (var (name, badCase) in BadInputCorpus.Cases)
            await badCase.RunAsync(http, new CaseContext(factory), name);

        var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);

        var user = "survivor-" + Guid.NewGuid().ToString("N");
        var start = await ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey,
            new { action = "start", userId = user, deviceId = user, reqId = "s1" });
        Assert.Equal(System.Net.HttpStatusCode.OK, start.Status);
        Assert.True((bool)start[0]["success"]!);
        Assert.Equal("s1", (string?)start[0]["reqId"]);
        await RawApi.AssertUserStoredAsync(http, factory, user);
    }
}
