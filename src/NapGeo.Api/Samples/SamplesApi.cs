using NapGeo.Layers;

namespace NapGeo.Samples;

public static class SamplesApi
{
    /// <summary><c>/api/samples</c>: CRUD of assessment samples; values are normalized to the matrix's canonical unit.</summary>
    public static RouteGroupBuilder MapSamples(this IEndpointRouteBuilder app) => app.MapLayer(SamplesLayer.Definition);
}
