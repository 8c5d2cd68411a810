using System.Net;
using System.Text.Json.Nodes;
using NapGeo.Tests.Infrastructure;
using static NapGeo.Tests.Assessment.Fixture;
using static NapGeo.Tests.Infrastructure.Features;

namespace NapGeo.Tests.Assessment;

/// <summary>
/// DBSCAN on a crafted point set (eps 500 m, 3 points, margin 100 m), worked out by hand:
/// A: 4 soil samples on a 200 m square at 10×, 30×, 40×, 50× → one cluster, median 35, max 50 → critical;
///    a below-guideline and a below-detection soil sample inside it are not members.
/// B (8 km east): soil, tailings, soil on a line 400 m apart at 2×, 3×, 4× → the middle point is core (3 within 500 m), the ends
///    are border points → one cluster, median 3, max 4 → low (nothing ≥ 5×).
/// N (16 km east): 2 exceeding soil samples 300 m apart → fewer than 3 → noise, no hotspot.
/// C: 3 water samples at A at 2×, 10×, 25× → the water group's own cluster, median 10, max 25 → critical.
/// </summary>
public sealed class DeriveHotspotsTests(DeriveServer server) : IClassFixture<DeriveServer>, IAsyncLifetime
{
    private const double Lon = -2.0, Lat = 6.0; // UTM zone 30N
    private Guid SiteId => server.SiteId;
    private Guid ManualId => server.ManualId;

    public Task InitializeAsync() => server.SeedOnceAsync(SeedAsync);

    private async Task SeedAsync()
    {
        var client = server.Editor();
        var site = Site("DRV-A", lon: Lon - 0.005, lat: Lat - 0.005);
        site["geometry"] = Square(Lon - 0.005, Lat - 0.005, 0.015);
        server.SiteId = (await client.CreateAsync("sites", site)).Id;
        server.ManualId = (await client.CreateAsync("hotspots", Hotspot(Square(Lon + 0.2, Lat + 0.2), "Manual burning shed"))).Id;

        async Task Add(string id, double east, double north, string matrix, double value, string unit, string date = "2024-05-02",
            bool bd = false, (double, double)? origin = null)
        {
            var (lon, lat) = origin ?? (Lon, Lat);
            await client.CreateAsync("samples", Sample(id, "DRV", Offset(lon, lat, east, north), matrix, bd ? null : value, unit, date, bd, bd ? value : null));
        }
        await Add("A1", 0, 0, "soil", 66, "mg/kg", "2024-03-01");
        await Add("A2", 200, 0, "soil", 198, "mg/kg");
        await Add("A3", 0, 200, "soil", 264, "mg/kg");
        await Add("A4", 200, 200, "soil", 330, "mg/kg", "2024-06-30");
        await Add("A5-below", 100, 100, "soil", 3.3, "mg/kg");
        await Add("A6-bd", 100, -100, "soil", 1000, "mg/kg", bd: true);
        var b = Offset(Lon, Lat, 8000, 0); // beyond the 5 km that links samples to DRV-A
        await Add("B1", 0, 0, "soil", 13.2, "mg/kg", origin: b);
        await Add("B2", 400, 0, "tailings", 19.8, "mg/kg", origin: b);
        await Add("B3", 800, 0, "soil", 26.4, "mg/kg", origin: b);
        var n = Offset(Lon, Lat, 16000, 0);
        await Add("N1", 0, 0, "soil", 66, "mg/kg", origin: n);
        await Add("N2", 300, 0, "soil", 66, "mg/kg", origin: n);
        await Add("C1", 0, 0, "water", 12, "µg/L");
        await Add("C2", 100, 0, "water", 60, "µg/L");
        await Add("C3", 0, 100, "water", 150, "µg/L");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<JsonObject> DeriveAsync(string query = "") =>
        await (await server.Editor().PostAsync("/api/hotspots/derive" + query, null)).OkJsonAsync();

    [Fact]
    public async Task Clusters_worked_out_by_hand_become_derived_hotspots_and_reruns_keep_them()
    {
        var result = await DeriveAsync();
        var hotspots = result["hotspots"]!.AsArray();
        Assert.Equal(["Derived soil hotspot 1 at DRV-A", "Derived soil hotspot 2", "Derived water hotspot 1 at DRV-A"],
            hotspots.Select(h => h!["name"]!.GetValue<string>()));

        var a = hotspots[0]!;
        Assert.Equal(4, a["sample_count"]!.GetValue<int>());
        Assert.Equal("soil", a["matrices"]!.GetValue<string>());
        Assert.Equal(50, a["max_ratio"]!.GetValue<double>(), 9);
        Assert.Equal(35, a["median_ratio"]!.GetValue<double>(), 9);
        Assert.Equal("critical", a["severity"]!.GetValue<string>());
        Assert.Equal("2024-03-01", a["first_observed"]!.GetValue<string>());
        Assert.Equal("2024-06-30", a["last_observed"]!.GetValue<string>());
        Assert.Equal(SiteId.ToString(), a["site_id"]!.GetValue<string>());

        var bCluster = hotspots[1]!;
        Assert.Equal(3, bCluster["sample_count"]!.GetValue<int>());
        Assert.Equal("soil,tailings", bCluster["matrices"]!.GetValue<string>());
        Assert.Equal(4, bCluster["max_ratio"]!.GetValue<double>(), 9);
        Assert.Equal(3, bCluster["median_ratio"]!.GetValue<double>(), 9);
        Assert.Equal("low", bCluster["severity"]!.GetValue<string>());
        Assert.Null(bCluster["site_id"]);

        var c = hotspots[2]!;
        Assert.Equal("water", c["medium_group"]!.GetValue<string>());
        Assert.Equal(10, c["median_ratio"]!.GetValue<double>(), 9);
        Assert.Equal("critical", c["severity"]!.GetValue<string>());

        // Geometry: the 200 m square's hull buffered by 100 m, about 200² + 4·200·100 + π·100² m², holding every member.
        var area = await server.Database.ScalarAsync<double>("SELECT ST_Area(geom::geography) FROM hotspots WHERE id = $1", Guid.Parse(a["id"]!.GetValue<string>()));
        Assert.InRange(area, 148_000, 153_000);
        var outside = await server.Database.ScalarAsync<long>("""
            SELECT count(*) FROM samples s JOIN hotspots h ON h.origin = 'derived' AND h.medium_group = 'soil' AND h.name LIKE '%hotspot 1%'
            WHERE s.external_id IN ('A1', 'A2', 'A3', 'A4') AND NOT ST_Contains(h.geom, s.geom)
            """);
        Assert.Equal(0L, outside);

        // The derived fields show on the layer like any other property.
        var listed = await (await server.Client().GetAsync("/api/hotspots?origin=derived&medium_group=water")).OkJsonAsync();
        Assert.Equal(3, listed["features"]![0]!["properties"]!["sample_count"]!.GetValue<int>());

        // Deterministic: a re-run gives the same ids and keeps (never duplicates) the derived hotspots: nothing to remove.
        var again = await DeriveAsync();
        Assert.Equal(0, again["removed"]!.GetValue<int>());
        Assert.Equal(hotspots.Select(h => h!["id"]!.GetValue<string>()), again["hotspots"]!.AsArray().Select(h => h!["id"]!.GetValue<string>()));
        Assert.Equal(3L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM hotspots WHERE origin = 'derived'"));

        // Stricter parameters: no cluster has 5 members, so every derived hotspot goes and the manual one stays.
        var strict = await DeriveAsync("?min_points=5");
        Assert.Empty(strict["hotspots"]!.AsArray());
        Assert.Equal(5, strict["parameters"]!["min_points"]!.GetValue<int>());
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM hotspots WHERE origin = 'derived'"));
        Assert.Equal(HttpStatusCode.OK, (await server.Client().GetAsync($"/api/hotspots/{ManualId}")).StatusCode);

        // eps 9 km chains A (to 200 m), B (8–8.8 km) and N (16–16.3 km) in the soil group; water stays apart.
        var wide = await DeriveAsync("?eps_m=9000");
        Assert.Equal(["Derived soil hotspot 1 at DRV-A", "Derived water hotspot 1 at DRV-A"], wide["hotspots"]!.AsArray().Select(h => h!["name"]!.GetValue<string>()));
        Assert.Equal(9, wide["hotspots"]![0]!["sample_count"]!.GetValue<int>()); // A (4) + B (3) + N (2)
    }

    [Theory]
    [InlineData("?eps_m=0")]
    [InlineData("?min_points=0")]
    [InlineData("?margin_m=-5")]
    [InlineData("?eps_m=abc")]
    public async Task Bad_parameters_are_400(string query) =>
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Editor().PostAsync("/api/hotspots/derive" + query, null)).StatusCode);

