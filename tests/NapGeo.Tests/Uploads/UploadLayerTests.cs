using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using NapGeo.Geometry;
using NapGeo.Layers;
using NapGeo.Samples;
using NapGeo.Tests.Infrastructure;
using NapGeo.Uploads;
using static NapGeo.Tests.Infrastructure.Features;
using static NapGeo.Tests.Uploads.UploadFiles;

namespace NapGeo.Tests.Uploads;

[Collection(ApiCollection.Name)]
public sealed class UploadLayerTests(NapGeoServer server)
{
    [Fact]
    public async Task Sites_from_geojson_are_upserted_by_site_code()
    {
        var code = Unique("GJ");
        JsonObject Collection(string name) => new()
        {
            ["type"] = "FeatureCollection",
            ["features"] = new JsonArray(Feature(Square(20.0, 20.0), new JsonObject { ["site_code"] = code, ["name"] = name, ["country"] = "GHA", ["status"] = "active" })),
        };
        var first = await PostAsync(server.Editor(), Encoding.UTF8.GetBytes(Collection("First name").ToJsonString()), "sites.geojson", ("target", "sites"));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var second = await (await PostAsync(server.Editor(), Encoding.UTF8.GetBytes(Collection("Second name").ToJsonString()), "sites.geojson", ("target", "sites"))).JsonAsync();
        Assert.Equal(1, second["counts"]!["updated"]!.GetValue<int>());
        Assert.Equal("Second name|2|MULTIPOLYGON", await server.Database.ScalarAsync<string>(
            "SELECT name || '|' || version || '|' || GeometryType(geom) FROM sites WHERE site_code = $1", code));
    }

    [Fact]
    public async Task Hotspots_from_csv_with_wkt_and_a_column_mapping()
    {
        var name = Unique("HS");
        var csv = $"Label;Category;Shape\n{name};amalgam_burning;POINT(-1.95 5.31)\n{name};gold_shop;POLYGON((-1.9 5.3,-1.89 5.3,-1.89 5.31,-1.9 5.3))\n";
        var response = await PostAsync(server.Editor(), Encoding.UTF8.GetBytes(csv), "hotspots.csv", ("target", "hotspots"),
            ("mapping", """{"name":"Label","kind":"Category","wkt":"Shape"}"""));
        var upload = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, upload.ToJsonString());
        Assert.Equal(2, upload["counts"]!["inserted"]!.GetValue<int>());
        Assert.Equal("amalgam_burning POINT, gold_shop POLYGON", await server.Database.ScalarAsync<string>(
            "SELECT string_agg(kind || ' ' || GeometryType(geom), ', ' ORDER BY kind) FROM hotspots WHERE name = $1", name));

