using NapGeo;
using NapGeo.Cli;

if (CliCommands.IsCommand(args)) return await CliCommands.RunAsync(args);

var builder = WebApplication.CreateBuilder(args);
builder.AddNapGeo();
var app = builder.Build();
app.MigrateDatabase();
app.UseNapGeo();
app.MapNapGeo();
await app.RunAsync();
return 0;

/// <summary>The web host's entry point; public so integration tests can start it.</summary>
public partial class Program;
