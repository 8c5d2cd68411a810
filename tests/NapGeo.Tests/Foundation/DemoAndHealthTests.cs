using System.Net;
using NapGeo.Demo;
using NapGeo.Geometry;
using NapGeo.Layers;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Foundation;

/// <summary>Loads the real demo data into a database of its own, twice.</summary>
public sealed class DemoDataTests : IAsyncLifetime
{
    private readonly NapGeoServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();
    public Task DisposeAsync() => _server.DisposeAsync();

    private static string DataFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "data", "sites.geojson"))) return Path.Combine(dir.FullName, "data");
        throw new DirectoryNotFoundException("data/sites.geojson not found above the test binaries");
    }

    [Fact]
    public async Task Demo_data_loads_completely_and_a_second_load_changes_nothing()
    {
        await using var db = _server.Database.CreateDataSource();
        var loader = new DemoLoader(db, new FeatureInput(new GeometryInput(new CrsTransforms(db))), new LayerStore(db));
        var first = await loader.LoadAsync(DataFolder(), TextWriter.Null, CancellationToken.None);
        Assert.Equal([("sites", 685, 685), ("hotspots", 12, 12), ("samples", 400, 400)], first);

        var audit = await _server.Database.ScalarAsync<long>("SELECT count(*) FROM audit_log");
        var second = await loader.LoadAsync(DataFolder(), TextWriter.Null, CancellationToken.None);
        Assert.All(second, r => Assert.Equal(0, r.Inserted));
        Assert.Equal(audit, await _server.Database.ScalarAsync<long>("SELECT count(*) FROM audit_log"));

        Assert.Equal(685L, await _server.Database.ScalarAsync<long>("SELECT count(*) FROM sites WHERE ST_IsValid(geom) AND country = 'GHA'"));
        Assert.Equal(9L, await _server.Database.ScalarAsync<long>("SELECT count(DISTINCT matrix) FROM samples"));
        Assert.Equal(0L, await _server.Database.ScalarAsync<long>("SELECT count(*) FROM samples WHERE unit_normalized IS NULL"));
        // The demo reports air in µg/m3 for some samples: those must be stored ×1000 in ng/m³.
        Assert.Equal(0L, await _server.Database.ScalarAsync<long>(
            "SELECT count(*) FROM samples WHERE unit = 'µg/m3' AND abs(value_normalized - value * 1000) > 1e-9"));
    }

    /// <summary>
    /// `./napgeo run` loads the demo on every start: loading again put back the demo sites a ministry had deleted. It is
    /// loaded into a database once; `--again` restores what is missing on purpose.
    /// </summary>
    [Fact]
    public async Task The_demo_is_loaded_once_and_what_was_deleted_stays_deleted_until_loaded_again()
    {
        var db = _server.Database.ConnectionString;
        var first = await CliTests.RunAsync(db, "demo", "load", DataFolder());
        Assert.True(first.Code == 0, first.Error);
        var site = await _server.Database.ScalarAsync<Guid>("SELECT id FROM sites ORDER BY id LIMIT 1");
        var sites = await _server.Database.ScalarAsync<long>("SELECT count(*) FROM sites");
        (await _server.Editor().DeleteAsync($"/api/sites/{site}")).EnsureSuccessStatusCode();

        var second = await CliTests.RunAsync(db, "demo", "load", DataFolder());
        Assert.Equal(0, second.Code);
        Assert.Contains("not loaded again", second.Output);
        Assert.Equal(sites - 1, await _server.Database.ScalarAsync<long>("SELECT count(*) FROM sites"));

        var again = await CliTests.RunAsync(db, "demo", "load", "--again", DataFolder());
        Assert.True(again.Code == 0, again.Error);
        Assert.Equal(sites, await _server.Database.ScalarAsync<long>("SELECT count(*) FROM sites"));
        Assert.Equal(1L, await _server.Database.ScalarAsync<long>("SELECT count(*) FROM sites WHERE id = $1", site));
    }

    [Fact]
    public async Task Health_endpoints_report_liveness_and_readiness()
    {
        using var client = _server.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"status\":\"ready\"", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OpenAPI_document_lists_every_operation_with_a_summary()
    {
        using var client = _server.Client();
        var doc = System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"))!;
        var operations = doc["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject()).ToList();
        Assert.Contains(operations, o => o.Value!["operationId"]?.GetValue<string>() == "CreateSite");
        Assert.All(operations, o => Assert.False(string.IsNullOrEmpty(o.Value!["summary"]?.GetValue<string>()), $"{o.Key} has no summary"));
        var create = doc["paths"]!["/api/sites"]!["post"]!["responses"]!.AsObject();
        Assert.True(create.ContainsKey("401") && create.ContainsKey("403") && create.ContainsKey("400"));
    }
}
