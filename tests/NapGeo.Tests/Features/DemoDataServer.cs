using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using NapGeo.Demo;
using NapGeo.Geometry;
using NapGeo.Layers;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Features;

/// <summary>A server whose database holds the demo data of <c>data/</c> (685 sites, 12 hotspots, 400 samples), loaded as the CLI does.</summary>
public sealed class DemoDataServer : NapGeoServer, IAsyncLifetime
{
    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        await using var db = Database.CreateDataSource();
        var loader = new DemoLoader(db, new FeatureInput(new GeometryInput(new CrsTransforms(db))), new LayerStore(db));
        await loader.LoadAsync(DataDirectory(), TextWriter.Null, CancellationToken.None);
    }

    public static string DataDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "data", "sites.geojson"))) return Path.Combine(dir.FullName, "data");
        throw new InvalidOperationException("data/sites.geojson not found above " + AppContext.BaseDirectory);
    }

    public Task<long> CountAsync(string sql, params object[] parameters) => Database.ScalarAsync<long>(sql, parameters);

    public string Ogc => new Uri(BaseAddress, "/ogc").ToString().TrimEnd('/');
}

[CollectionDefinition(Name)]
public sealed class DemoCollection : ICollectionFixture<DemoDataServer>
{
    public const string Name = "demo data";
}

public static class Http
{
    public static async Task<JsonObject> GetJsonAsync(this HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static HttpClient Accepting(this HttpClient client, string mediaType)
    {
        client.DefaultRequestHeaders.Accept.Clear();
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
        return client;
    }
}

/// <summary>Runs a GDAL command-line tool (a real OGC API client) and returns its output; fails the test on a non-zero exit.</summary>
public static class Gdal
{
    public static async Task<string> RunAsync(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["GDAL_HTTP_TIMEOUT"] = "60";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}");
        return await stdout + await stderr;
    }
}
