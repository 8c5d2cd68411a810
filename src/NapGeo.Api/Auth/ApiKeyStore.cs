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
/// the 12 characters after <c>ngk_</c> as a lookup prefix and a SHA-256 of the whole key, never the key itself.
/// </summary>
public sealed class ApiKeyStore(NpgsqlDataSource db)
{
    private const string Scheme = "ngk_";
    private const int PrefixLength = 12;
    private const int MaxNameLength = 100;

    public async Task<string> CreateAsync(string name, string role, CancellationToken ct = default)
    {
        if (!Roles.All.Contains(role)) throw new ArgumentException($"role must be one of {string.Join(", ", Roles.All)}", nameof(role));
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("name is required", nameof(name));
        // The column's limit (in characters, as PostgreSQL counts them), said before the insert: the database's refusal
        // is a constraint name over three lines.
        if (name.Trim().EnumerateRunes().Count() > MaxNameLength) throw new ArgumentException($"name must be at most {MaxNameLength} characters", nameof(name));
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

    /// <summary>Every key, newest first, as its shown prefix (ngk_ + 12 characters): the key itself is not stored.</summary>
    public async Task<IReadOnlyList<(string Prefix, string Name, string Role, DateTime CreatedAt, DateTime? RevokedAt)>> ListAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT prefix, name, role, created_at, revoked_at FROM api_keys ORDER BY created_at DESC, prefix");
        await using var row = await cmd.ExecuteReaderAsync(ct);
        var keys = new List<(string, string, string, DateTime, DateTime?)>();
        while (await row.ReadAsync(ct))
            keys.Add((Scheme + row.GetString(0), row.GetString(1), row.GetString(2), row.GetDateTime(3), row.IsDBNull(4) ? null : row.GetDateTime(4)));
        return keys;
    }

    /// <summary>
    /// Revokes the key a whole key or its shown prefix names; false when no key that is still valid has it. A revoked key
    /// is refused from the next request on (keys are looked up on every request, not cached).
    /// </summary>
    public async Task<bool> RevokeAsync(string keyOrPrefix, CancellationToken ct = default)
    {
        var text = keyOrPrefix.Trim();
        if (text.StartsWith(Scheme, StringComparison.Ordinal)) text = text[Scheme.Length..];
        if (text.Length < PrefixLength) return false;
        await using var cmd = db.CreateCommand("UPDATE api_keys SET revoked_at = now() WHERE prefix = $1 AND revoked_at IS NULL");
        cmd.Parameters.Add(new() { Value = text[..PrefixLength] });
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
