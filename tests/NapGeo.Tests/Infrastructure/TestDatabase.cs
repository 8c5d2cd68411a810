using Npgsql;

namespace NapGeo.Tests.Infrastructure;

/// <summary>
/// A fresh database in the throwaway PostGIS cluster that <c>./napgeo test</c> starts (NAPGEO_TEST_DB).
/// Each fixture gets its own database, created from template1 (which has PostGIS), and drops it afterwards.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _adminConnection;

    private TestDatabase(string adminConnection, string name)
    {
        _adminConnection = adminConnection;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnection) { Database = name, Pooling = true }.ConnectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }
    /// <summary>The cluster's base database (from NAPGEO_TEST_DB): somewhere else in the same cluster.</summary>
    public string BaseConnectionString => _adminConnection;

    public static async Task<TestDatabase> CreateAsync()
    {
        var baseConnection = Environment.GetEnvironmentVariable("NAPGEO_TEST_DB");
        if (string.IsNullOrEmpty(baseConnection))
            throw new InvalidOperationException("NAPGEO_TEST_DB is not set: run the tests through ./napgeo test, which starts a throwaway PostGIS.");
        var name = "napgeo_t_" + Guid.NewGuid().ToString("N")[..12];
        await using var admin = new NpgsqlConnection(baseConnection);
        await admin.OpenAsync();
        // The name is generated above from hex digits only; CREATE DATABASE cannot take a parameter.
        await using (var cmd = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE template1", admin)) await cmd.ExecuteNonQueryAsync();
        return new TestDatabase(baseConnection, name);
    }

    public NpgsqlDataSource CreateDataSource() => NapGeo.Database.NapGeoDatabase.Create(ConnectionString);

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var db = CreateDataSource();
        await using var cmd = db.CreateCommand(sql);
        foreach (var p in parameters) cmd.Parameters.Add(new() { Value = p });
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_adminConnection);
        await admin.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", admin);
        // FORCE may not end an autovacuum worker that is just then analyzing the database (it runs as the superuser,
        // 42501): the worker is gone a moment later.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await cmd.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }
}
