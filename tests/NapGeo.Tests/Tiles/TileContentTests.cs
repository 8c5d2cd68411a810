using System.Text.RegularExpressions;
using NapGeo.Tests.Infrastructure;
using NapGeo.Tiles;
using NetTopologySuite.Geometries;
using static NapGeo.Tests.Tiles.TilesServer;

namespace NapGeo.Tests.Tiles;

/// <summary>What the tiles contain, read back with two independent MVT decoders (NetTopologySuite and GDAL).</summary>
[Collection(TilesCollection.Name)]
public sealed class TileContentTests(TilesServer server)
{
    [Fact]
    public async Task A_z14_tile_decoded_by_NetTopologySuite_has_every_feature_with_its_properties_inside_the_tile()
    {
        var t = Home;
        var tile = Decode(await server.TileBytesAsync("napgeo", t), t);
        var layers = tile.Layers.ToDictionary(l => l.Name);
        Assert.Equal(["hotspots", "samples", "sites"], layers.Keys.Order());

        var site = Assert.Single(layers["sites"].Features, f => (string)f.Attributes["id"] == server.BigSite.ToString());
        Assert.Equal("Big site", site.Attributes["name"]);
        Assert.Equal("ZMB", site.Attributes["country"]);
        Assert.Equal("active", site.Attributes["status"]);
        Assert.Equal(true, site.Attributes["whole_ore_amalgamation"]);
        Assert.Equal("2024-03-01", site.Attributes["survey_date"]);
        Assert.False(site.Attributes.Exists("notes"), "only viewer fields go into tiles");
        // The square is 0.012° wide; at z14 it is drawn nearly exactly (one pixel is ~0.000005°).
        Assert.Equal(0.012 * 0.012, site.Geometry.Area, 0.012 * 0.012 * 0.01);

        var hotspots = layers["hotspots"].Features.ToDictionary(f => (string)f.Attributes["id"]);
        Assert.IsAssignableFrom<Polygon>(hotspots[server.PolygonHotspot.ToString()].Geometry);
        Assert.IsType<Point>(hotspots[server.PointHotspot.ToString()].Geometry);
        Assert.Equal("high", hotspots[server.PointHotspot.ToString()].Attributes["severity"]);

        var samples = layers["samples"].Features;
        Assert.Equal(server.Samples.Select(s => s.ToString()).Order(), samples.Select(f => (string)f.Attributes["id"]).Order());
        var water = Assert.Single(samples, f => (string)f.Attributes["matrix"] == "water");
        Assert.Equal(0.5, Convert.ToDouble(water.Attributes["value"]));
        Assert.Equal("µg/L", water.Attributes["unit"]);
        Assert.Equal("2024-05-02T00:00:00Z", water.Attributes["sampled_at"]);
        var p = (Point)water.Geometry;
        Assert.Equal(Lon + 0.010, p.X, 0.0001);
        Assert.Equal(Lat + 0.004, p.Y, 0.0001);

        var bounds = TileMath.Bounds(t);
        var buffer = (bounds.East - bounds.West) * 64 / 4096 + 1e-9;
        foreach (var f in tile.Layers.SelectMany(l => l.Features))
        {
            var e = f.Geometry.EnvelopeInternal;
            Assert.True(e.MinX >= bounds.West - buffer && e.MaxX <= bounds.East + buffer && e.MinY >= bounds.South - buffer && e.MaxY <= bounds.North + buffer,
                $"{f.Attributes["id"]} {e} outside {bounds}");
        }
    }

    [Fact]
    public async Task GDAL_reads_the_same_tile_with_integer_feature_ids_derived_from_the_uuids()
    {
        var t = Home;
        var file = Path.Combine(Path.GetTempPath(), $"napgeo-{Guid.NewGuid():N}.mvt");
        await File.WriteAllBytesAsync(file, await server.TileBytesAsync("napgeo", t));
        try
        {
            var output = await RunAsync("ogrinfo", $"-ro -al {file}");
            var counts = Regex.Matches(output, @"Layer name: (\w+)[\s\S]*?Feature Count: (\d+)").ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));
            Assert.Equal(new Dictionary<string, int> { ["sites"] = 1, ["hotspots"] = 2, ["samples"] = 4 }, counts);
            // GDAL reports the MVT feature id as mvt_id next to the uuid property.
            var pairs = Regex.Matches(output, @"mvt_id \(Integer64\) = (\d+)\s+id \(String\) = ([0-9a-f-]{36})")
                .ToDictionary(m => Guid.Parse(m.Groups[2].Value), m => ulong.Parse(m.Groups[1].Value));
            Assert.Equal(7, pairs.Count);
            foreach (var (id, mvtId) in pairs) Assert.Equal(TileFields.FeatureId(id), mvtId);
            Assert.Contains(server.BigSite, pairs.Keys);
            Assert.Contains("name (String) = Big site", output);
            // Geometry in tile coordinates: inside 0..4096 plus the 64-unit buffer.
            foreach (Match m in Regex.Matches(output, @"Extent: \((-?[\d.]+), (-?[\d.]+)\) - \((-?[\d.]+), (-?[\d.]+)\)"))
                foreach (var g in m.Groups.Values.Skip(1)) Assert.InRange(double.Parse(g.Value, System.Globalization.CultureInfo.InvariantCulture), -64, 4160);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task A_tiny_site_does_not_vanish_at_low_zoom(int z)
    {
        var t = TileAt(Lon + 0.04, Lat, z);
        var sites = Decode(await server.TileBytesAsync("sites", t), t).Layers.Single().Features;
        var tiny = Assert.Single(sites, f => (string)f.Attributes["id"] == server.TinySite.ToString());
        Assert.IsAssignableFrom<Polygon>(tiny.Geometry);
        Assert.True(tiny.Geometry.Area > 0);
        Assert.Equal("abandoned", tiny.Attributes["status"]);
    }

