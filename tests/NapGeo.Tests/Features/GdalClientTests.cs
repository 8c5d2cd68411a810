using System.Globalization;
using System.Text.Json.Nodes;

namespace NapGeo.Tests.Features;

/// <summary>GDAL's OAPIF driver as the client: what QGIS and ogr2ogr users get.</summary>
[Collection(DemoCollection.Name)]
public sealed class GdalClientTests(DemoDataServer server) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("napgeo-oapif-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Ogrinfo_lists_the_three_collections_with_their_geometry_types_and_counts()
    {
        var list = await Gdal.RunAsync("ogrinfo", "-ro", "-q", "OAPIF:" + server.Ogc);
        Assert.Contains("1: sites (title: ASGM sites) (Multi Polygon)", list);
        Assert.Contains("2: hotspots (title: Mercury hotspots)", list);
        Assert.Contains("3: samples (title: Mercury assessment samples) (Point)", list);

        var samples = await Gdal.RunAsync("ogrinfo", "-ro", "-so", "OAPIF:" + server.Ogc, "samples");
        Assert.Contains($"Feature Count: {await server.CountAsync("SELECT count(*) FROM samples")}", samples);
        Assert.Contains("value: Real", samples);
        Assert.Contains("sampled_at: Date", samples);
    }

    [Fact]
    public async Task Ogr2ogr_follows_next_links_and_copies_every_feature_with_its_attributes()
    {
        var gpkg = Path.Combine(_dir, "napgeo.gpkg");
        // 50 per page: every collection but hotspots needs many pages, so the copy is complete only if next is followed.
        await Gdal.RunAsync("ogr2ogr", "-f", "GPKG", gpkg, "OAPIF:" + server.Ogc, "-oo", "PAGE_SIZE=50");

        foreach (var layer in (string[])["sites", "hotspots", "samples"])
        {
            var info = await Gdal.RunAsync("ogrinfo", "-ro", "-so", gpkg, layer);
            Assert.Contains($"Feature Count: {await server.CountAsync($"SELECT count(*) FROM {layer}")}", info);
        }

        var json = Path.Combine(_dir, "samples.geojson");
        await Gdal.RunAsync("ogr2ogr", "-f", "GeoJSON", json, gpkg, "samples");
        var features = JsonNode.Parse(await File.ReadAllTextAsync(json))!["features"]!.AsArray();
        var byId = features.ToDictionary(f => f!["properties"]!["id"]!.GetValue<string>(), f => f!);

        await using var db = server.Database.CreateDataSource();
        await using var cmd = db.CreateCommand(
            "SELECT id, external_id, matrix, value, detection_limit, below_detection, unit_normalized, sampled_at::date, site_id, ST_X(geom), ST_Y(geom) FROM samples");
        await using var row = await cmd.ExecuteReaderAsync();
        var checkedRows = 0;
        while (await row.ReadAsync())
        {
            var f = byId[row.GetGuid(0).ToString()];
            var p = f["properties"]!;
            Assert.Equal(row.GetString(1), p["external_id"]!.GetValue<string>());
            Assert.Equal(row.GetString(2), p["matrix"]!.GetValue<string>());
            Assert.Equal(row.IsDBNull(3) ? null : row.GetDouble(3), p["value"]?.GetValue<double>());
            Assert.Equal(row.IsDBNull(4) ? null : row.GetDouble(4), p["detection_limit"]?.GetValue<double>());
            Assert.Equal(row.GetBoolean(5), p["below_detection"]!.GetValue<bool>());
            Assert.Equal(row.IsDBNull(6) ? null : row.GetString(6), p["unit_normalized"]?.GetValue<string>());
            Assert.Equal(row.GetFieldValue<DateOnly>(7).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), p["sampled_at"]!.GetValue<string>());
            Assert.Equal(row.IsDBNull(8) ? null : row.GetGuid(8).ToString(), p["site_id"]?.GetValue<string>());
            var xy = f["geometry"]!["coordinates"]!.AsArray();
            Assert.Equal(row.GetDouble(9), xy[0]!.GetValue<double>(), 6);
            Assert.Equal(row.GetDouble(10), xy[1]!.GetValue<double>(), 6);
            checkedRows++;
        }
        Assert.Equal(byId.Count, checkedRows);
    }

    [Fact]
    public async Task Ogr2ogr_where_on_the_time_property_is_answered_by_the_server()
    {
        // GDAL sends a date comparison on the collection's time property as datetime=2024-06-01T/.. (a date with an
        // empty time part): that is the day, not an error that makes GDAL abort.
        var json = Path.Combine(_dir, "recent.geojson");
        var log = await Gdal.RunAsync("ogr2ogr", "--config", "CPL_DEBUG", "ON", "-f", "GeoJSON", json, "OAPIF:" + server.Ogc, "sites",
            "-where", "survey_date >= '2024-06-01'");
        Assert.Matches("datetime=2024-06-01T(/|%2F)\\.\\.", log);
        var features = JsonNode.Parse(await File.ReadAllTextAsync(json))!["features"]!.AsArray();
        var expected = await server.CountAsync("SELECT count(*) FROM sites WHERE survey_date >= '2024-06-01'");
        Assert.InRange(expected, 1, await server.CountAsync("SELECT count(*) FROM sites") - 1);
        Assert.Equal(expected, features.Count);
    }

    /// <summary>
    /// GDAL pushes an attribute equality to the server only for a query parameter it finds in the OpenAPI document under
    /// /collections/{name}/items; none was declared, so -where paged through the whole layer and filtered on the client.
    /// </summary>
    [Theory]
    [InlineData("samples", "matrix = 'soil'", "matrix=soil", "matrix = 'soil'")]
    [InlineData("samples", "below_detection = 1", "below_detection=1", "below_detection")]
    [InlineData("sites", "country = 'GHA' AND status = 'active'", "country=GHA&status=active", "country = 'GHA' AND status = 'active'")]
    [InlineData("hotspots", "severity = 'high'", "severity=high", "severity = 'high'")]
    public async Task Ogrinfo_where_on_a_queryable_is_sent_to_the_server_and_counts_as_psql_does(string layer, string where, string parameters, string sql)
    {
        var log = await Gdal.RunAsync("ogrinfo", "--config", "CPL_DEBUG", "ON", "-ro", "-so", "-oo", "PAGE_SIZE=1000",
            "OAPIF:" + server.Ogc, layer, "-where", where);
        var fetched = log.Split('\n').Where(l => l.Contains($"/collections/{layer}/items?")).ToList();
        Assert.Contains(fetched, l => l.Contains(parameters));
        // Only the first request, which GDAL makes to learn the fields, goes without the filter.
        Assert.Single(fetched, l => !l.Contains(parameters));
        var expected = await server.CountAsync($"SELECT count(*) FROM {layer} WHERE {sql}");
        Assert.InRange(expected, 1, await server.CountAsync($"SELECT count(*) FROM {layer}") - 1);
        Assert.Contains($"Feature Count: {expected}\n", log);
    }

    [Fact]
    public async Task A_download_outside_crs84_names_its_crs_so_a_saved_file_is_read_in_it()
    {
        var client = server.Client();
        var utm = Path.Combine(_dir, "samples-utm.geojson");
        await File.WriteAllBytesAsync(utm, await client.GetByteArrayAsync("/api/samples/export?crs=EPSG:32630"));
        var info = await Gdal.RunAsync("ogrinfo", "-ro", "-so", "-al", utm);
        Assert.Contains("UTM zone 30N", info);
        Assert.Contains("ID[\"EPSG\",32630]", info);
        // GDAL reads the coordinates as the metres they are: its extent is PostGIS's extent of the samples in UTM 30N.
        var extent = System.Text.RegularExpressions.Regex.Match(info, @"Extent: \(([-\d.]+), ([-\d.]+)\) - \(([-\d.]+), ([-\d.]+)\)");
        Assert.True(extent.Success, info);
        var expected = await server.Database.ScalarAsync<string>(
            "SELECT concat_ws(',', ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)) FROM (SELECT ST_Extent(ST_Transform(geom, 32630)) e FROM samples) x");
        var read = Enumerable.Range(1, 4).Select(i => double.Parse(extent.Groups[i].Value, CultureInfo.InvariantCulture));
        foreach (var (e, r) in expected.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).Zip(read)) Assert.Equal(e, r, 0.01);

        var mercator = Path.Combine(_dir, "hotspots-3857.geojson");
        await File.WriteAllBytesAsync(mercator, await client.GetByteArrayAsync("/api/hotspots/export?crs=EPSG:3857"));
        Assert.Contains("Pseudo-Mercator", await Gdal.RunAsync("ogrinfo", "-ro", "-so", "-al", mercator));

        // EPSG:4326 by URI is latitude first: its URN says so. CRS84, the default, is RFC 7946 GeoJSON without a crs member.
        var latLon = JsonNode.Parse(await client.GetStringAsync("/ogc/collections/samples/items?limit=1&crs=http://www.opengis.net/def/crs/EPSG/0/4326"))!;
        Assert.Equal("urn:ogc:def:crs:EPSG::4326", latLon["crs"]!["properties"]!["name"]!.GetValue<string>());
        Assert.False(JsonNode.Parse(await client.GetStringAsync("/api/samples/export"))!.AsObject().ContainsKey("crs"));
    }
}
