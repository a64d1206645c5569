using System.Text.Json.Nodes;
using Greengage.Delivery.Credentials;
using Greengage.Delivery.Tests.Infrastructure;

namespace Greengage.Delivery.Tests;

/// <summary>Credentials: checked when set, shown without secrets, stored and cached per app.</summary>
public sealed class CredentialTests
{
    private static JsonObject Apns(string? key = null) => new()
    {
        ["teamId"] = "TEAM123456", ["keyId"] = "KEY1234567", ["privateKey"] = key ?? TestKeys.ApnsKey().P8, ["bundleId"] = "com.example.game",
    };

    public static TheoryData<string, string, string> Refused() => new()
    {
        { DeliveryKinds.Fcm, """{"project_id":"p","client_email":"e@x","private_key":"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"}""", "private_key" },
        { DeliveryKinds.Fcm, """{"client_email":"e@x","private_key":"k"}""", "'project_id' is missing" },
        { DeliveryKinds.Fcm, """{"serviceAccount":"{not json"}""", "not valid JSON" },
        { DeliveryKinds.Fcm, """{"type":"authorized_user","project_id":"p"}""", "service_account" },
        { DeliveryKinds.Apns, """{"teamId":"SHORT","keyId":"KEY1234567","privateKey":"x","bundleId":"b"}""", "'teamId'" },
        { DeliveryKinds.Apns, """{"teamId":"TEAM123456","keyId":"KEY1234567","privateKey":"not a key","bundleId":"b"}""", "PKCS#8" },
        { DeliveryKinds.WebPush, """{"subject":"ops@example.test","publicKey":"x","privateKey":"y"}""", "'subject'" },
        { DeliveryKinds.WebPush, """{"subject":"mailto:ops@example.test","publicKey":"AAAA","privateKey":"y"}""", "'publicKey'" },
        { DeliveryKinds.Smtp, """{"host":"smtp.test","port":70000,"fromAddress":"a@b.test"}""", "'port'" },
        { DeliveryKinds.Smtp, """{"host":"smtp.test","fromAddress":"not an address"}""", "'fromAddress'" },
        { DeliveryKinds.Smtp, """{"host":"smtp.test","fromAddress":"a@b.test","username":"u"}""", "go together" },
        { DeliveryKinds.Smtp, """{"host":"smtp.test","fromAddress":"a@b.test","security":"tls9"}""", "'security'" },
        { DeliveryKinds.Webhook, """{"headers":{"Bad Header":"x"}}""", "header name" },
        { DeliveryKinds.Webhook, """{"headers":{"X-Ok":"a\nb"}}""", "one-line" },
        { "carrier-pigeon", "{}", "not a delivery provider" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Parse_BadCredentials_RefusedNamingTheProblem(string kind, string body, string expected)
    {
        var e = Assert.Throws<CredentialException>(() => CredentialParser.Parse(kind, JsonNode.Parse(body)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ServiceAccountWithALeakedSecondKeyHalf_MessageNeverEchoesTheKey()
    {
        var (account, _) = TestKeys.ServiceAccount("https://oauth2.test/token");
        var pem = (string)account["private_key"]!;
        account["private_key"] = pem[..(pem.Length / 2)];
        var e = Assert.Throws<CredentialException>(() => CredentialParser.Parse(DeliveryKinds.Fcm, account));
        Assert.DoesNotContain(pem[40..80], e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_VapidHalvesOfTwoPairs_Refused()
    {
        var (publicKey, _) = TestKeys.Vapid();
        var (_, privateKey) = TestKeys.Vapid();
        var e = Assert.Throws<CredentialException>(() => CredentialParser.Parse(DeliveryKinds.WebPush, new JsonObject
        {
            ["subject"] = "mailto:ops@example.test", ["publicKey"] = publicKey, ["privateKey"] = privateKey,
        }));
        Assert.Contains("not one P-256 key pair", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ServiceAccountWrappedAsText_Accepted()
    {
        var (account, _) = TestKeys.ServiceAccount("https://oauth2.test/token");
        var parsed = (FcmCredentials)CredentialParser.Parse(DeliveryKinds.Fcm, new JsonObject { ["serviceAccount"] = account.ToJsonString() });
        Assert.Equal("greengage-test", parsed.ProjectId);
        Assert.Equal("https://oauth2.test/token", parsed.TokenUri);
    }

    [Fact]
    public void Redacted_AndToString_NeverShowASecret()
    {
        var (account, _) = TestKeys.ServiceAccount("https://oauth2.test/token");
        var (publicKey, privateKey) = TestKeys.Vapid();
        var apnsKey = TestKeys.ApnsKey().P8;
        var all = new (DeliveryCredentials Credentials, string Secret)[]
        {
            (CredentialParser.Parse(DeliveryKinds.Fcm, account), ((string)account["private_key"]!)[30..90]),
            (CredentialParser.Parse(DeliveryKinds.Apns, Apns(apnsKey)), apnsKey[30..90]),
            (CredentialParser.Parse(DeliveryKinds.WebPush, new JsonObject { ["subject"] = "mailto:a@b.test", ["publicKey"] = publicKey, ["privateKey"] = privateKey }), privateKey),
            (CredentialParser.Parse(DeliveryKinds.Smtp, JsonNode.Parse("""{"host":"h","fromAddress":"a@b.test","username":"u","password":"hunter2-secret"}""")), "hunter2-secret"),
            (CredentialParser.Parse(DeliveryKinds.Webhook, JsonNode.Parse("""{"headers":{"Authorization":"Bearer hook-secret"}}""")), "hook-secret"),
        };
        foreach (var (credentials, secret) in all)
        {
            Assert.DoesNotContain(secret, credentials.Redacted().ToJsonString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, credentials.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, $"{credentials}", StringComparison.Ordinal);
        }
        var fcm = all[0].Credentials.Redacted();
        Assert.Equal("greengage-test", (string?)fcm["projectId"]);
        Assert.Equal((string?)account["private_key_id"], (string?)fcm["privateKeyId"]);
        Assert.Equal(publicKey, (string?)all[2].Credentials.Redacted()["publicKey"]);
    }

    [Fact]
    public async Task Store_SetGetDelete_RoundTripsAndSeesItsOwnChangesAtOnce()
    {
        var kit = new Kit();
        Assert.Null(await kit.Credentials.GetAsync(Kit.AppId, DeliveryKinds.Apns, CancellationToken.None));
        await kit.SetAsync(DeliveryKinds.Apns, Apns());
        var first = await kit.Credentials.GetAsync(Kit.AppId, DeliveryKinds.Apns, CancellationToken.None);
        Assert.Equal("KEY1234567", ((ApnsCredentials)first!.Credentials).KeyId);

        var changed = Apns();
        changed["keyId"] = "KEY7654321";
        await kit.SetAsync(DeliveryKinds.Apns, changed);
        var second = await kit.Credentials.GetAsync(Kit.AppId, DeliveryKinds.Apns, CancellationToken.None);
        Assert.Equal("KEY7654321", ((ApnsCredentials)second!.Credentials).KeyId);
        Assert.NotEqual(first.Revision, second.Revision);

        Assert.True(await kit.Credentials.DeleteAsync(Kit.AppId, DeliveryKinds.Apns, CancellationToken.None));
        Assert.False(await kit.Credentials.DeleteAsync(Kit.AppId, DeliveryKinds.Apns, CancellationToken.None));
        Assert.Null(await kit.Credentials.GetAsync(Kit.AppId, DeliveryKinds.Apns, CancellationToken.None));
    }

    [Fact]
    public async Task Store_Reads_CachedPerAppUntilTheCacheDurationPasses()
    {
        var kit = new Kit();
        await kit.SetAsync(DeliveryKinds.Apns, Apns());
        var reads = kit.Content.Lists;
        for (var i = 0; i < 5; i++)
            await kit.Credentials.GetAsync(Kit.AppId, DeliveryKinds.Apns, CancellationToken.None);
        Assert.Equal(reads + 1, kit.Content.Lists);

        kit.Time.Advance(TimeSpan.FromSeconds(31));
        await kit.Credentials.GetAsync(Kit.AppId, DeliveryKinds.Apns, CancellationToken.None);
        Assert.Equal(reads + 2, kit.Content.Lists);
    }

    [Fact]
    public async Task Store_ChangeMadeByAnotherNode_SeenAfterTheCacheDuration()
    {
        var kit = new Kit();
        var otherNode = new DeliveryCredentialStore(kit.Content, kit.Time, TimeSpan.FromSeconds(30));
        Assert.Null(await kit.Credentials.GetAsync(Kit.AppId, DeliveryKinds.Apns, CancellationToken.None));
        await otherNode.SetAsync(Kit.AppId, CredentialParser.Parse(DeliveryKinds.Apns, Apns()), CancellationToken.None);
        Assert.Null(await kit.Credentials.GetAsync(Kit.AppId, DeliveryKinds.Apns, CancellationToken.None));
        kit.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.NotNull(await kit.Credentials.GetAsync(Kit.AppId, DeliveryKinds.Apns, CancellationToken.None));
    }
}
