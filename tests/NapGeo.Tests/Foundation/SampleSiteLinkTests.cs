using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Foundation;

[Collection(ApiCollection.Name)]
public sealed class SampleSiteLinkTests(NapGeoServer server)
{
    // A 0.01° square at 60° N (far from other tests' data): longitude degrees are half as long there,
    // which is where a degree-based search radius would go wrong.
    private const double Lon = 20.0, Lat = 60.0;

    [Fact]
    public async Task Sample_links_to_containing_site_else_nearest_within_5_km_else_none()
    {
        var client = server.Editor();
        var (siteId, _, _) = await client.CreateAsync("sites", Site(lon: Lon, lat: Lat));

        var (inside, _, insideJson) = await client.CreateAsync("samples", Sample(Lon + 0.005, Lat + 0.005));
        Assert.Equal(siteId.ToString(), insideJson["properties"]!["site_id"]!.GetValue<string>());

        // 0.08° of longitude east of the square's edge at 60° N ≈ 4.46 km.
        var (_, _, nearJson) = await client.CreateAsync("samples", Sample(Lon + 0.01 + 0.08, Lat + 0.005));
        Assert.Equal(siteId.ToString(), nearJson["properties"]!["site_id"]!.GetValue<string>());

        // 0.10° of longitude ≈ 5.57 km: too far.
        var (_, _, farJson) = await client.CreateAsync("samples", Sample(Lon + 0.01 + 0.10, Lat + 0.005));
        Assert.Null(farJson["properties"]!["site_id"]);

        var metres = await server.Database.ScalarAsync<double>(
            "SELECT ST_Distance(ST_MakePoint($1, $2)::geography, ST_MakePoint($3, $2)::geography)", Lon + 0.01, Lat + 0.005, Lon + 0.09);
        Assert.InRange(metres, 4400, 4500);
        Assert.NotEqual(Guid.Empty, inside);
    }
}
