namespace Greengage.Engine.Targeting;

/// <summary>An audience as published: its id, name and rule.</summary>
public sealed record AudienceDefinition(string Id, string Name, Rule Rule);

/// <summary>One compiled audience of an <see cref="AudienceSet"/>.</summary>
public sealed record CompiledAudience(AudienceDefinition Definition, Func<TargetingSubject, bool> Predicate);

/// <summary>
/// An app's audiences, compiled together once per publish: a rule may name another audience (<c>audience</c>
/// criteria), never itself through any chain. Memberships are evaluated lazily and remembered per
/// <see cref="TargetingSubject"/>.
/// </summary>
public sealed class AudienceSet
{
    private readonly CompiledAudience[] _audiences;
    private readonly Dictionary<string, int> _index;

    private AudienceSet(IReadOnlyList<AudienceDefinition> definitions)
    {
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < definitions.Count; i++)
            _index[definitions[i].Id] = i;
        _audiences = new CompiledAudience[definitions.Count];
    }

    public static AudienceSet Empty { get; } = Compile([]);

    public int Count => _audiences.Length;

    public CompiledAudience this[int index] => _audiences[index];

    public IEnumerable<CompiledAudience> All => _audiences;

    public int? IndexOf(string id) => _index.TryGetValue(id, out var i) ? i : null;

    public CompiledAudience? Find(string id) => IndexOf(id) is { } i ? _audiences[i] : null;

    /// <summary>Whether <paramref name="subject"/> is in the audience with <paramref name="id"/> (false for an unknown id).</summary>
    public bool Contains(string id, TargetingSubject subject) => IndexOf(id) is { } i && subject.InAudience(this, i);

    /// <summary>A compiler for rules (of A/B tests, messages) that may name these audiences.</summary>
    public RuleCompiler Compiler => new(this, IndexOf);

    /// <summary>Compiles every audience; throws <see cref="RuleException"/> naming the audience whose rule is wrong or
    /// the audiences that refer to each other in a cycle.</summary>
    public static AudienceSet Compile(IReadOnlyList<AudienceDefinition> definitions)
    {
        var set = new AudienceSet(definitions);
        CheckCycles(definitions, set._index);
        var compiler = set.Compiler;
        for (var i = 0; i < definitions.Count; i++)
        {
            try
            {
                set._audiences[i] = new CompiledAudience(definitions[i], compiler.Compile(definitions[i].Rule));
            }
            catch (RuleException e)
            {
                throw new RuleException($"Audience '{definitions[i].Name}' ({definitions[i].Id}): {e.Message}");
            }
        }
        return set;
    }

    /// <summary>The audience ids a rule names.</summary>
    public static IEnumerable<string> References(Rule rule) => rule switch
    {
        AllOf all => all.Rules.SelectMany(References),
        AnyOf any => any.Rules.SelectMany(References),
        NotRule not => References(not.Inner),
        Criterion { Subject: Subject.Audience, Name: { } id } => [id],
        _ => [],
    };

    /// <summary>The (event, parameter, value) tuples a rule counts (ARCHITECTURE decision 6).</summary>
    public static IEnumerable<(string Event, string Parameter, string Value)> CountedParameters(Rule rule) => rule switch
    {
        AllOf all => all.Rules.SelectMany(CountedParameters),
        AnyOf any => any.Rules.SelectMany(CountedParameters),
        NotRule not => CountedParameters(not.Inner),
        Criterion { Subject: Subject.Event, Name: { } name, Parameter: { } p } => [(name, p.Name, RuleValues.ParameterText(p.Value))],
        _ => [],
    };

    private static void CheckCycles(IReadOnlyList<AudienceDefinition> definitions, Dictionary<string, int> index)
    {
        // 0: not visited, 1: on the current path, 2: done.
        var marks = new byte[definitions.Count];
        var path = new List<string>();
        void Visit(int i)
        {
            if (marks[i] == 2)
                return;
            if (marks[i] == 1)
            {
                var start = path.IndexOf(definitions[i].Name);
                throw new RuleException($"Audiences refer to each other in a cycle: {string.Join(" -> ", path.Skip(start).Append(definitions[i].Name))}.");
            }
            marks[i] = 1;
            path.Add(definitions[i].Name);
            foreach (var id in References(definitions[i].Rule))
            {
                if (index.TryGetValue(id, out var j))
                    Visit(j);
            }
            path.RemoveAt(path.Count - 1);
            marks[i] = 2;
        }
        for (var i = 0; i < definitions.Count; i++)
            Visit(i);
    }
}
