using System.Reflection;
using System.Text.Json;
using Greengage.Engine.Users;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Tests.Profile;

/// <summary><c>block</c> / <c>unblock</c>, <c>createDisposition</c> and <c>deleteUser</c>.</summary>
public sealed class AccessTests
{
    private static readonly Dictionary<string, object?> Gold = new() { ["plan"] = "gold" };

    [Fact]
    public void Block_KnownUser_ErasesAttributesAndEndsTheOpenSession()
    {
        var user = new ProfileUser();
        user.Do("start", new { deviceId = "d1", userAttributes = Gold });
        var result = user.Do("block", new { }, at: TimeSpan.FromMinutes(1));

        Assert.True(result.Success);
        Assert.True(user.State.Block.Blocked);
        Assert.Empty(user.State.Profile.Attributes);
        Assert.Null(user.State.Sessions.Open);
        Assert.True(user.State.Exists);
    }

    [Theory]
    [InlineData("track")]
    [InlineData("start")]
    [InlineData("setUserAttributes")]
    [InlineData("setDeviceAttributes")]
    [InlineData("heartbeat")]
    public void Apply_WriteForABlockedUser_Answers451AndRecordsNothing(string action)
    {
        var user = new ProfileUser();
        user.Do("start", new { deviceId = "d1" });
        user.Do("block", new { });
        var rows = user.RowCount;
        var before = user.Serialized();

        var result = user.Do(action, new { deviceId = "d1", @event = "E", userAttributes = Gold, systemName = "iOS" }, at: TimeSpan.FromHours(5));

        Assert.False(result.Success);
        Assert.Equal(451, result.Status);
        Assert.Equal(UserAccess.BlockedMessage, result.Error);
        Assert.Equal(rows, user.RowCount);
        Assert.Equal(before, user.Serialized());
    }

    [Fact]
    public void ExportUser_BlockedUser_StillAnswers()
    {
        var user = new ProfileUser();
        user.Do("track", new { @event = "E" });
        user.Do("block", new { });

        Assert.Equal(1L, (long)user.Export()["events"]!["E"]!["count"]!);
    }

    [Fact]
    public void Unblock_BlockedUser_ResumesCollection()
    {
        var user = new ProfileUser();
        user.Do("track", new { @event = "E" });
        user.Do("block", new { });
        user.Do("unblock", new { });
        var result = user.Do("track", new { @event = "E" });

        Assert.True(result.Success);
        Assert.False(user.State.Block.Blocked);
        Assert.Equal(2, user.State.Aggregates.Events["E"].Count);
        Assert.Equal(user.Serialized(), user.Replayed());
    }

    [Fact]
    public void Block_MissingUser_WarnsUserNotFoundAndRecordsNothing()
    {
        var user = new ProfileUser();
        var result = user.Do("block", new { });

        Assert.Equal("User not found; request skipped.", result.Warning);
        Assert.False(user.State.Block.Blocked);
        Assert.Equal(0, user.RowCount);
    }

    [Theory]
    [InlineData("track")]
    [InlineData("setUserAttributes")]
    [InlineData("setDeviceAttributes")]
    [InlineData("setTrafficSourceInfo")]
    [InlineData("start")]
    public void Apply_CreateNeverForAMissingUser_WarnsAndRecordsNothing(string action)
    {
        var user = new ProfileUser();
        var result = user.Do(action, new
        {
            createDisposition = "CreateNever",
            deviceId = "d1",
            @event = "E",
            userAttributes = Gold,
            systemName = "iOS",
            trafficSource = new { publisherId = "1" },
        });

        Assert.True(result.Success);
        Assert.Equal("User not found; request skipped.", result.Warning);
        Assert.Equal(0, user.RowCount);
        Assert.False(user.State.Exists);
    }

    [Fact]
    public void Apply_CreateNeverForAKnownUser_Applies()
    {
        var user = new ProfileUser();
        user.Do("track", new { @event = "E" });
        var result = user.Do("setUserAttributes", new { createDisposition = "createnever", userAttributes = Gold });

        Assert.Null(result.Warning);
        Assert.Equal("gold", user.State.Profile.Attributes["plan"].GetString());
    }

    [Fact]
    public void Apply_CreateIfNeededOverridingBlocksDefault_BlocksAUserNotSeenYet()
    {
        var user = new ProfileUser();
        var result = user.Do("block", new { createDisposition = "CreateIfNeeded" });

        Assert.Null(result.Warning);
        Assert.True(user.State.Block.Blocked);
        Assert.Equal(451, user.Do("track", new { @event = "E" }).Status);
    }