    /// <summary>?eps=2000&amp;minpoints=2 (misspelt) was ignored: the derivation ran with the defaults and replaced the derived hotspots.</summary>
    [Fact]
    public async Task A_parameter_derive_does_not_take_is_a_400_naming_it_and_nothing_is_derived()
    {
        var audit = await server.Database.ScalarAsync<long>("SELECT count(*) FROM audit_log");
        var response = await server.Editor().PostAsync("/api/hotspots/derive?eps=2000&minpoints=2&MARGIN_M=50", null);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var errors = (await response.JsonAsync())["errors"]!.AsObject();
        Assert.Equal(["eps", "minpoints"], errors.Select(e => e.Key).Order()); // names match in any case, as they bind
        Assert.Contains("eps_m, min_points, margin_m", errors["eps"]![0]!.GetValue<string>());
        Assert.Equal(audit, await server.Database.ScalarAsync<long>("SELECT count(*) FROM audit_log"));
    }

    [Fact]
    public async Task Deriving_needs_an_editor_key()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client().PostAsync("/api/hotspots/derive", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Client(server.ViewerKey).PostAsync("/api/hotspots/derive", null)).StatusCode);
    }
}

/// <summary>A server whose crafted samples are created once for all the tests of the class.</summary>
public sealed class DeriveServer : NapGeoServer
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _seeded;

    public Guid SiteId { get; set; }
    public Guid ManualId { get; set; }

    public async Task SeedOnceAsync(Func<Task> seed)
    {
        await _gate.WaitAsync();
        try
        {
            if (!_seeded) await seed();
            _seeded = true;
        }
        finally { _gate.Release(); }
    }
}
