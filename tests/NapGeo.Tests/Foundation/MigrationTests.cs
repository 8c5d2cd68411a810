using NapGeo.Database;
using NapGeo.Tests.Infrastructure;
using Npgsql;

namespace NapGeo.Tests.Foundation;

/// <summary>Several instances (or the CLI and a server) migrating one database at the same time.</summary>
public sealed class MigrationTests
{
    [Fact]
    public async Task The_migration_lock_is_free_as_soon_as_migrating_returns()
    {
        await using var db = await TestDatabase.CreateAsync();
        NapGeoDatabase.Migrate(db.ConnectionString, TextWriter.Null);

        // Another instance, i.e. another session: it must get the lock at once, not wait for a pooled connection to age out.
        await using var other = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db.ConnectionString) { Pooling = false }.ConnectionString);
        await other.OpenAsync();
        await using var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(727400001)", other);
        Assert.True((bool)(await take.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Three_instances_starting_together_apply_each_script_once()
    {
        await using var db = await TestDatabase.CreateAsync();
        // Each instance has a pool of its own, as separate processes would.
        var instances = Enumerable.Range(1, 3).Select(i =>
            Task.Run(() => NapGeoDatabase.Migrate(new NpgsqlConnectionStringBuilder(db.ConnectionString) { ApplicationName = $"instance-{i}" }.ConnectionString, TextWriter.Null)));
        await Task.WhenAll(instances);

        Assert.Empty(NapGeoDatabase.PendingMigrations(db.ConnectionString));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM (SELECT scriptname FROM schema_versions GROUP BY scriptname HAVING count(*) > 1) twice"));
    }
}