    [Fact]
    public void Apply_UnknownCreateDisposition_FailsWithA400()
    {
        var result = new ProfileUser().Do("track", new { @event = "E", createDisposition = "Sometimes" });

        Assert.Equal(400, result.Status);
        Assert.Contains("createDisposition", result.Error);
    }

    [Fact]
    public void DeleteUser_KnownUser_RemovesTheProfileAndALaterWriteStartsAfresh()
    {
        var user = new ProfileUser();
        user.Do("start", new { deviceId = "d1", userAttributes = Gold });
        user.Do("track", new { deviceId = "d1", @event = "E", value = 3 });
        user.Do("setTrafficSourceInfo", new { trafficSource = new { publisherId = "1" } });

        Assert.True(user.Do("deleteUser", new { }).Success);
        Assert.False(user.State.Exists);
        Assert.Equal("User not found; request skipped.", user.Do("exportUser", new { }).Warning);

        user.Do("track", new { @event = "E" }, at: TimeSpan.FromMinutes(1));
        Assert.True(user.State.Exists);
        Assert.Equal(1, user.State.Aggregates.Events["E"].Count);
        Assert.Empty(user.State.Profile.Attributes);
        Assert.Empty(user.State.Devices.Devices);
        Assert.Null(user.State.Source.Source);
        Assert.Equal(user.Serialized(), user.Replayed());
    }

    [Fact]
    public void DeleteUser_FullErasure_IsRecordedOnTheDeletion()
    {
        var user = new ProfileUser();
        user.Do("track", new { @event = "E" });
        user.Do("deleteUser", new { fullErasure = "true" });

        Assert.Equal([EventTracked.Kind, UserDeleted.Kind], user.Kinds);
        Assert.Contains("\"full\":true", user.Bodies.Last(), StringComparison.Ordinal);
        Assert.False(user.State.Exists);
    }

    [Fact]
    public void DeleteUser_MissingUser_WarnsUserNotFound()
    {
        var user = new ProfileUser();
        Assert.Equal("User not found; request skipped.", user.Do("deleteUser", new { }).Warning);
        Assert.Equal(0, user.RowCount);
    }

    [Fact]
    public void DeleteUser_BlockedUser_StaysBlockedAndCanStillBeUnblocked()
    {
        var user = new ProfileUser();
        user.Do("track", new { @event = "E" });
        user.Do("block", new { });
        user.Do("deleteUser", new { fullErasure = true });

        Assert.False(user.State.Exists);
        Assert.True(user.State.Block.Blocked);
        Assert.Equal(451, user.Do("track", new { @event = "E" }).Status);
        Assert.Null(user.Do("unblock", new { }).Warning);
        Assert.False(user.State.Block.Blocked);
        Assert.False(user.State.Exists);
        Assert.True(user.Do("track", new { @event = "E" }).Success);
        Assert.Equal(1, user.State.Aggregates.Events["E"].Count);
    }

    /// <summary>Guards <c>UserState.ResetForDeletion</c>: a component added later must start over on deletion too.</summary>
    [Fact]
    public void Apply_UserDeleted_ResetsEveryComponentButRetriesAndBlock()
    {
        var user = new ProfileUser();
        user.Do("start", new { deviceId = "d1", userAttributes = Gold, city = "Oslo", uuid = "b1", reqId = "r1" });
        user.Do("advance", new { deviceId = "d1", state = "Level 1" });
        user.Do("setUserAttributes", new { unsubscribeChannelsToAdd = "Email", devices = new object[] { new { deviceId = "d2", systemName = "iOS" } } });
        user.Do("setTrafficSourceInfo", new { trafficSource = new { publisherId = "1" } });
        user.Do("deleteUser", new { });

        var fresh = new UserState();
        foreach (var component in typeof(UserState).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            if (component.Name is nameof(UserState.Retries) or nameof(UserState.Block))
                continue;
            Assert.True(
                JsonSerializer.Serialize(component.GetValue(fresh)) == JsonSerializer.Serialize(component.GetValue(user.State)),
                $"UserState.{component.Name} is not reset by deleteUser (UserState.ResetForDeletion).");
        }
        Assert.True(user.State.Retries.ByDevice.ContainsKey("d1"));
    }
}
