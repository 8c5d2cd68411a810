using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Data.Common;
using Npgsql;

namespace NapGeo.Features;

/// <summary>
/// Validators for a layer's responses. Every write to a layer goes through the audit triggers, so its newest audit
/// entry says when it last changed. An audit id is assigned before its transaction commits, though: a write still open
/// may commit an id lower than the newest one seen. So the state also names the transactions writing in this database
/// at that moment (usually none): once they finish, the state differs. Transactions elsewhere in the cluster do not
/// count, or every write to any database would change every ETag. Writers are seen through pg_stat_activity, which
/// shows the transaction ids of the service's own role (all of its writes); a superuser's manual session is not seen.
/// Last-Modified has a coarser clock (whole seconds) and no room for open writers, so it is only given when it can be
/// trusted for If-Modified-Since: with no writer open, and once the second of the newest change is over (a change later
/// in that same second would carry the same Last-Modified). The audit time is when the row was written
/// (clock_timestamp, migration 0090), not when its transaction began, or a long transaction committing later would
/// carry an older time than changes already served.
/// </summary>
public static class CollectionVersion
{
    public sealed record State(string Revision, DateTimeOffset? LastModified);

    /// <summary>
    /// The layer's state; $1 is the table name. Read the row with <see cref="Read"/>. The writers come from the function
    /// behind the pg_stat_activity view: the view also joins every backend to its database and role names, which a
    /// page, reading this once per request, does not need.
    /// </summary>
    public const string Sql =
        "SELECT (SELECT id FROM audit_log WHERE table_name = $1 ORDER BY id DESC LIMIT 1), " +
        "(SELECT at FROM audit_log WHERE table_name = $1 ORDER BY id DESC LIMIT 1), " +
        "(SELECT string_agg(backend_xid::text, ',' ORDER BY backend_xid::text) FROM pg_stat_get_activity(NULL) " +
        "WHERE datid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()), " +
        "clock_timestamp()";

    public static State Read(DbDataReader row)
    {
        var id = row.IsDBNull(0) ? 0 : row.GetInt64(0);
        var revision = id.ToString(CultureInfo.InvariantCulture);
        var writersOpen = !row.IsDBNull(2);
        DateTimeOffset? at = row.IsDBNull(1) ? null : Utc(row.GetFieldValue<DateTime>(1));
        if (writersOpen || at is { } t && Truncate(t).AddSeconds(1) > Utc(row.GetFieldValue<DateTime>(3))) at = null;
        return new State(writersOpen ? $"{revision}+{row.GetString(2)}" : revision, at);
    }

    /// <summary>
    /// When one row last changed, by the same rule as the layer's Last-Modified: null while a writer is open in the
    /// database, while the second of the change is not over, or when no audit entry names the row (a bulk load with
    /// the triggers off).
    /// </summary>
    public static async Task<DateTimeOffset?> RowLastModifiedAsync(NpgsqlConnection connection, string table, Guid id, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(Sql + ", (SELECT max(at) FROM audit_log WHERE table_name = $1 AND row_id = $2)", connection)
        {
            Parameters = { new() { Value = table }, new() { Value = id } },
        };
        await using var row = await command.ExecuteReaderAsync(ct);
        await row.ReadAsync(ct);
        if (Read(row).LastModified is null || row.IsDBNull(4)) return null;
        var changed = Utc(row.GetFieldValue<DateTime>(4));
        return Truncate(changed).AddSeconds(1) > Utc(row.GetFieldValue<DateTime>(3)) ? null : changed;
    }

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));

    /// <summary>A weak ETag (gzip changes the bytes, not the meaning) for one representation of the layer's state.</summary>
    public static string ETag(State state, string representation)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(representation)))[..16];
        return $"W/\"{state.Revision}-{hash}\"";
    }

    /// <summary>True when the client's cached copy is current: If-None-Match first, else If-Modified-Since (RFC 9110 13.2.2).</summary>
    public static bool NotModified(HttpRequest request, string etag, DateTimeOffset? lastModified)
    {
        var ifNoneMatch = request.Headers.IfNoneMatch.ToString();
        if (ifNoneMatch.Length > 0)
            return ifNoneMatch.Split(',').Select(t => t.Trim()).Any(t => t == "*" || Weak(t) == Weak(etag));
        return UnmodifiedSince(request, lastModified);
    }

    /// <summary>If-Modified-Since alone: true when <paramref name="lastModified"/> is known and not after it. Callers ask
    /// only when the request has no If-None-Match, which takes precedence.</summary>
    public static bool UnmodifiedSince(HttpRequest request, DateTimeOffset? lastModified) =>
        lastModified is { } modified && request.GetTypedHeaders().IfModifiedSince is { } since && Truncate(modified) <= since;

    public static void Apply(HttpResponse response, string etag, DateTimeOffset? lastModified)
    {
        response.Headers.ETag = etag;
        if (lastModified is { } modified) response.GetTypedHeaders().LastModified = Truncate(modified);
        response.Headers.CacheControl = "no-cache"; // revalidate every time: the data change under edits
    }

    private static string Weak(string tag) => tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;

    public static DateTimeOffset Truncate(DateTimeOffset t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
}
