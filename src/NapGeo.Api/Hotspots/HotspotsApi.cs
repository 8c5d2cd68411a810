using NapGeo.Layers;

namespace NapGeo.Hotspots;

public static class HotspotsApi
{
    /// <summary><c>/api/hotspots</c>: CRUD of mercury hotspots (polygons, or points for gold shops).</summary>
    public static RouteGroupBuilder MapHotspots(this IEndpointRouteBuilder app) => app.MapLayer(HotspotsLayer.Definition);
}
