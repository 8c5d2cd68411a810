using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace NapGeo.Auth;

public static class Roles
{
    public const string Viewer = "viewer";
    public const string Editor = "editor";
    public const string Admin = "admin";
    public static readonly string[] All = [Viewer, Editor, Admin];
}

public sealed record ApiKeyOwner(Guid Id, string Name, string Role);

/// <summary>
/// Issues and checks API keys. A key is <c>ngk_</c> + 43 base64url characters (256 random bits); the database keeps
/// its first 12 characters as a lookup prefix and a SHA-256 of the whole key, never the key itself.
/// </summary>
public sealed class ApiKeyStore(NpgsqlDataSource db)
{
    private const string Scheme = "ngk_";
    private const int PrefixLength = 12;

    public async Task<string> CreateAsync(string name, string role, CancellationToken ct = default)
    {
        if (!Roles.All.Contains(role)) throw new ArgumentException($"role must be one of {string.Join(", ", Roles.All)}", nameof(role));
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("name is required", nameof(name));
        var key = Scheme + Base64Url(RandomNumberGenerator.GetBytes(32));
        await using var cmd = db.CreateCommand("INSERT INTO api_keys (name, role, prefix, key_hash) VALUES ($1, $2, $3, $4)");
        cmd.Parameters.Add(new() { Value = name.Trim() });
        cmd.Parameters.Add(new() { Value = role });
        cmd.Parameters.Add(new() { Value = key[Scheme.Length..(Scheme.Length + PrefixLength)] });
        cmd.Parameters.Add(new() { Value = Hash(key) });
        await cmd.ExecuteNonQueryAsync(ct);
        return key;
    }

    public async Task<ApiKeyOwner?> FindAsync(string presentedKey, CancellationToken ct = default)
    {
        if (!presentedKey.StartsWith(Scheme, StringComparison.Ordinal) || presentedKey.Length < Scheme.Length + PrefixLength) return null;
        await using var cmd = db.CreateCommand("SELECT id, name, role, key_hash FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL");
        cmd.Parameters.Add(new() { Value = presentedKey[Scheme.Length..(Scheme.Length + PrefixLength)] });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var stored = reader.GetFieldValue<byte[]>(3);
        return CryptographicOperations.FixedTimeEquals(stored, Hash(presentedKey))
            ? new ApiKeyOwner(reader.GetGuid(0), reader.GetString(1), reader.GetString(2))
            : null;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