    [Fact]
    public async Task A_long_diagonal_polygon_is_drawn_only_in_the_tiles_it_crosses()
    {
        // A band from 20°E 5°S to 21°E 6°S, 0.01° wide: its bounding box covers many z12 tiles that it does not reach.
        var band = new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = "Polygon",
            ["coordinates"] = System.Text.Json.Nodes.JsonNode.Parse("[[[20,-5],[21,-6],[21.01,-6],[20.01,-5],[20,-5]]]"),
        };
        var (id, _, _) = await server.Editor().CreateAsync("hotspots", Infrastructure.Features.Hotspot(band, "Diagonal tailings"));
        async Task<bool> In(TileAddress t) =>
            await server.TileBytesAsync("hotspots", t) is { Length: > 0 } data
            && Decode(data, t).Layers.Single().Features.Any(f => (string)f.Attributes["id"] == id.ToString());

        Assert.True(await In(TileAt(20.505, -5.5, 12)));
        // Near the box's other corners, over half a degree from the band: nothing of it is there.
        Assert.False(await In(TileAt(20.9, -5.1, 12)));
        Assert.False(await In(TileAt(20.1, -5.9, 12)));
    }

    [Fact]
    public async Task Tiles_of_the_first_column_hold_their_features()
    {
        // At zoom 1 every tile is in the first or the last column. Its window with the edge buffer once wrapped to the
        // far side of the world, and the tile came back empty.
        var t = TileAt(Lon, Lat, 1);
        var features = Decode(await server.TileBytesAsync("sites", t), t).Layers.Single().Features;
        Assert.NotEmpty(features);
        Assert.All(features, f => Assert.True(t.X == 0 ? f.Geometry.EnvelopeInternal.MinX < 0 : f.Geometry.EnvelopeInternal.MaxX > 0,
            $"a feature at {f.Geometry.EnvelopeInternal} in tile {t}"));
    }

    [Fact]
    public async Task Tiles_with_too_many_features_aggregate_them_into_boxes_that_cover_every_one()
    {
        await using var db = server.Database.CreateDataSource();
        var service = new TileService(db, new TileOptions { AggregateAbove = 1 });
        var t = TileAt(Lon, Lat, 4);
        var tile = await TileService.RenderAsync(service.Find("sites")!, t, TileFilter.None, default);
        var boxes = Decode(tile.Data, t).Layers.Single().Features;
        Assert.All(boxes, b => Assert.Equal(true, b.Attributes["cluster"]));
        Assert.All(boxes, b => Assert.False(b.Attributes.Exists("id")));
        // Every site is inside a box, and the boxes count every site of the tile (and its buffer) once.
        foreach (var (lon, lat) in new[] { (Lon + 0.006, Lat + 0.006), (Lon + 0.04025, Lat + 0.00025) })
            Assert.Contains(boxes, b => b.Geometry.EnvelopeInternal.Contains(lon, lat) && b.Geometry is Polygon);
        var inTile = await server.Database.ScalarAsync<long>(
            "SELECT count(*) FROM sites WHERE geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)", t.Z, t.X, t.Y);
        Assert.Equal(inTile, boxes.Sum(b => Convert.ToInt64(b.Attributes["point_count"])));
        var big = boxes.Single(b => b.Geometry.EnvelopeInternal.Contains(Lon + 0.006, Lat + 0.006));
        Assert.Contains((string)big.Attributes["status"], new[] { "active", "abandoned" });
        Assert.Equal(true, big.Attributes["whole_ore_amalgamation"]);
    }

    [Fact]
    public async Task Samples_are_clustered_below_the_cluster_zoom_and_single_above()
    {
        var t9 = TileAt(Lon, Lat, 9);
        var clusters = Decode(await server.TileBytesAsync("samples", t9), t9).Layers.Single().Features;
        Assert.All(clusters, c => Assert.Equal(true, c.Attributes["cluster"]));
        Assert.Equal(server.Samples.Count, clusters.Sum(c => Convert.ToInt32(c.Attributes["point_count"])));
        Assert.Equal(3.0, clusters.Max(c => Convert.ToDouble(c.Attributes["value_max"])));
        Assert.Contains(clusters, c => (string)c.Attributes["matrix"] is "mixed" or "soil");

        var t10 = TileAt(Lon, Lat, 10);
        var points = Decode(await server.TileBytesAsync("samples", t10), t10).Layers.Single().Features;
        Assert.Equal(server.Samples.Count, points.Count);
        Assert.All(points, p => Assert.False(p.Attributes.Exists("point_count")));
    }

    [Theory]
    [InlineData(0.0, -20.5, "1990-01-01")]  // on the prime meridian: between two columns at every zoom
    [InlineData(10.5, 0.0, "1990-01-02")]   // on the equator: between two rows
    [InlineData(0.0, 0.0, "1990-01-03")]    // a corner of four tiles
    public async Task A_sample_on_a_tile_edge_is_counted_in_one_cluster_only(double lon, double lat, string day)
    {
        var sample = Infrastructure.Features.Sample(lon, lat);
        sample["properties"]!["sampled_at"] = day; // a day no other sample has: the filter isolates this one
        await server.Editor().CreateAsync("samples", sample);
        for (var z = 1; z < 10; z++)
        {
            var sides = new[] { (-1e-7, -1e-7), (-1e-7, 1e-7), (1e-7, -1e-7), (1e-7, 1e-7) }.Select(d => TileAt(lon + d.Item1, lat + d.Item2, z)).Distinct();
            var counted = 0;
            foreach (var t in sides)
                if (await server.TileBytesAsync("samples", t, $"?from={day}&to={day}") is { Length: > 0 } data)
                    counted += Decode(data, t).Layers.Single().Features.Sum(f => Convert.ToInt32(f.Attributes["point_count"]));
            Assert.True(counted == 1, $"z{z}: the sample is counted {counted} times");
        }
    }

    [Fact]
    public async Task A_sample_below_detection_carries_its_detection_limit_for_the_popup()
    {
        // The viewer's popup says "below detection (limit 0.05 mg/kg)": the limit has to be in the tile.
        var sample = Infrastructure.Features.Sample(5.5, -35.5, value: null);
        sample["properties"]!["below_detection"] = true;
        sample["properties"]!["detection_limit"] = 0.05;
        var (id, _, _) = await server.Editor().CreateAsync("samples", sample);
        var t = TileAt(5.5, -35.5, 12);
        var feature = Decode(await server.TileBytesAsync("samples", t), t).Layers.Single().Features.Single(f => (string)f.Attributes["id"] == id.ToString());
        Assert.Equal(true, feature.Attributes["below_detection"]);
        Assert.Equal(0.05, Convert.ToDouble(feature.Attributes["detection_limit"]));
        Assert.Equal("mg/kg", feature.Attributes["unit"]);
    }

    [Fact]
    public async Task Filters_select_by_country_matrix_and_dates()
    {
        var t = Home;
        async Task<int> Count(string source, string query) =>
            (await server.TileBytesAsync(source, t, query)) is { Length: > 0 } data ? Decode(data, t).Layers.Sum(l => l.Features.Count) : 0;

        Assert.Equal(1, await Count("sites", "?country=ZMB"));
        Assert.Equal(0, await Count("sites", "?country=GHA"));
        Assert.Equal(3, await Count("samples", "?matrix=soil"));
        Assert.Equal(1, await Count("samples", "?matrix=water"));
        Assert.Equal(4, await Count("samples", "?from=2024-05-02&to=2024-05-02"));
        Assert.Equal(0, await Count("samples", "?from=2024-05-03"));
        // Samples are linked to the site containing them, so the country filter reaches them too.
        Assert.Equal(4, await Count("samples", "?country=ZMB"));
        Assert.Equal(0, await Count("samples", "?country=GHA"));
    }

    [Fact]
    public async Task Filters_select_sites_by_status_and_samples_by_exceedance_class_and_reject_unknown_codes()
    {
        // z10 holds both sites: the big active one and the tiny abandoned one.
        var t = TilesServer.TileAt(Lon, Lat, 10);
        async Task<string[]> Names(string query) =>
            (await server.TileBytesAsync("sites", t, query)) is { Length: > 0 } data
                ? Decode(data, t).Layers.SelectMany(l => l.Features).Select(f => (string)f.Attributes["name"]).Order().ToArray()
                : [];
        Assert.Equal(["Big site", "Tiny site"], await Names(""));
        Assert.Equal(["Tiny site"], await Names("?status=abandoned"));
        Assert.Equal(["Big site"], await Names("?status=active"));

        // Every sample of this data set is below its guideline (soil 1–3 mg/kg against 6.6; water 0.5 µg/L against 6).
        async Task<int> Samples(string query) =>
            (await server.TileBytesAsync("samples", Home, query)) is { Length: > 0 } data ? Decode(data, Home).Layers.Sum(l => l.Features.Count) : 0;
        Assert.Equal(4, await Samples("?exceedance_class=below"));
        Assert.Equal(0, await Samples("?exceedance_class=critical"));

        var bad = await server.GetTileAsync("sites", t, "?status=closed");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("'closed' is not one of", await bad.Content.ReadAsStringAsync());

        // Codes are read as the REST lists read them, so a dashboard sends both the same values.
        Assert.Equal(["Big site"], await Names("?status=Active"));
        Assert.Equal(4, await Samples("?exceedance_class=Below&matrix=Soil") + await Samples("?exceedance_class=BELOW&matrix=WATER"));
        Assert.Equal(4, await Samples("?exceedance_class=below"));
    }

    [Theory]
    [InlineData("/tiles/sites/10/0/0.mvt?stauts=active", "stauts", "is not a tile filter")]
    [InlineData("/tiles/sites.json?stauts=active", "stauts", "is not a tile filter")]
    [InlineData("/tiles/sites/10/0/0.mvt?country=GHA&country=CIV", "country", "is given 2 times")]
    [InlineData("/tiles/napgeo.json?matrix=soil&matrix=water", "matrix", "is given 2 times")]
    public async Task A_misspelt_or_repeated_tile_parameter_is_a_400_naming_it(string path, string name, string message)
    {
        var response = await server.Client().GetAsync(path);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.JsonAsync())["errors"]!.AsObject();
        Assert.Contains(message, errors[name]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task TileJson_lists_exactly_the_properties_the_tiles_carry()
    {
        var json = await server.JsonAsync("/tiles/napgeo.json?country=ZMB");
        Assert.Equal("3.0.0", (string?)json["tilejson"]);
        Assert.Equal($"{server.BaseAddress.ToString().TrimEnd('/')}/tiles/napgeo/{{z}}/{{x}}/{{y}}.mvt?country=ZMB", (string?)json["tiles"]![0]);
        var bounds = json["bounds"]!.AsArray().Select(b => (double)b!).ToArray();
        // Other tests add data elsewhere, so the bounds hold this data set rather than equal it (to float precision:
        // run alone, the data set is all there is and the extent, stored as float4, can round just inside it).
        const double e = 1e-5;
        Assert.True(bounds[0] <= Lon + e && bounds[1] <= Lat + e && bounds[2] >= Lon + 0.0405 - e && bounds[3] >= Lat + 0.014 - e, string.Join(",", bounds));
        // The centre's zoom is the highest at which the bounds fit a 1024 × 768 px view of 512 px tiles.
        var zoom = (int)json["center"]![2]!;
        static double Y(double lat) => (1 - Math.Asinh(Math.Tan(lat * Math.PI / 180)) / Math.PI) / 2;
        bool Fits(int z) => (bounds[2] - bounds[0]) / 360 * 512 * Math.Pow(2, z) <= 1024 && (Y(bounds[1]) - Y(bounds[3])) * 512 * Math.Pow(2, z) <= 768;
        Assert.True(Fits(zoom) && (zoom == (int)json["maxzoom"]! || !Fits(zoom + 1)), $"zoom {zoom} for {string.Join(",", bounds)}");
        var layers = json["vector_layers"]!.AsArray().ToDictionary(l => (string)l!["id"]!, l => l!["fields"]!.AsObject());
        Assert.Equal(["hotspots", "samples", "sites"], layers.Keys.Order());

        var t = Home;
        foreach (var layer in Decode(await server.TileBytesAsync("napgeo", t), t).Layers)
        {
            var fields = layers[layer.Name];
            var seen = layer.Features.SelectMany(f => f.Attributes.GetNames()).ToHashSet();
            Assert.Subset(fields.Select(f => f.Key).ToHashSet(), seen);
            foreach (var f in layer.Features)
                foreach (var name in f.Attributes.GetNames())
                {
                    var expected = f.Attributes[name] switch { bool => "Boolean", string => "String", _ => "Number" };
                    Assert.Equal(expected, (string?)fields[name]);
                }
        }
        Assert.Equal("Number", (string?)layers["samples"]["point_count"]);
    }
}