        var list = JsonNode.Parse(await server.Editor().GetStringAsync("/api/uploads?limit=500"))!.AsArray();
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await server.Client().GetAsync("/api/uploads")).StatusCode);
        var listed = list.Single(u => u!["id"]!.GetValue<string>() == upload["id"]!.GetValue<string>())!;
        Assert.Equal("hotspots.csv|committed|2|2", $"{listed["file_name"]}|{listed["status"]}|{listed["progress"]!["processed"]}|{listed["progress"]!["total"]}");

        var rollback = await server.Editor().DeleteAsync($"/api/uploads/{upload["id"]}");
        Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM hotspots WHERE name = $1", name));
        var twice = await server.Editor().DeleteAsync($"/api/uploads/{upload["id"]}");
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal($"Upload {upload["id"]} is rolled back; only a committed upload can be rolled back.", (await twice.JsonAsync())["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_options_are_named()
    {
        var response = await PostAsync(server.Editor(), Encoding.UTF8.GetBytes("a,b\n1,2\n"), "a.csv", ("mode", "later"), ("mapping", "[1]"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.JsonAsync())["errors"]!.AsObject();
        Assert.Equal(["mapping", "mode", "target"], errors.Select(e => e.Key).Order());
    }

    [Fact]
    public async Task Commit_hooks_run_after_the_commit_and_progress_is_reported_while_it_reads_as_running()
    {
        var hook = new RecordingHook();
        await using var db = server.Database.CreateDataSource();
        var services = new ServiceCollection().AddSingleton<IUploadCommitHook>(hook).BuildServiceProvider();
        var transforms = new CrsTransforms(db);
        var service = new UploadService(db, new FeatureInput(new GeometryInput(transforms)), new UploadStore(db),
            Microsoft.Extensions.Options.Options.Create(new UploadOptions()), transforms, services, NullLogger<UploadService>.Instance);
        var folder = Folder();
        var path = Path.Combine(folder, "hook.csv");
        var campaign = Unique("HOOK");
        await File.WriteAllTextAsync(path, "sample_id,matrix,lat,lon,value,unit\nH1,soil,5.31,-1.95,1,mg/kg\nH2,soil,5.31,-1.95,2,mg/kg\n");
        var progress = new List<UploadProgress>();
        // Mid-upload a reader sees it running: its transaction holds the lock that tells a live upload from a dead one.
        var (id, store, seen) = (Guid.NewGuid(), new UploadStore(db), new List<string>());
        var record = await service.RunAsync(new UploadRequest(path, "hook.csv", "samples", campaign, null, null, false, OnError.RejectAll, "test"), id, p =>
        {
            progress.Add(p);
            seen.Add(store.GetAsync(id, default).GetAwaiter().GetResult()!.Status);
        }, default);
        Assert.Equal("committed", record.Status);
        Assert.Equal([(record.Id, "samples")], hook.Calls);
        Assert.Equal(new UploadProgress(2, 2), progress.Last());
        Assert.Equal(["running"], seen.Distinct());
    }

    private sealed class RecordingHook : IUploadCommitHook
    {
        public List<(Guid, string)> Calls { get; } = [];

        public Task OnCommittedAsync(Guid uploadId, string target, CancellationToken ct)
        {
            Calls.Add((uploadId, target));
            return Task.CompletedTask;
        }
    }
}

public sealed class UploadMappingTests
{
    [Theory]
    [InlineData("Sédiment", "sediment")]
    [InlineData("RIVER SEDIMENT", "sediment")]
    [InlineData("cheveux", "hair")]
    [InlineData(" Eau ", "water")]
    [InlineData("lava", null)]
    public void Matrices_match_case_and_accent_insensitively(string text, string? matrix) => Assert.Equal(matrix, Units.MatchMatrix(text));

    [Fact]
    public void Columns_are_detected_from_common_names()
    {
        var columns = new[] { "Sample ID", "Sample type", "Latitude (Y)", "Lng", "Mercury concentration (µg/g)", "Date", "_uuid" };
        var map = ColumnMapping.Detect(SamplesLayer.Definition, columns, false, null, false);
        Assert.Equal(new Dictionary<string, string>
        {
            ["external_id"] = "Sample ID", ["matrix"] = "Sample type", ["value"] = "Mercury concentration (µg/g)", ["sampled_at"] = "Date",
            ["longitude"] = "Lng", ["latitude"] = "Latitude (Y)", ["unit (from header)"] = "µg/g",
        }, map.Describe(columns));
        Assert.Equal(["_uuid"], map.Ignored);
    }

    [Theory]
    [InlineData("1,25", 1.25)]
    [InlineData("1.234,5", 1234.5)]
    [InlineData("1,234.5", 1234.5)]
    [InlineData("1 234,5", 1234.5)]
    public void Numbers_with_decimal_commas_are_read(string text, double value)
    {
        Assert.True(RowConverter.TryNumber(text, out var number));
        Assert.Equal(value, number);
    }

    [Theory]
    [InlineData("30N", 32630)]
    [InlineData("zone 31 s", 32731)]
    [InlineData("30", null)]
    [InlineData("30P", 32630)] // latitude bands, as GPS units write them: P is 8–16° N
    [InlineData("18M", 32718)] // M is 8–0° S
    [InlineData("30I", null)]
    [InlineData("30Y", null)]
    public void Utm_zones_name_their_epsg_code(string zone, int? epsg) => Assert.Equal(epsg, RowConverter.UtmZone(zone));
}
