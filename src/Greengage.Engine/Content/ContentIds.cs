using System.Security.Cryptography;

namespace Greengage.Engine.Content;

/// <summary>
/// Ids of audiences, A/B tests and variants: positive integers as Leanplum's were, below 2^53 so that JavaScript reads
/// them exactly, drawn at random (16 digits) so ids from different nodes never collide in practice.
/// </summary>
public static class ContentIds
{
    public static long Next() => RandomNumberGenerator.GetInt32(100_000_000, 900_000_000) * 10_000_000L + RandomNumberGenerator.GetInt32(0, 10_000_000);
}
