using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;

namespace NapGeo.Tests.Features;

/// <summary>
/// Boxes and filter geometries in a projected CRS at the edges of its world: huge coordinates are cut to where the CRS's
/// coordinates mean something (not densified into millions of vertices), the far side of the globe in UTM, and boxes
/// wholly outside. The expected counts are the same condition evaluated in the CRS itself by PostGIS.
/// </summary>
[Collection(DemoCollection.Name)]
public sealed class ProjectedExtentTests(DemoDataServer server)
{
    private async Task<long> MatchedAsync(string query)
    {
        var response = await server.Client().GetAsync($"/ogc/collections/samples/items?limit=1&{query}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["numberMatched"]!.GetValue<long>();
    }

    private static string Filter(string crs, string cql) => $"filter-crs={crs}&filter={Uri.EscapeDataString(cql)}";

    [Fact]
    public async Task Huge_web_mercator_boxes_and_geometries_are_cut_to_its_world()
    {
        // Web Mercator's world is ±20037508.34 m both ways; a box reaching far beyond it means "up to the edge".
        var all = await server.CountAsync("SELECT count(*) FROM samples");
        Assert.Equal(all, await MatchedAsync("bbox-crs=EPSG:3857&bbox=-1e7,-1e12,1e7,1e12"));
        Assert.Equal(all, await MatchedAsync("bbox-crs=EPSG:3857&bbox=-1e7,-1e15,1e7,1e15"));
        // Cut by a northing (5.37°N) through Ghana: the answer is the samples north of it, as PostGIS sees them in 3857.
        var north = await server.CountAsync("SELECT count(*) FROM samples WHERE ST_Y(ST_Transform(geom, 3857)) >= 600000");
        Assert.InRange(north, 1, all - 1);
        Assert.Equal(north, await MatchedAsync("bbox-crs=EPSG:3857&bbox=-1e12,600000,1e12,1e15"));
        Assert.Equal(north, await MatchedAsync(Filter("EPSG:3857", "S_INTERSECTS(geometry, POLYGON((-1e12 600000, 1e12 600000, 1e12 1e12, -1e12 1e12, -1e12 600000)))")));
        Assert.Equal(0, await MatchedAsync(Filter("EPSG:3857", "S_INTERSECTS(geometry, POLYGON((0 0,1e12 0,1e12 1e12,0 0)))")));
    }

    [Fact]
    public async Task Huge_utm_boxes_and_geometries_are_cut_to_where_PROJ_answers()
    {
        // A box from inside Ghana to "infinity": the samples east and north of its corner, as PostGIS sees them in UTM 30N.
        var expected = await server.CountAsync(
            "SELECT count(*) FROM samples WHERE ST_X(ST_Transform(geom, 32630)) >= 620000 AND ST_Y(ST_Transform(geom, 32630)) >= 700000");
        Assert.InRange(expected, 1, await server.CountAsync("SELECT count(*) FROM samples") - 1);
        Assert.Equal(expected, await MatchedAsync("bbox-crs=EPSG:32630&bbox=620000,700000,1e12,1e12"));
        Assert.Equal(expected, await MatchedAsync("bbox-crs=EPSG:32630&bbox=620000,700000,1e15,1e15"));
        Assert.Equal(expected, await MatchedAsync(Filter("EPSG:32630", "S_INTERSECTS(geometry, BBOX(620000, 700000, 1e12, 1e12))")));
        // A triangle with a diagonal edge through Ghana, its other corners at 1e12 m.
        const string triangle = "POLYGON((620000 700000, 1e12 700000, 1e12 1e12, 620000 700000))";
        var inTriangle = await server.CountAsync(
            $"SELECT count(*) FROM samples WHERE ST_Intersects(ST_Transform(geom, 32630), ST_GeomFromText('{triangle}', 32630))");
        Assert.InRange(inTriangle, 1, expected - 1);
        Assert.Equal(inTriangle, await MatchedAsync(Filter("EPSG:32630", $"S_INTERSECTS(geometry, {triangle})")));
    }

    [Fact]
    public async Task Utm_boxes_reach_the_far_side_of_the_globe_beyond_the_poles()
    {
        // UTM 30N's central meridian is 3°W: 177°E to 177°W is its far side, where northings run on beyond the pole
        // (~10 000 km) up to the equator (~20 000 km). The samples there are found, and nothing on this side of the globe.
        var editor = server.Editor();
        var west = await editor.CreateAsync("samples", Infrastructure.Features.Sample(179.5, 30));
        var east = await editor.CreateAsync("samples", Infrastructure.Features.Sample(-179.5, 30));
        try
        {
            var corners = await server.Database.ScalarAsync<string>(
                "SELECT concat_ws(',', floor(ST_XMin(e)) - 50000, floor(ST_YMin(e)) - 50000, ceil(ST_XMax(e)) + 50000, ceil(ST_YMax(e)) + 50000) " +
                "FROM (SELECT ST_Extent(ST_Transform(ST_SetSRID(ST_MakePoint(x, 30), 4326), 32630)) e FROM unnest(ARRAY[179.5, -179.5]) x) b");
            Assert.Equal(2, await MatchedAsync($"bbox-crs=EPSG:32630&bbox={corners}"));
            // Everything UTM 30N can express, this side and the far side: all the samples.
            Assert.Equal(await server.CountAsync("SELECT count(*) FROM samples"), await MatchedAsync("bbox-crs=EPSG:32630&bbox=-1e15,-1e15,1e15,1e15"));
        }
        finally
        {
            foreach (var (id, etag, _) in new[] { west, east }) await editor.SendAsync(HttpMethod.Delete, $"/api/samples/{id}", ifMatch: etag);
        }
    }

    [Fact]
    public async Task A_box_or_geometry_wholly_outside_the_crs_is_a_400_naming_it()
    {
        // Eastings 20 000 km from UTM's false easting are beyond PROJ's transverse Mercator (±16 697 654 m).
        var box = await server.Client().GetAsync("/ogc/collections/samples/items?bbox-crs=EPSG:32630&bbox=2e7,0,3e7,1e6");
        Assert.Equal(HttpStatusCode.BadRequest, box.StatusCode);
        Assert.Contains("17197654", (await box.JsonAsync())["errors"]!["bbox"]![0]!.GetValue<string>());

        var filter = await server.Client().GetAsync("/ogc/collections/samples/items?" +
            Filter("EPSG:32630", "S_INTERSECTS(geometry, POINT(3e7 0))"));
        Assert.Equal(HttpStatusCode.BadRequest, filter.StatusCode);
        var message = (await filter.JsonAsync())["errors"]!["filter"]![0]!.GetValue<string>();
        Assert.Contains("outside", message);
        Assert.Contains("position 24", message);

        // A line with coordinates of 1e154 overflowed the clipping's arithmetic: NTS threw, and the answer was a 500.
        var huge = await server.Client().GetAsync("/ogc/collections/samples/items?" +
            Filter("EPSG:32630", "S_INTERSECTS(geometry, LINESTRING(-1e154 -1e154, 1e154 1e154))"));
        Assert.Equal(HttpStatusCode.BadRequest, huge.StatusCode);
        Assert.Contains("too large to cut to the area", (await huge.JsonAsync())["errors"]!["filter"]![0]!.GetValue<string>());
    }
}
