using System.Reflection;
using DbUp;
using Npgsql;

namespace NapGeo.Database;

/// <summary>The one <see cref="NpgsqlDataSource"/> of the process, and the schema migrations it needs.</summary>
public static class NapGeoDatabase
{
    public const string ConnectionSetting = "NAPGEO_DB";

    public static string ConnectionString(IConfiguration configuration) =>
        configuration[ConnectionSetting] is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{ConnectionSetting} is not set: give it an Npgsql connection string, e.g. Host=127.0.0.1;Port=5433;Database=napgeo;Username=napgeo;Password=…");

    /// <param name="maxConnections">
    /// The most connections this pool opens (Npgsql's default is 100, as many as PostgreSQL's default max_connections, and
    /// the service has two pools). Requests beyond it wait for a connection instead of using up the server's slots,
    /// which other instances, the CLI and psql need too. A smaller Max Pool Size in the connection string wins.
    /// </param>
    public static NpgsqlDataSource Create(string connectionString, int? maxConnections = null)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (maxConnections is { } most) builder.ConnectionStringBuilder.MaxPoolSize = Math.Max(1, Math.Min(most, builder.ConnectionStringBuilder.MaxPoolSize));
        // A backend whose client died (the API killed mid-upload) otherwise runs its statement to the end, minutes for a
        // large merge, holding its locks and a core: PostgreSQL checks every 5 s that the client is still there.
        var options = builder.ConnectionStringBuilder.Options ?? "";
        if (!options.Contains("client_connection_check_interval", StringComparison.Ordinal))
            builder.ConnectionStringBuilder.Options = (options + " -c client_connection_check_interval=5000").Trim();
        // Columns are 2D: elevations from GPS units are dropped on write instead of failing the insert.
        builder.UseNetTopologySuite(handleOrdinates: NetTopologySuite.Geometries.Ordinates.XY);
        builder.ConnectionStringBuilder.ApplicationName ??= "napgeo";
        // The same few statements (tiles, pages, counts) run thousands of times: prepared once per connection, they
        // skip parsing and, for PostGIS predicates, the planner's reading of the geometry statistics each time.
        // Set "Max Auto Prepare" in the connection string to choose another number.
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0) builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        // A connection returned to the pool is otherwise reset with seven statements (RESET ALL, UNLISTEN *, …), parsed
        // and run before the next request's own: a tenth of a feature page's database time. Nothing here leaves
        // session state behind: settings, locks and temp tables are all transaction-scoped, and the tile listener
        // undoes its LISTEN itself. Migrations take their session lock on a connection of their own, which is not pooled.
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        return builder.Build();
    }

    public static IServiceCollection AddNapGeoDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ => Create(ConnectionString(configuration), configuration.GetValue("Database:MaxConnections", 40)));
        return services;
    }

    /// <summary>
    /// Waits until the database answers, up to <paramref name="patience"/>: a server started together with its database
    /// (a reboot, compose) would otherwise die on the first refused connection. Says what it waits for every 5 s; past
    /// the patience, the last error is thrown.
    /// </summary>
    public static void WaitForDatabase(string connectionString, TimeSpan patience, TextWriter log)
    {
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var said = TimeSpan.Zero;
        while (true)
        {
            try
            {
                using var connection = new NpgsqlConnection(unpooled.ConnectionString);
                connection.Open();
                return;
            }
            catch (NpgsqlException e) when (e.IsTransient && clock.Elapsed < patience)
            {
                if (clock.Elapsed >= said)
                {
                    log.WriteLine($"Waiting for the database at {unpooled.Host}:{unpooled.Port} ({e.Message}); giving up after {patience.TotalSeconds:0} s.");
                    said = clock.Elapsed + TimeSpan.FromSeconds(5);
                }
                Thread.Sleep(500);
            }
        }
    }

    /// <summary>Applies the embedded <c>Database/Migrations/*.sql</c> scripts in name order, each once.</summary>
    public static void Migrate(string connectionString, TextWriter log)
    {
        // Several instances (or the CLI and a server) may start together: one migrates, the others wait for it.
        // The lock is held by an unpooled session: a pooled one would keep its session, and the lock with it, idle in
        // the pool after this returns, and every other instance would wait for it in vain.
        using var lockConnection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        lockConnection.Open();
        // Waiting is bounded by the other instance's migrations (a column added to a million rows takes minutes), not 30 s;
        // it is said, so a start-up that waits on a stuck instance does not look like a hang.
        using (var tryTake = new NpgsqlCommand("SELECT pg_try_advisory_lock(727400001)", lockConnection))
            if (tryTake.ExecuteScalar() is not true)
            {
                log.WriteLine("Another instance is migrating this database (advisory lock 727400001); waiting for it.");
                using var take = new NpgsqlCommand("SELECT pg_advisory_lock(727400001)", lockConnection) { CommandTimeout = 0 };
                take.ExecuteNonQuery();
            }
        var upgrader = DeployChanges.To
            .PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), name => name.Contains(".Database.Migrations."))
            .WithTransactionPerScript()
            .JournalToPostgresqlTable("public", "schema_versions")
            .LogTo(new TextWriterUpgradeLog(log))
            .Build();
        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
            throw new InvalidOperationException($"Database migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
        // An older build started against a database a newer one migrated: it may not know what the schema now holds.
        var known = upgrader.GetExecutedButNotDiscoveredScripts();
        if (known.Count > 0)
            log.WriteLine($"migrate warning: this database has migrations this build does not have ({string.Join(", ", known)}): " +
                          "it was migrated by a newer NapGeo; run that version.");
    }

    /// <summary>Names of embedded migrations not yet recorded in the journal; empty when the schema is current.</summary>
    public static IReadOnlyList<string> PendingMigrations(string connectionString) =>
        DeployChanges.To
            .PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), name => name.Contains(".Database.Migrations."))
            .JournalToPostgresqlTable("public", "schema_versions")
            .LogToNowhere()
            .Build()
            .GetScriptsToExecute()
            .Select(s => s.Name)
            .ToList();

    private sealed class TextWriterUpgradeLog(TextWriter writer) : DbUp.Engine.Output.IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) { }
        public void LogDebug(string format, params object[] args) { }
        // Only the scripts actually applied are worth a line; DbUp's journal chatter is not.
        public void LogInformation(string format, params object[] args)
        {
            if (format.StartsWith("Executing", StringComparison.Ordinal)) writer.WriteLine("migrate: " + string.Format(format, args));
        }
        public void LogWarning(string format, params object[] args) => writer.WriteLine("migrate warning: " + string.Format(format, args));
        // A failure is said once, by Migrate's exception (the script and PostgreSQL's message): DbUp's own error lines
        // carry the exception's whole stack trace, three times over.
        public void LogError(string format, params object[] args) { }
        public void LogError(Exception ex, string format, params object[] args) { }
    }
}
