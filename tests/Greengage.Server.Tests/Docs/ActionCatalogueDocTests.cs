using System.Text.RegularExpressions;
using Greengage.Engine.Actions;
using Greengage.Protocol.Actions;
using Greengage.Server.Tests.Infrastructure;
using Greengage.Server.Tests.Processes;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Docs;

/// <summary>docs/actions.md lists every catalogued action and says truthfully which ones this server implements.</summary>
public sealed partial class ActionCatalogueDocTests
{
    [Fact]
    public void ActionsDoc_EveryCataloguedAction_IsListedWithItsTrueStatus()
    {
        var root = ServerProcess.RepositoryRoot() ?? throw new InvalidOperationException("The checkout root was not found.");
        var rows = Row().Matches(File.ReadAllText(Path.Combine(root, "docs", "actions.md")))
            .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["status"].Value.Trim(), StringComparer.Ordinal);
        // The tables the server wires: some handlers need services and join the defaults there (registerDevice).
        using var server = new GreengageFactory();
        var implemented = server.Services.GetRequiredService<UserActionTable>().Names
            .Concat(server.Services.GetRequiredService<AppActionTable>().Names).ToHashSet(StringComparer.Ordinal);

        Assert.All(ActionCatalogue.Actions, a =>
        {
            Assert.True(rows.TryGetValue(a.Name, out var status), $"docs/actions.md does not list '{a.Name}'");
            Assert.Equal(implemented.Contains(a.Name) ? "yes" : "not yet", status);
        });
        Assert.Equal(ActionCatalogue.Actions.Count, rows.Count);
    }

    [GeneratedRegex(@"^\| `(?<name>\w+)` \|[^|]*\|[^|]*\|[^|]*\|(?<status>[^|]*)\|", RegexOptions.Multiline)]
    private static partial Regex Row();
}
