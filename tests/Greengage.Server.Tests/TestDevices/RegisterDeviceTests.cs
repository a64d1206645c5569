using System.Net;
using Greengage.Engine.Apps;
using Greengage.Server.Tests.Infrastructure;
using static Greengage.Server.Tests.Fixtures.ApiCalls;
using static Greengage.Server.Tests.TestDevices.TestDeviceCalls;

namespace Greengage.Server.Tests.TestDevices;

/// <summary>
/// Spec 4.2 <c>registerDevice</c> and 5.2 <c>isRegistered</c>: the development key registers a device as a test device
/// of the app, and <c>start</c> then answers <c>isRegistered:true</c> for it.
/// </summary>
public sealed class RegisterDeviceTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private static string NewDevice() => NewUser("test-device");

    [Fact]
    public async Task RegisterDevice_DevelopmentKey_AnswersRegisteredTrueThenFalse()
    {
        var app = await NewAppAsync(factory);
        var device = NewDevice();

        var first = await RegisterAsync(_http, app, device, "dev@example.com");
        var again = await RegisterAsync(_http, app, device, "dev@example.com");

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.True(SuccessOf(first[0]), first[0].ToJsonString());
        Assert.Equal("reg-1", ReqIdOf(first[0]));
        Assert.True((bool)first[0]["registered"]!);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.True(SuccessOf(again[0]), again[0].ToJsonString());
        Assert.False((bool)again[0]["registered"]!);
        Assert.Equal([device], DeviceIds(await ListAsync(_http, app.AppId)));
    }

    [Fact]
    public async Task RegisterDevice_ProductionKey_Answers403AndStoresNothing()
    {
        var app = await NewAppAsync(factory);
        var device = NewDevice();

        var reply = await RegisterAsync(_http, app, device, "dev@example.com", KeyClassNames.Production);

        Assert.Equal(HttpStatusCode.Forbidden, reply.Status);
        Assert.False(SuccessOf(reply[0]));
        Assert.Equal("Invalid access key", ErrorOf(reply[0]));
        Assert.Empty(DeviceIds(await ListAsync(_http, app.AppId)));
        Assert.False((bool)(await StartAsync(_http, app, device))["isRegistered"]!);
    }

    public static TheoryData<string?, string?, string> BadInput()
    {
        var tooLongId = new string('d', 401);
        var tooLongEmail = new string('a', 64) + "@" + new string('b', 186) + ".com"; // 255 characters
        return new TheoryData<string?, string?, string>
        {
            { null, "dev@example.com", "'deviceId' must be provided" },
            { tooLongId, "dev@example.com", "'deviceId' must be at most 400 characters long." },
            { "bad-input", null, "'email' must be provided" },
            { "bad-input", "   ", "'email'" },
            { "bad-input", tooLongEmail, "'email' must be at most 254 characters long." },
            { "bad-input", "not-an-email", "'email'" },
            { "bad-input", "@example.com", "'email'" },
            { "bad-input", "dev@", "'email'" },
            { "bad-input", "dev@localhost", "'email'" },
            { "bad-input", "dev@example..com", "'email'" },
            { "bad-input", "dev@.example.com", "'email'" },
            { "bad-input", "dev@@example.com", "'email'" },
            { "bad-input", "dev@exa mple.com", "'email'" },
            { "bad-input", "Dev <dev@example.com>", "'email'" },
            { "bad-input", new string('a', 65) + "@example.com", "'email'" },
        };
    }

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task RegisterDevice_MissingOrInvalidDeviceIdOrEmail_Answers400AndStoresNothing(string? deviceId, string? email, string error)
    {
        var app = await NewAppAsync(factory);

        var reply = await RegisterAsync(_http, app, deviceId, email);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.False(SuccessOf(reply[0]));
        Assert.StartsWith(error, ErrorOf(reply[0]), StringComparison.Ordinal);
        Assert.Equal("reg-1", ReqIdOf(reply[0]));
        Assert.Empty(DeviceIds(await ListAsync(_http, app.AppId)));
        if (deviceId is { Length: <= 400 })
            Assert.False((bool)(await StartAsync(_http, app, deviceId))["isRegistered"]!);
    }

    [Fact]
    public async Task RegisterDevice_EmailWithSpacesAround_IsStoredTrimmed()
    {
        var app = await NewAppAsync(factory);

        var reply = await RegisterAsync(_http, app, NewDevice(), "  dev@example.com ");

        Assert.True((bool)reply[0]["registered"]!, reply[0].ToJsonString());
        Assert.Equal("dev@example.com", (string?)(await ListAsync(_http, app.AppId))["items"]![0]!["email"]);
    }

    [Fact]
    public async Task Start_RegisteredDevice_AnswersIsRegisteredTrue_AndFalseForOtherDevicesAndApps()
    {
        var app = await NewAppAsync(factory);
        var other = await NewAppAsync(factory);
        var device = NewDevice();
        Assert.False((bool)(await StartAsync(_http, app, device))["isRegistered"]!);

        await RegisterAsync(_http, app, device, "dev@example.com");

        var start = await StartAsync(_http, app, device);
        Assert.True((bool)start["isRegistered"]!);
        Assert.False((bool)start["isRegisteredFromOtherApp"]!);
        Assert.True((bool)(await StartAsync(_http, app, device, action: "getVars"))["isRegistered"]!);
        var unregistered = await StartAsync(_http, app, NewDevice());
        Assert.False((bool)unregistered["isRegistered"]!);
        Assert.False((bool)unregistered["isRegisteredFromOtherApp"]!);
        Assert.False((bool)(await StartAsync(_http, other, device))["isRegistered"]!);
    }

    [Fact]
    public async Task Multi_RegisterDeviceThenStartInOneRequest_StartAnswersIsRegisteredTrue()
    {
        var app = await NewAppAsync(factory);
        var device = NewDevice();

        var reply = await ApiClient.MultiAsync(_http, app.AppId, app.Keys[KeyClassNames.Development],
            new { action = "registerDevice", deviceId = device, email = "dev@example.com", devMode = true },
            new { action = "start", userId = NewUser("dev-user"), deviceId = device, devMode = true });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True((bool)reply[0]["registered"]!, reply[0].ToJsonString());
        Assert.True((bool)reply[1]["isRegistered"]!, reply[1].ToJsonString());
    }
}
