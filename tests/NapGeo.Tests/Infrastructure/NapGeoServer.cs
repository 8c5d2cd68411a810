using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using NapGeo.Auth;

namespace NapGeo.Tests.Infrastructure;

/// <summary>
/// The real NapGeo app on a real Kestrel port (so external clients such as GDAL and Chromium can reach it),
/// backed by its own database in the throwaway PostGIS cluster, with one API key per role.
/// </summary>
public class NapGeoServer : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _factory;

    public TestDatabase Database { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public string ViewerKey { get; private set; } = "";
    public string EditorKey { get; private set; } = "";
    public string AdminKey { get; private set; } = "";

    /// <summary>The app's services, for tests that inspect what it registered (its endpoints).</summary>
    public IServiceProvider Services => _factory!.Services;

    /// <summary>Extra configuration for a fixture that needs non-default settings.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> Settings => [];

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production"); // the error pages users get, not the developer ones
            builder.UseSetting("NAPGEO_DB", Database.ConnectionString);
            foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        });
        _factory.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0)); // a free port per server
        _factory.StartServer();
        BaseAddress = _factory.ClientOptions.BaseAddress;

        await using var db = Database.CreateDataSource();
        var keys = new ApiKeyStore(db);
        ViewerKey = await keys.CreateAsync("Test viewer", Roles.Viewer);
        EditorKey = await keys.CreateAsync("Test editor", Roles.Editor);
        AdminKey = await keys.CreateAsync("Test admin", Roles.Admin);
    }

    /// <summary>A client for the server; <paramref name="apiKey"/> null means anonymous.</summary>
    public HttpClient Client(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (apiKey is not null) client.DefaultRequestHeaders.Add(ApiKeyAuthentication.Header, apiKey);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    public HttpClient Editor() => Client(EditorKey);

    public async Task DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
        if (Database is not null) await Database.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<NapGeoServer>
{
    public const string Name = "api";
}
