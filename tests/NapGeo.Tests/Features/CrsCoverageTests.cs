using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Features;
using NapGeo.Tests.Infrastructure;
using Npgsql;

namespace NapGeo.Tests.Features;

/// <summary>
/// Features an output CRS cannot express are a 400 naming crs before any byte of the answer, not a 200 cut off where
/// PostgreSQL reached the first of them; and the points counted as such are at least those PROJ refuses.
/// </summary>
[Collection(DemoCollection.Name)]
public sealed class CrsCoverageTests(DemoDataServer server)
{
    [Fact]
    public async Task Every_point_PROJ_refuses_in_utm_is_counted_as_unprojectable()
    {
        await using var db = server.Database.CreateDataSource();
        await using var connection = await db.OpenConnectionAsync();
        // PostGIS's own answer, point by point: a refused transform is an error, caught here.
        await using (var create = new NpgsqlCommand(
            "CREATE FUNCTION pg_temp.refused(g geometry, srid int) RETURNS boolean LANGUAGE plpgsql AS " +
            "$$ BEGIN PERFORM ST_Transform(g, srid); RETURN false; EXCEPTION WHEN OTHERS THEN RETURN true; END $$", connection))
            await create.ExecuteNonQueryAsync();

        // UTM 31N (central meridian 3°E): both caps, 90° east and west of it on the equator, on a 0.25° grid.
        var crs = OgcCrs.Epsg(32631);
        await using var cmd = connection.CreateCommand();
        var flagged = CrsCoverage.RefusedSql(crs, "g", cmd.Parameters);
        cmd.CommandText =
            $"SELECT count(*) FILTER (WHERE refused), count(*) FILTER (WHERE refused AND NOT flagged), count(*) FILTER (WHERE flagged AND NOT refused) " +
            $"FROM (SELECT pg_temp.refused(g, 32631) AS refused, coalesce({flagged}, false) AS flagged FROM (" +
            "SELECT ST_SetSRID(ST_MakePoint(3 + side * dlon, lat), 4326) AS g FROM generate_series(77, 103, 0.25) AS dlon, " +
            "generate_series(-10, 10, 0.25) AS lat, unnest(ARRAY[1, -1]) AS side) grid) checked";
        await using var row = await cmd.ExecuteReaderAsync();
        await row.ReadAsync();
        var (refused, missed, beyond) = (row.GetInt64(0), row.GetInt64(1), row.GetInt64(2));
        Assert.InRange(refused, 1000, long.MaxValue);
        Assert.Equal(0, missed);
        // Flagged but projected: points as far out, where PROJ's series no longer means anything; few on this grid.
        Assert.InRange(beyond, 0, refused / 2);
    }

    [Fact]
    public async Task Inside_the_caps_PROJ_answers_some_points_with_meaningless_coordinates_and_they_are_counted_too()
    {
        // 88.475° from UTM 31N's meridian, 0.645°N: no error, but a northing of −6.1e11 m.
        var northing = await server.Database.ScalarAsync<double>("SELECT ST_Y(ST_Transform(ST_SetSRID(ST_MakePoint(91.475, 0.645), 4326), 32631))");
        Assert.True(Math.Abs(northing) > 1e11, $"northing {northing}");
        await using var db = server.Database.CreateDataSource();
        await using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT {CrsCoverage.RefusedSql(OgcCrs.Epsg(32631), "ST_SetSRID(ST_MakePoint(91.475, 0.645), 4326)", cmd.Parameters)}";
        Assert.True((bool)(await cmd.ExecuteScalarAsync())!);
        // CRS84, EPSG:4326 and Web Mercator express every point (PROJ gives the poles a Web Mercator northing).
        Assert.Null(CrsCoverage.RefusedSql(OgcCrs.Epsg(3857), "geom", cmd.Parameters));
        Assert.Equal(2.425e8, await server.Database.ScalarAsync<double>("SELECT ST_Y(ST_Transform(ST_SetSRID(ST_MakePoint(0, 90), 4326), 3857))"), 2.425e8 * 0.001);
    }

    [Fact]
    public async Task A_feature_the_crs_cannot_express_is_a_400_naming_crs_before_any_feature_is_sent()
    {
        // A sample 90° west of UTM 31N's central meridian on the equator sorts last: the page used to stop mid-feature.
        var editor = server.Editor();
        var (id, etag, _) = await editor.CreateAsync("samples", Infrastructure.Features.Sample(-87, 0, id: "ZZZ-FAR-WEST"));
        try
        {
            var client = server.Client();
            foreach (var path in new[]
                     {
                         "/ogc/collections/samples/items?crs=EPSG:32631&limit=1000&properties=matrix",
                         "/ogc/collections/samples/items?crs=EPSG:32631&limit=1000&properties=matrix&f=csv",
                         "/api/samples/export?crs=EPSG:32631",
                         "/api/samples/export?crs=EPSG:32631&f=csv",
                     })
            {
                var response = await client.GetAsync(path);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
                var message = JsonNode.Parse(body)!["errors"]!["crs"]![0]!.GetValue<string>();
                Assert.StartsWith("1 of the samples", message);
                Assert.Contains(id.ToString(), message);
                Assert.Contains("bbox=-77,-90,83,90", message);
            }
            // The feature alone: it takes no bbox (a 400 of its own), so the way out offered is another CRS.
            var feature = await client.GetAsync($"/ogc/collections/samples/items/{id}?crs=EPSG:32631");
            Assert.Equal(HttpStatusCode.BadRequest, feature.StatusCode);
            var refusal = (await feature.JsonAsync())["errors"]!["crs"]![0]!.GetValue<string>();
            Assert.StartsWith($"The sample {id} cannot be expressed in", refusal);
            Assert.Contains("CRS84 or the UTM zone of its own longitude", refusal);
            Assert.DoesNotContain("bbox", refusal);

            var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/ogc/collections/samples/items?crs=EPSG:32631"));
            Assert.Equal(HttpStatusCode.BadRequest, head.StatusCode);

            // The ways out the message gives: the bbox it suggests, whole and complete; or the sample's own zone (16N).
            var all = await server.CountAsync("SELECT count(*) FROM samples");
            var within = await client.GetJsonAsync("/ogc/collections/samples/items?crs=EPSG:32631&limit=1000&properties=matrix&bbox=-77,-90,83,90");
            Assert.Equal(all - 1, within["numberMatched"]!.GetValue<long>());
            Assert.Equal(all - 1, within["numberReturned"]!.GetValue<long>());
            var own = await client.GetJsonAsync($"/ogc/collections/samples/items?crs=EPSG:32616&id={id}");
            Assert.Equal(1, own["numberReturned"]!.GetValue<long>());
        }
        finally
        {
            await editor.SendAsync(HttpMethod.Delete, $"/api/samples/{id}", ifMatch: etag);
        }
    }
}
