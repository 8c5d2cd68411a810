using NapGeo.Layers;

namespace NapGeo.Features;

/// <summary>Registration of OGC API – Features and downloads, and what dashboards need from HTTP: compression and CORS.</summary>
public static class FeaturesSetup
{
    public static IServiceCollection AddFeatures(this IServiceCollection services)
    {
        services.AddSingleton<FeatureReader>();
        services.AddSingleton<OgcMetadata>();
        services.ConfigureSwaggerGen(o => o.OperationFilter<ItemsOpenApi>());
        // Compression and CORS middleware are the tiles' (TilesApi.MapTiles adds UseResponseCompression and UseCors);
        // this adds the media types served here to the compressed ones, and a default CORS policy for every
        // endpoint without a policy of its own. AddTiles runs first, so these options extend its own.
        services.AddResponseCompression(o =>
        {
            o.EnableForHttps = true; // API responses carry no secrets an attacker could pair with reflected input (BREACH)
            o.MimeTypes = o.MimeTypes.Concat(
            [
                FeatureJson.ContentType, "application/x-ndjson", "application/geo+json-seq", "text/csv",
                "application/schema+json", "application/problem+json", "application/vnd.oai.openapi+json",
            ]).Distinct();
        });
        // Reads are public by default and keys travel in a header (no cookies), so any origin may read.
        services.AddCors(o => o.AddDefaultPolicy(p => p.AllowAnyOrigin().WithMethods("GET", "HEAD").AllowAnyHeader()
            .WithExposedHeaders("ETag", "Last-Modified", "Content-Crs", "Content-Disposition", "Location", "Link", "OGC-NumberMatched")));
        return services;
    }

    public static WebApplication MapFeatures(this WebApplication app)
    {
        app.MapOgc();
        return app;
    }
}
