using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Greengage.Engine.Actions.User;

/// <summary>A stable bucket 0-999 per user id, as Leanplum's exports carry it.</summary>
public static class UserBucket
{
    public static int Of(string userId) =>
        (int)(BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(userId))) % 1000);
}
