using NapGeo.Layers;

namespace NapGeo.Sites;

public static class SitesApi
{
    /// <summary><c>/api/sites</c>: CRUD of site polygons with their NAP baseline attributes.</summary>
    public static RouteGroupBuilder MapSites(this IEndpointRouteBuilder app) => app.MapLayer(SitesLayer.Definition);
}
