using Greengage.Protocol.Actions;

namespace Greengage.Protocol.Tests;

/// <summary>Spec section 2: which key class may call which action.</summary>
public sealed class ActionCatalogueTests
{
    [Theory]
    [InlineData("start", KeyClasses.Production, true)]
    [InlineData("start", KeyClasses.Development, true)]
    [InlineData("start", KeyClasses.DataExport, false)]
    [InlineData("setVars", KeyClasses.Production, false)]
    [InlineData("setVars", KeyClasses.Development, true)]
    [InlineData("exportUser", KeyClasses.DataExport, true)]
    [InlineData("exportUser", KeyClasses.Production, false)]
    [InlineData("exportUser", KeyClasses.Development, false)]
    [InlineData("getMessages", KeyClasses.ContentReadOnly, true)]
    [InlineData("getMessages", KeyClasses.Production, false)]
    [InlineData("log", KeyClasses.Production, true)]
    [InlineData("getMigrateState", KeyClasses.Development, true)]
    [InlineData("block", KeyClasses.Production, false)]
    [InlineData("block", KeyClasses.Development, true)]
    public void Allows_KeyTable_Holds(string action, KeyClasses key, bool allowed) =>
        Assert.Equal(allowed, ActionCatalogue.Find(action)!.Allows(key));

    [Fact]
    public void Find_IsCaseSensitive() => Assert.Null(ActionCatalogue.Find("Start"));

    [Fact]
    public void Actions_HaveUniqueNames() =>
        Assert.Equal(ActionCatalogue.Actions.Count, ActionCatalogue.Actions.Select(a => a.Name).Distinct(StringComparer.Ordinal).Count());

    [Fact]
    public void Actions_EveryOneAcceptsSomeKey() =>
        Assert.All(ActionCatalogue.Actions, a => Assert.NotEqual(KeyClasses.None, a.Keys));
}
