using NapGeo;
using NapGeo.Cli;

if (CliCommands.IsCommand(args)) return await CliCommands.RunAsync(args);

var builder = WebApplication.CreateBuilder(args);
builder.AddNapGeo();
var app = builder.Build();
try
{
    app.UseNapGeo();
    app.MigrateDatabase();
}
catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
{
    // One line for the operator (and exit 1 for the supervisor to restart), not an unhandled exception's abort.
    Console.Error.WriteLine($"error: cannot start: {e.Message}");
    return 1;
}
app.MapNapGeo();
try
{
    await app.RunAsync();
}
catch (Exception e) when (e is IOException or Npgsql.NpgsqlException)
{
    // Start-up work of the host: binding its addresses (a port in use) and the hosted services (guideline seeding).
    Console.Error.WriteLine($"error: cannot start: {e.Message}");
    return 1;
}
return 0;

/// <summary>The web host's entry point; public so integration tests can start it.</summary>
public partial class Program;
