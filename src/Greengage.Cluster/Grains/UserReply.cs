using Greengage.Protocol.Responses;

namespace Greengage.Cluster.Grains;

/// <summary>A grain's answer: one result per item, or why the writes could not be made durable.</summary>
public sealed record UserReply(ActionResult[]? Results, string? Unavailable = null, int RetryAfterSeconds = 1);
