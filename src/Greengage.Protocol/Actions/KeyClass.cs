namespace Greengage.Protocol.Actions;

/// <summary>The class of a client key; it decides which actions a request may call (spec section 2).</summary>
[Flags]
public enum KeyClasses
{
    None = 0,
    Production = 1,
    Development = 2,
    DataExport = 4,
    ContentReadOnly = 8,
}
