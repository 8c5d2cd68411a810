using System.CommandLine;
using NapGeo.Auth;
using NapGeo.Database;
using NapGeo.Demo;
using NapGeo.Geometry;
using NapGeo.Layers;
using NapGeo.Tiles;

namespace NapGeo.Cli;

/// <summary>
/// Administrative commands of the same binary (<c>./napgeo</c> calls them): migrate, maintain, demo load, apikey create/list/revoke.
/// They read <c>NAPGEO_DB</c> like the server does.
/// </summary>
public static class CliCommands
{
    /// <summary>Any first word that is not an option is a command, so a mistyped one fails instead of starting the server.</summary>
    public static bool IsCommand(string[] args) => args.Length > 0 && !args[0].StartsWith('-');

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("NapGeo administration") { Migrate(), Maintain(), Demo(), ApiKey(), TilesCli.Command(ConnectionString), Features.FeaturesCli.Command(), Uploads.UploadCli.Import() };
        // An operator gets the reason in one line (no database, no such file, a bad connection string), not a stack trace.
        // Ctrl-C or a service stop cancels the command's token and waits for it: an import rolls back and says so, and its
        // upload record and temporary files are closed, instead of the process dying mid-transaction.
        var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(30) };
        try { return await root.Parse(args).InvokeAsync(invocation); }
        catch (OperationCanceledException)
        {
            // Each command's writes are transactions: what was cut short rolled back (maintain keeps the tables it finished).
            Console.Error.WriteLine("cancelled: the work under way was rolled back.");
            return 130;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static Command Migrate()
    {
        var command = new Command("migrate", "Apply database migrations");
        command.SetAction(_ =>
        {
            NapGeoDatabase.Migrate(ConnectionString(), Console.Out);
            return 0;
        });
        return command;
    }

    private static Command Maintain()
    {
        var command = new Command("maintain",
            "Store each layer's rows in the order of their locations and refresh the statistics; locks each table while it is rewritten (20–25 s per million samples); a table in use for 10 s is left as it was and the others done");
        command.SetAction(async (_, ct) =>
        {
            await using var db = NapGeoDatabase.Create(MigratedConnectionString());
            return await Maintenance.RunAsync(db, Console.Out, Console.Error, ct) ? 0 : 1;
        });
        return command;
    }

    private static Command Demo()
    {
        var directory = new Argument<DirectoryInfo>("directory") { Description = "Folder with sites.geojson, hotspots.geojson, samples.geojson" };
        var again = new Option<bool>("--again") { Description = "Load even if the demo was loaded before: restores demo features deleted since" };
        var load = new Command("load", "Load the demo data into a database once (features deleted later stay deleted)") { directory, again };
        load.SetAction(async (parse, ct) =>
        {
            var connection = ConnectionString();
            NapGeoDatabase.Migrate(connection, TextWriter.Null);
            await using var db = NapGeoDatabase.Create(connection);
            var loader = new DemoLoader(db, new FeatureInput(new GeometryInput(new CrsTransforms(db))), new LayerStore(db));
            var folder = parse.GetValue(directory)!;
            if (!parse.GetValue(again) && await loader.LoadedAtAsync(ct) is { } loadedAt)
            {
                Console.WriteLine($"demo: loaded into this database on {loadedAt:yyyy-MM-dd}; not loaded again, so what was deleted since stays deleted " +
                                  "(demo load --again restores it).");
                return 0;
            }
            // A mistyped folder must not pass for a loaded demo.
            if ((await loader.LoadAsync(folder.FullName, Console.Out, ct)).Count == 0)
            {
                Console.Error.WriteLine($"error: {folder.FullName} has no sites.geojson, hotspots.geojson or samples.geojson.");
                return 1;
            }
            return 0;
        });
        return new Command("demo", "Demo data") { load };
    }

    private static Command ApiKey()
    {
        var role = new Option<string>("--role") { Description = "viewer, editor or admin", Required = true };
        role.AcceptOnlyFromAmong(Roles.All);
        var name = new Option<string>("--name") { Description = "Who the key is for, e.g. \"Team A\" (shown in the audit log)", Required = true };
        var create = new Command("create", "Create an API key and print it once") { role, name };
        create.SetAction(async (parse, ct) =>
        {
            await using var db = NapGeoDatabase.Create(MigratedConnectionString());
            var key = await new ApiKeyStore(db).CreateAsync(parse.GetValue(name)!, parse.GetValue(role)!, ct);
            Console.Error.WriteLine($"Created {parse.GetValue(role)} key for \"{parse.GetValue(name)}\". It is shown only now; store it safely:");
            Console.WriteLine(key);
            return 0;
        });
        var list = new Command("list", "List the keys: prefix, role, name, created, revoked");
        list.SetAction(async (_, ct) =>
        {
            await using var db = NapGeoDatabase.Create(MigratedConnectionString());
            foreach (var (prefix, keyName, keyRole, created, revoked) in await new ApiKeyStore(db).ListAsync(ct))
                Console.WriteLine($"{prefix}…\t{keyRole}\t{keyName}\tcreated {FeatureTimestamp(created)}\t{(revoked is { } r ? "revoked " + FeatureTimestamp(r) : "valid")}");
            return 0;
        });
        var which = new Argument<string>("key") { Description = "The key, or the prefix 'apikey list' shows (ngk_ and 12 characters)" };
        var revoke = new Command("revoke", "Revoke a key: it is refused from the next request on") { which };
        revoke.SetAction(async (parse, ct) =>
        {
            await using var db = NapGeoDatabase.Create(MigratedConnectionString());
            if (await new ApiKeyStore(db).RevokeAsync(parse.GetValue(which)!, ct)) { Console.Error.WriteLine("Revoked."); return 0; }
            Console.Error.WriteLine("error: no valid key has that prefix (see apikey list).");
            return 1;
        });
        return new Command("apikey", "API keys") { create, list, revoke };
    }

    private static string MigratedConnectionString()
    {
        var connection = ConnectionString();
        NapGeoDatabase.Migrate(connection, TextWriter.Null);
        return connection;
    }

    private static string FeatureTimestamp(DateTime utc) => NapGeo.Layers.FeatureJson.Timestamp(DateTime.SpecifyKind(utc, DateTimeKind.Utc));

    private static string ConnectionString() =>
        Environment.GetEnvironmentVariable(NapGeoDatabase.ConnectionSetting) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{NapGeoDatabase.ConnectionSetting} is not set.");
}
