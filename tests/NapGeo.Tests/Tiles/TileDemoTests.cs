using System.Net;
using NapGeo.Tests.Features;
using NapGeo.Tiles;

namespace NapGeo.Tests.Tiles;

/// <summary>Tiles of the demo data (685 Ghana sites): what a planner sees zoomed out over the whole country.</summary>
[Collection(DemoCollection.Name)]
public sealed class TileDemoTests(DemoDataServer server)
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Every_site_is_drawn_zoomed_out_even_the_few_pixel_ones(int z)
    {
        // A polygon a few pixels across could collapse once simplified and snapped to the tile grid, and vanish.
        var sites = await server.CountAsync("SELECT count(*) FROM sites");
        var ids = new HashSet<string>();
        foreach (var t in TileMath.Cover(new LonLatBox(-3.3, 4.7, 1.3, 11.2), z))
        {
            var response = await server.Client().GetAsync($"/tiles/sites/{t.Z}/{t.X}/{t.Y}.mvt");
            if (response.StatusCode == HttpStatusCode.NoContent) continue;
            var tile = TilesServer.Decode(await response.Content.ReadAsByteArrayAsync(), t);
            foreach (var feature in tile.Layers.SelectMany(l => l.Features))
                if (feature.Attributes.Exists("id")) ids.Add((string)feature.Attributes["id"]);
        }
        Assert.Equal(sites, ids.Count);
    }
}
