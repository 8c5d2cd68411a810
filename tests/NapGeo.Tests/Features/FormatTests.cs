using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Features;

[Collection(DemoCollection.Name)]
public sealed class FormatTests(DemoDataServer server)
{
    [Fact]
    public async Task Csv_has_lon_lat_for_points_wkt_for_polygons_and_neutralizes_formulas()
    {
        var client = server.Editor();
        var code = Unique("CSV");
        var site = Site(code);
        site["properties"]!["name"] = "=HYPERLINK(\"http://evil.example\",\"click\")";
        site["properties"]!["notes"] = "@SUM(A1:A9), +1, -2";
        site["properties"]!["admin2"] = "-cmd|' /C calc'!A0";
        await client.CreateAsync("sites", site);

        var response = await client.GetAsync($"/ogc/collections/sites/items?f=csv&site_code={code}");
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("id,wkt,site_code,name,country,admin1,admin2,", lines[0]);
        Assert.Contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\",", lines[1]);
        Assert.Contains(",\"'@SUM(A1:A9), +1, -2\",", lines[1]);
        Assert.Contains(",'-cmd|' /C calc'!A0,", lines[1]);
        Assert.Contains("\"MULTIPOLYGON(((-1.9 5.3,", lines[1]);

        var samples = (await (await client.GetAsync("/ogc/collections/samples/items?f=csv&limit=3&sortby=external_id")).Content.ReadAsStringAsync())
            .Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id,lon,lat,external_id,", samples[0]);
        var first = await server.Database.ScalarAsync<double>("SELECT ST_X(geom) FROM samples ORDER BY external_id, id LIMIT 1");
        Assert.Equal(first, double.Parse(samples[1].Split(',')[1], System.Globalization.CultureInfo.InvariantCulture), 7);
        Assert.StartsWith("-", samples[1].Split(',')[1]); // negative longitudes are numbers, not neutralized text
    }

    [Fact]
    public async Task Csv_in_epsg_4326_is_latitude_first_in_points_and_wkt_alike_with_named_columns()
    {
        const string latFirst = "crs=http://www.opengis.net/def/crs/EPSG/0/4326";
        var client = server.Client();
        var samples = (await client.GetStringAsync($"/ogc/collections/samples/items?f=csv&limit=1&sortby=external_id&{latFirst}"))
            .Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id,lat,lon,external_id,", samples[0]);
        var cells = samples[1].Split(',');
        var (lon, lat) = (await server.Database.ScalarAsync<double>("SELECT ST_X(geom) FROM samples ORDER BY external_id, id LIMIT 1"),
            await server.Database.ScalarAsync<double>("SELECT ST_Y(geom) FROM samples ORDER BY external_id, id LIMIT 1"));
        Assert.Equal(lat, double.Parse(cells[1], System.Globalization.CultureInfo.InvariantCulture), 7);
        Assert.Equal(lon, double.Parse(cells[2], System.Globalization.CultureInfo.InvariantCulture), 7);

        // Polygons' WKT was already latitude first in this CRS: Ghana's latitudes (4.5–11.5) come before its longitudes.
        var site = (await client.GetStringAsync($"/ogc/collections/sites/items?f=csv&limit=1&{latFirst}")).Split("\r\n")[1];
        var first = System.Text.RegularExpressions.Regex.Match(site, @"MULTIPOLYGON\(\(\(([-\d.]+) ([-\d.]+)");
        Assert.InRange(double.Parse(first.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 4.5, 11.5);
        Assert.InRange(double.Parse(first.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), -3.5, 1.5);
    }

    [Fact]
    public async Task Ndjson_and_geojson_seq_write_one_feature_per_line()
    {
        var client = server.Client();
        var soil = await server.CountAsync("SELECT count(*) FROM samples WHERE matrix = 'soil'");
        var ndjson = await client.GetAsync("/ogc/collections/samples/items?f=ndjson&matrix=soil&limit=10000");
        Assert.Equal("application/x-ndjson", ndjson.Content.Headers.ContentType!.MediaType);
        var lines = (await ndjson.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(soil, lines.Length);
        Assert.All(lines, l => Assert.Equal("Feature", JsonNode.Parse(l)!["type"]!.GetValue<string>()));

        // Pages without a body for links carry them as Link headers.
        var page = await client.GetAsync("/ogc/collections/samples/items?f=csv&matrix=soil&limit=10&offset=10");
        Assert.Equal(soil.ToString(), page.Headers.GetValues("OGC-NumberMatched").Single());
        var link = page.Headers.GetValues("Link").Single();
        Assert.Matches("<[^>]*offset=20[^>]*>; rel=\"next\"; type=\"text/csv", link);
        Assert.Matches("<[^>]*offset=0[^>]*>; rel=\"prev\"", link);

        var seq = await client.Accepting("application/geo+json-seq").GetAsync("/ogc/collections/samples/items?matrix=soil&limit=5");
        Assert.Equal("application/geo+json-seq", seq.Content.Headers.ContentType!.MediaType);
        var records = (await seq.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, records.Length);
        Assert.All(records, r => Assert.Equal('\u001e', r[0]));
    }

    [Fact]
    public async Task Export_streams_every_matching_feature_as_a_download()
    {
        var client = server.Client();
        var response = await client.GetAsync("/api/samples/export?f=geojson&filter=matrix='water'");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("attachment", response.Content.Headers.ContentDisposition!.ToString());
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(await server.CountAsync("SELECT count(*) FROM samples WHERE matrix = 'water'"), json["features"]!.AsArray().Count);

        var csv = await (await client.GetAsync("/api/sites/export?f=csv")).Content.ReadAsStringAsync();
        Assert.Equal(await server.CountAsync("SELECT count(*) FROM sites") + 1, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
