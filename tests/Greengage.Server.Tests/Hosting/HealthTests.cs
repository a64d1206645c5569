using Greengage.Server.Tests.Infrastructure;

namespace Greengage.Server.Tests.Hosting;

public sealed class HealthTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    [Fact]
    public async Task Healthz_Started_Answers200()
    {
        var response = await factory.CreateClient().GetAsync("/healthz");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}
