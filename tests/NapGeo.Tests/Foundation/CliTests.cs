using System.Net;
using System.Diagnostics;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Foundation;

/// <summary>The admin CLI as an operator or a CI step meets it: exit codes and one-line errors, no stack traces.</summary>
[Collection(ApiCollection.Name)]
public sealed class CliTests(NapGeoServer server)
{
    internal static async Task<(int Code, string Output, string Error)> RunAsync(string? database, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "NapGeo.Api.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Remove("NAPGEO_DB");
        if (database is not null) start.Environment["NAPGEO_DB"] = database;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        // A command that waits forever (a lock, a prompt) fails the test instead of hanging the suite.
        using (var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            try { await process.WaitForExitAsync(patience.Token); }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"'{string.Join(' ', args)}' did not finish within 2 minutes.");
            }
        }
        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task A_server_started_without_its_database_waits_for_it_then_exits_with_one_line()
    {
        // A port nobody listens on, and a patience of two seconds.
        var nowhere = new Npgsql.NpgsqlConnectionStringBuilder(server.Database.ConnectionString) { Host = "127.0.0.1", Port = 1 }.ConnectionString;
        var (code, output, error) = await RunAsync(nowhere, "--urls", "http://127.0.0.1:0", "--Database:StartupWaitSeconds=2");
        Assert.Equal(1, code);
        Assert.Contains("Waiting for the database at 127.0.0.1:1", output);
        Assert.StartsWith("error: cannot start: ", error.Trim());
        Assert.DoesNotContain("   at ", error);
    }

    /// <summary>A port already in use ended the start in a stack trace and an abort (exit 134), not one line.</summary>
    [Fact]
    public async Task A_port_in_use_stops_the_start_with_one_line()
    {
        using var holder = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var (code, _, error) = await RunAsync(server.Database.ConnectionString, "--urls", $"http://127.0.0.1:{port}");
        Assert.Equal(1, code);
        Assert.StartsWith("error: cannot start: ", error.Trim());
        Assert.Contains($"127.0.0.1:{port}", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public async Task A_trusted_proxy_that_is_not_an_address_stops_the_start_with_one_line()
    {
        var (code, _, error) = await RunAsync(server.Database.ConnectionString, "--urls", "http://127.0.0.1:0", "--Http:TrustedProxies=10.0.0.5, 172.18.0.0/16, proxy.local");
        Assert.Equal(1, code);
        Assert.Equal("error: cannot start: Http:TrustedProxies: 'proxy.local' is not an IP address or network (such as 172.18.0.0/16).", error.Trim());
    }

    /// <summary>A failing migration printed DbUp's stack traces three times (~90 lines) before the one-line error.</summary>
    [Fact]
    public async Task A_failing_migration_is_one_line_and_a_newer_schema_is_named()
    {
        await using (var db = await TestDatabase.CreateAsync())
        {
            await db.ScalarAsync<int>("CREATE TABLE uploads (id integer); SELECT 1"); // in the way of 0040_uploads.sql
            var (code, output, error) = await RunAsync(db.ConnectionString, "migrate");
            Assert.Equal(1, code);
            Assert.DoesNotContain("   at ", output + error);
            Assert.Matches(@"^error: .*Database migration \S*0040_uploads\.sql failed: ", error.Trim());
            Assert.Single(error.Trim().Split('\n'));
        }
        await using (var db = await TestDatabase.CreateAsync())
        {
            Assert.Equal(0, (await RunAsync(db.ConnectionString, "migrate")).Code);
            await db.ScalarAsync<int>("INSERT INTO schema_versions (scriptname, applied) VALUES ('NapGeo.Database.Migrations.9999_from_a_newer_build.sql', now()); SELECT 1");
            var (code, output, _) = await RunAsync(db.ConnectionString, "migrate");
            Assert.Equal(0, code);
            Assert.Contains("migrate warning: this database has migrations this build does not have (NapGeo.Database.Migrations.9999_from_a_newer_build.sql)", output);
        }
    }

    [Fact]
    public async Task A_key_can_be_listed_by_its_prefix_and_revoked_and_is_then_refused()
    {
        var db = server.Database.ConnectionString;
        var created = await RunAsync(db, "apikey", "create", "--role", "editor", "--name", "Field team to revoke");
        Assert.Equal(0, created.Code);
        var key = created.Output.Trim();
        Assert.Equal(HttpStatusCode.OK, (await server.Client(key).GetAsync("/api/samples?limit=1")).StatusCode);

        var listed = await RunAsync(db, "apikey", "list");
        var line = listed.Output.Split('\n').Single(l => l.Contains("Field team to revoke"));
        Assert.StartsWith(key[..16] + "…\teditor\t", line);
        Assert.EndsWith("\tvalid", line.TrimEnd());
        Assert.DoesNotContain(key, listed.Output); // only the prefix is known

        Assert.Equal(0, (await RunAsync(db, "apikey", "revoke", key[..16])).Code);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client(key).GetAsync("/api/samples?limit=1")).StatusCode);
        Assert.Contains("\trevoked ", (await RunAsync(db, "apikey", "list")).Output.Split('\n').Single(l => l.Contains("Field team to revoke")));
        var again = await RunAsync(db, "apikey", "revoke", key);
        Assert.Equal(1, again.Code);
        Assert.Equal("error: no valid key has that prefix (see apikey list).", again.Error.Trim());
    }

    [Fact]
    public async Task Errors_are_one_line_with_a_failing_exit_code()
    {
        var (code, _, error) = await RunAsync(null, "migrate");
        Assert.Equal(1, code);
        Assert.Equal("error: NAPGEO_DB is not set.", error.Trim());

        var missing = await RunAsync(server.Database.ConnectionString, "import", "/nonexistent/samples.csv", "--target", "samples");
        Assert.Equal(1, missing.Code);
        Assert.Contains("does not exist", missing.Error);
        Assert.DoesNotContain("   at ", missing.Error);

        var noDemo = await RunAsync(server.Database.ConnectionString, "demo", "load", "/nonexistent");
        Assert.Equal(1, noDemo.Code);
        Assert.Contains("has no sites.geojson", noDemo.Error);
    }

    /// <summary>A key's name is at most 100 characters: the operator is told so, not shown the database's three-line
    /// check-constraint report.</summary>
    [Fact]
    public async Task A_key_name_too_long_is_one_line_saying_the_limit()
    {
        var (code, output, error) = await RunAsync(server.Database.ConnectionString, "apikey", "create", "--role", "viewer", "--name", new string('x', 101));
        Assert.Equal(1, code);
        Assert.Empty(output.Trim()); // no key was made
        Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("error: name must be at most 100 characters", error.Trim());
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM api_keys WHERE length(name) > 100"));
    }

    /// <summary>Ctrl-C killed an import at once: its upload stayed "running" and its temporary files stayed behind.</summary>
    [Fact]
    public async Task Ctrl_c_during_an_import_rolls_it_back_and_says_so()
    {
        var file = Path.Combine(Path.GetTempPath(), $"napgeo-cli-{Guid.NewGuid():N}.csv");
        var rows = new System.Text.StringBuilder("sample_id,matrix,value,unit,latitude,longitude\n");
        for (var i = 0; i < 60_000; i++) rows.Append(System.Globalization.CultureInfo.InvariantCulture, $"INT-{i},soil,{i % 97 / 10.0},mg/kg,{5 + i % 1000 / 1000.0},{-2 + i % 977 / 1000.0}\n");
        await File.WriteAllTextAsync(file, rows.ToString());
        try
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "NapGeo.Api.dll"), "import", file, "--target", "samples", "--campaign", "CTRLC" })
                start.ArgumentList.Add(arg);
            start.Environment["NAPGEO_DB"] = server.Database.ConnectionString;
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = new System.Text.StringBuilder();
            var reading = new TaskCompletionSource();
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (error) error.AppendLine(e.Data);
                if (e.Data.StartsWith("progress:", StringComparison.Ordinal)) reading.TrySetResult();
            };
            process.BeginErrorReadLine();
            await reading.Task.WaitAsync(TimeSpan.FromMinutes(1));
            using (var interrupt = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await interrupt.WaitForExitAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            await output;
            string said;
            lock (error) said = error.ToString();
            Assert.True(process.ExitCode == 130, said);
            Assert.Contains("cancelled: the work under way was rolled back.", said);
            Assert.DoesNotContain("   at ", said);
            Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE campaign = 'CTRLC'"));
            Assert.Equal("failed", await server.Database.ScalarAsync<string>("SELECT status FROM uploads WHERE campaign = 'CTRLC'"));
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public async Task A_dry_run_a_commit_would_reject_fails_and_progress_in_a_log_is_plain_lines()
    {
        var file = Path.Combine(Path.GetTempPath(), $"napgeo-cli-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, "sample_id,matrix,value,unit,latitude,longitude\nC1,soil,1,mg/kg,6.7,-1.6\nC2,lava,1,mg/kg,6.7,-1.6\n");
        try
        {
            var (code, output, error) = await RunAsync(server.Database.ConnectionString, "import", file, "--target", "samples", "--campaign", "CLI", "--dry-run");
            Assert.Equal(2, code);
            Assert.Contains("\"status\": \"dry-run\"", output);
            Assert.DoesNotContain('\r', error); // stderr is not a terminal here
            Assert.Contains("progress: 100 % 2/2 rows", error);
            // Then the merge, which has nothing to count (300,000 rows stood at 100 % for minutes, saying nothing).
            Assert.Contains("progress: all rows read and checked; merging them into the table", error);
            var skipping = await RunAsync(server.Database.ConnectionString, "import", file, "--target", "samples", "--campaign", "CLI", "--dry-run", "--skip-invalid");
            Assert.Equal(0, skipping.Code);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Maintain_stores_the_rows_in_the_order_of_their_locations_and_leaves_a_busy_table_alone()
    {
        await using var db = await TestDatabase.CreateAsync();
        Assert.Equal(0, (await RunAsync(db.ConnectionString, "migrate")).Code);
        // 200 samples written alternately in the west and in the east of Ghana: neighbours on disk lie ~4° apart.
        Assert.Equal(200, await db.ScalarAsync<int>("""
            WITH written AS (
                INSERT INTO samples (external_id, campaign, geom, matrix, value, unit, value_normalized, unit_normalized)
                SELECT 'M-' || i, 'MAINTAIN', ST_SetSRID(ST_MakePoint(CASE WHEN i % 2 = 0 THEN -3 ELSE 1 END + i / 1000.0, 6 + i / 1000.0), 4326),
                       'soil', 1, 'mg/kg', 1, 'mg/kg'
                FROM generate_series(1, 200) AS i RETURNING 1)
            SELECT count(*)::integer FROM written
            """));
        const string sidesChanged = "SELECT count(*) FILTER (WHERE west <> previous) FROM (SELECT ST_X(geom) < 0 AS west, lag(ST_X(geom) < 0) OVER (ORDER BY ctid) AS previous FROM samples) s";
        Assert.Equal(199, await db.ScalarAsync<long>(sidesChanged));

        // A reader holding the table for longer than the rewrite may wait: the table is left as it was, said in one line,
        // and the other tables are still done.
        await using var reader = db.CreateDataSource();
        await using (var connection = await reader.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await using (var read = new Npgsql.NpgsqlCommand("LOCK TABLE samples IN ACCESS SHARE MODE", connection, tx)) await read.ExecuteNonQueryAsync();
            var maintaining = RunAsync(db.ConnectionString, "maintain");
            for (var i = 0; i < 200 && await db.ScalarAsync<long>("SELECT count(*) FROM pg_locks WHERE relation = 'samples'::regclass AND NOT granted") == 0; i++)
                await Task.Delay(50);
            // Readers are not stalled behind maintain's wait for the whole of it (they waited 10 s): it waits briefly, then
            // lets them through before trying again.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; i < 5; i++) await db.ScalarAsync<long>("SELECT count(*) FROM samples");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"five reads took {clock.Elapsed.TotalSeconds:0.0} s");
            var busy = await maintaining;
            Assert.Equal(1, busy.Code);
            Assert.Equal("error: samples stayed in use for 10 s (an export, an upload or an open transaction); it was left as it was. Run maintain again in a quieter moment.", busy.Error.Trim());
            Assert.Contains("sites: 0 rows stored in the order of their locations", busy.Output);
            Assert.Contains("hotspots: 0 rows stored in the order of their locations", busy.Output);
        }
        Assert.Equal(199, await db.ScalarAsync<long>(sidesChanged));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM pg_indexes WHERE indexname LIKE '%cluster_order'"));

        // A transaction that read the table, then writes it while maintain waits for it (an upload's commit does so):
        // the write goes through and maintain follows, instead of one of them being ended as a deadlock.
        await using (var connection = await reader.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await using (var read = new Npgsql.NpgsqlCommand("SELECT count(*) FROM samples", connection, tx)) await read.ExecuteScalarAsync();
            var maintaining = RunAsync(db.ConnectionString, "maintain");
            for (var i = 0; i < 200 && await db.ScalarAsync<long>("SELECT count(*) FROM pg_locks WHERE relation = 'samples'::regclass AND NOT granted") == 0; i++)
                await Task.Delay(50);
            await using (var write = new Npgsql.NpgsqlCommand("UPDATE samples SET notes = 'checked' WHERE external_id = 'M-1'", connection, tx))
                Assert.Equal(1, await write.ExecuteNonQueryAsync());
            await tx.CommitAsync();
            var (waitedCode, _, waitedError) = await maintaining;
            Assert.True(waitedCode == 0, waitedError);
        }
        Assert.Equal("checked", await db.ScalarAsync<string>("SELECT notes FROM samples WHERE external_id = 'M-1'"));

        var (code, output, _) = await RunAsync(db.ConnectionString, "maintain");
        Assert.Equal(0, code);
        Assert.Contains("samples: 200 rows stored in the order of their locations, then vacuumed and analyzed", output);
        // CLUSTER writes a table with no visibility map: until it is vacuumed, the point index cannot answer a box alone
        // and every match is read from the table again.
        Assert.True(await db.ScalarAsync<bool>("SELECT relpages > 0 AND relallvisible = relpages FROM pg_class WHERE oid = 'samples'::regclass"));
        // Stored in geohash order: all the west, then all the east, each in the order of the curve.
        Assert.Equal(1, await db.ScalarAsync<long>(sidesChanged));
        Assert.True(await db.ScalarAsync<bool>("SELECT array_agg(external_id ORDER BY ctid) = array_agg(external_id ORDER BY ST_GeoHash(geom)) FROM samples"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM pg_indexes WHERE indexname LIKE '%cluster_order'"));
    }

    [Fact]
    public async Task Responses_carry_the_security_headers()
    {
        var response = await server.Client().GetAsync("/");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }
}
