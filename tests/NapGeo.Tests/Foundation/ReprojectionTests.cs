using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Foundation;

[Collection(ApiCollection.Name)]
public sealed class ReprojectionTests(NapGeoServer server)
{
    [Fact]
    public async Task Utm_30N_central_meridian_on_the_equator_is_minus_3_0()
    {
        var sample = Sample(0, 0);
        sample["geometry"] = Point(500000, 0);
        var response = await server.Editor().SendAsync(HttpMethod.Post, "/api/samples?crs=EPSG:32630", sample);
        var coordinates = (await response.JsonAsync())["geometry"]!["coordinates"]!.AsArray();
        Assert.Equal(-3.0, coordinates[0]!.GetValue<double>(), 7);
        Assert.Equal(0.0, coordinates[1]!.GetValue<double>(), 7);
    }

    [Fact]
    public async Task Legacy_crs_member_is_honoured_and_matches_PostGIS_ST_Transform_within_a_centimetre()
    {
        // A point near Tarkwa, Ghana, in UTM zone 30N.
        const double easting = 614_000, northing = 585_000;
        var sample = Sample(0, 0);
        sample["geometry"] = Point(easting, northing);
        sample["crs"] = new JsonObject { ["type"] = "name", ["properties"] = new JsonObject { ["name"] = "urn:ogc:def:crs:EPSG::32630" } };
        var (id, _, _) = await server.Editor().CreateAsync("samples", sample);

        var metres = await server.Database.ScalarAsync<double>(
            "SELECT ST_Distance(ST_Transform(geom, 32630), ST_SetSRID(ST_MakePoint($1, $2), 32630)) FROM samples WHERE id = $3",
            easting, northing, id);
        Assert.True(metres < 0.01, $"ProjNet and PostGIS disagree by {metres} m");
        // Known answer from PROJ (as PostGIS ST_Transform computes it): 1.971210 W, 5.291674 N.
        Assert.Equal(-1.971210, await server.Database.ScalarAsync<double>("SELECT ST_X(geom) FROM samples WHERE id = $1", id), 6);
        Assert.Equal(5.291674, await server.Database.ScalarAsync<double>("SELECT ST_Y(geom) FROM samples WHERE id = $1", id), 6);
    }

    [Theory]
    [InlineData(3857, -1.98765, 5.30412)] // Ghana
    [InlineData(3785, -70.1, -12.6)]    // Peru; the deprecated EPSG code
    [InlineData(102100, 120.5, 60.2)]   // Esri's alias, far from the equator where the ellipsoid error grows
    public async Task Web_Mercator_input_lands_where_PostGIS_puts_it(int srid, double lon, double lat)
    {
        // Web Mercator is spherical; read as the ellipsoidal Mercator its WKT names, latitudes were kilometres off.
        var xy = await server.Database.ScalarAsync<double[]>(
            "SELECT ARRAY[ST_X(p), ST_Y(p)] FROM ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), 4326), $3) p", lon, lat, srid);
        var sample = Sample(0, 0);
        sample["geometry"] = Point(xy[0], xy[1]);
        var response = await server.Editor().SendAsync(HttpMethod.Post, $"/api/samples?crs=EPSG:{srid}", sample);
        var coordinates = (await response.JsonAsync())["geometry"]!["coordinates"]!.AsArray();
        Assert.Equal(lon, coordinates[0]!.GetValue<double>(), 7);
        Assert.Equal(lat, coordinates[1]!.GetValue<double>(), 7);
    }

    /// <summary>
    /// Lon/lat sent as Brazil Polyconic (EPSG:5880, the CRS of Amazon garimpo maps): ProjNet's inverse does not converge
    /// and throws a bare Exception, which was a 500. Coordinates the projection does take still land where PostGIS puts them.
    /// </summary>
    [Fact]
    public async Task Coordinates_a_projection_cannot_invert_are_a_400_naming_the_geometry()
    {
        var hotspot = new JsonObject { ["type"] = "Feature", ["geometry"] = Point(-55.5, -6.2), ["properties"] = new JsonObject { ["name"] = "Garimpo burning shed" } };
        var response = await server.Editor().SendAsync(HttpMethod.Post, "/api/hotspots?crs=EPSG:5880", hotspot);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.JsonAsync())["errors"]!.AsObject();
        Assert.StartsWith("geometry could not be converted from EPSG:5880 to longitude/latitude (", errors["geometry"]![0]!.GetValue<string>());

        var xy = await server.Database.ScalarAsync<double[]>("SELECT ARRAY[ST_X(p), ST_Y(p)] FROM ST_Transform(ST_SetSRID(ST_MakePoint(-55.5, -6.2), 4326), 5880) p");
        hotspot["geometry"] = Point(xy[0], xy[1]);
        var projected = await server.Editor().SendAsync(HttpMethod.Post, "/api/hotspots?crs=EPSG:5880", hotspot);
        Assert.True(projected.StatusCode == HttpStatusCode.Created, await projected.Content.ReadAsStringAsync());
        var coordinates = (await projected.JsonAsync())["geometry"]!["coordinates"]!.AsArray();
        Assert.Equal(-55.5, coordinates[0]!.GetValue<double>(), 5);
        Assert.Equal(-6.2, coordinates[1]!.GetValue<double>(), 5);
    }

    [Fact]
    public async Task Unknown_or_unreadable_crs_is_rejected()
    {
        var unknown = await server.Editor().SendAsync(HttpMethod.Post, "/api/samples?crs=EPSG:999999", Sample(0, 0));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("EPSG:999999 is not known", (await unknown.JsonAsync())["errors"]!["geometry"]![0]!.GetValue<string>());

        var garbage = await server.Editor().SendAsync(HttpMethod.Post, "/api/samples?crs=mercator-ish", Sample(0, 0));
        Assert.Contains("not a CRS", (await garbage.JsonAsync())["errors"]!["crs"]![0]!.GetValue<string>());

        // Geocentric x/y/z (from the earth's centre) are not map coordinates: refused, not reprojected into nonsense.
        var geocentric = await server.Editor().SendAsync(HttpMethod.Post, "/api/samples?crs=EPSG:4978", Sample(10, 10));
        Assert.Equal(HttpStatusCode.BadRequest, geocentric.StatusCode);
        Assert.Contains("EPSG:4978 is not known", (await geocentric.JsonAsync())["errors"]!["geometry"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Coordinates_given_in_the_wrong_crs_are_caught_by_the_range_check()
    {
        var sample = Sample(0, 0);
        sample["geometry"] = Point(614000, 585000); // UTM metres sent without saying so
        var response = await server.Editor().SendAsync(HttpMethod.Post, "/api/samples", sample);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("outside longitude", (await response.JsonAsync())["errors"]!["geometry"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task A_projection_ProjNet_cannot_compute_is_a_clear_400_not_a_server_error()
    {
        var sample = Sample(0, 0);
        sample["geometry"] = Point(100000, -1000000);
        var response = await server.Editor().SendAsync(HttpMethod.Post, "/api/samples?crs=EPSG:3031", sample); // Antarctic polar stereographic
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("EPSG:3031", (await response.JsonAsync())["errors"]!["geometry"]![0]!.GetValue<string>());
    }
}
