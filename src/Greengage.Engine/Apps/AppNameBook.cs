using Greengage.Engine.Storage;
using Greengage.Protocol.Requests;

namespace Greengage.Engine.Apps;

/// <summary>The kinds of names an app's limits count (spec 6.2), as stored.</summary>
public static class NameKinds
{
    public const string Event = "event";
    public const string State = "state";
    public const string Attribute = "attribute";
    public const string Parameter = "parameter";
}

/// <summary>A name the app may not take, and why (the item that uses it fails with this message).</summary>
public sealed record NameRefusal(AppName Name, string Message);

/// <summary>
/// One app's names and the rules for taking new ones (spec 6.2): at most so many names of each kind, and no name both an
/// event and a state. Plain class: the app's name registry (one Orleans grain per app) owns one and persists what it
/// admits.
/// </summary>
public sealed class AppNameBook(ProtocolLimits limits)
{
    private readonly Dictionary<string, HashSet<string>> _byKind = new(StringComparer.Ordinal)
    {
        [NameKinds.Event] = new(StringComparer.Ordinal),
        [NameKinds.State] = new(StringComparer.Ordinal),
        [NameKinds.Attribute] = new(StringComparer.Ordinal),
        [NameKinds.Parameter] = new(StringComparer.Ordinal),
    };

    public int Count(string kind) => _byKind[kind].Count;

    public bool Knows(AppName name) => _byKind.TryGetValue(name.Kind, out var set) && set.Contains(name.Name);

    /// <summary>Adds names already admitted (loaded from the store).</summary>
    public void Load(IEnumerable<AppName> names)
    {
        foreach (var name in names)
        {
            if (_byKind.TryGetValue(name.Kind, out var set))
                set.Add(name.Name);
        }
    }

    /// <summary>
    /// Decides on <paramref name="names"/> in order: known ones pass; a new one is taken while its kind has room and it
    /// does not clash with the other of event and state. Returns the new names taken (to persist before anyone is told
    /// they exist) and the refusals. Nothing changes until <see cref="Load"/> is called with the taken names.
    /// </summary>
    public (List<AppName> Taken, List<NameRefusal> Refused) Decide(IEnumerable<AppName> names)
    {
        var taken = new List<AppName>();
        var refused = new List<NameRefusal>();
        var pending = new HashSet<AppName>();
        foreach (var name in names)
        {
            if (Knows(name) || pending.Contains(name) || refused.Any(r => r.Name == name))
                continue;
            if (!_byKind.ContainsKey(name.Kind))
                throw new ArgumentException($"Unknown name kind '{name.Kind}'.", nameof(names));
            var other = name.Kind switch
            {
                NameKinds.Event => NameKinds.State,
                NameKinds.State => NameKinds.Event,
                _ => null,
            };
            if (other is not null && (Knows(new AppName(other, name.Name)) || pending.Contains(new AppName(other, name.Name))))
            {
                refused.Add(new NameRefusal(name, $"'{name.Name}' is already a{(other == NameKinds.Event ? "n" : "")} {other} name of this app; an event and a state must not share a name."));
                continue;
            }
            var limit = LimitOf(name.Kind);
            if (Count(name.Kind) + taken.Count(t => t.Kind == name.Kind) >= limit)
            {
                refused.Add(new NameRefusal(name, $"This app already has {limit} {name.Kind} names (the limit); '{name.Name}' is not recorded."));
                continue;
            }
            pending.Add(name);
            taken.Add(name);
        }
        return (taken, refused);
    }

    private int LimitOf(string kind) => kind switch
    {
        NameKinds.Event => limits.MaxEventNamesPerApp,
        NameKinds.State => limits.MaxStateNamesPerApp,
        NameKinds.Attribute => limits.MaxAttributeNamesPerApp,
        _ => limits.MaxParameterNamesPerApp,
    };
}

/// <summary>
/// Admits an app's new names against its limits, one decision at a time per app (an Orleans grain per app in the
/// server), and stores them before answering. Returns the refused names; every other name given is admitted.
/// </summary>
public interface IAppNameRegistry
{
    Task<IReadOnlyList<NameRefusal>> AdmitAsync(string appId, IReadOnlyList<AppName> names, CancellationToken cancellationToken);
}
