using NapGeo.Http;
using NapGeo.Layers;

namespace NapGeo.Features;

/// <summary>Registration of OGC API – Features and downloads, and what dashboards need from HTTP: compression and CORS.</summary>
public static class FeaturesSetup
{
    public static IServiceCollection AddFeatures(this IServiceCollection services)
    {
        services.AddSingleton<FeatureReader>();
        services.AddSingleton<OgcMetadata>();
        services.AddSingleton(sp => StalledClients.From(sp.GetRequiredService<IConfiguration>()));
        services.ConfigureSwaggerGen(o =>
        {
            o.OperationFilter<ItemsOpenApi>();
            o.DocumentFilter<CollectionsOpenApi>();
        });
        // Compression and CORS run early in the pipeline (NapGeoApp.UseNapGeo), for every response; this adds the media types
        // served here to the compressed ones, and a default CORS policy for every response without a policy of its own (the
        // API definition, which no endpoint serves, included). AddTiles runs first, so these options extend its own.
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
            .WithExposedHeaders("ETag", "Last-Modified", "Content-Crs", "Content-Disposition", "Location", "Link", "OGC-NumberMatched", "Retry-After")
            .SetPreflightMaxAge(CorsPreflight.MaxAge)));
        return services;
    }

    /// <summary>
    /// The landing page links the API definition as application/vnd.oai.openapi+json;version=3.0, as OGC API – Features
    /// Part 1 wants it served (/req/oas30/oas-definition-1), and Swashbuckle writes application/json: a client asking for
    /// the OpenAPI type (following the link) gets it; a browser or a plain JSON client still gets application/json.
    /// Before UseSwagger, which answers the document without calling the rest of the pipeline.
    /// </summary>
    public static WebApplication UseOpenApiMediaType(this WebApplication app)
    {
        (string, bool)[] offers = [("application/json", false), ("application/vnd.oai.openapi+json", true)];
        app.Use((context, next) =>
        {
            if (!context.Request.Path.Equals("/swagger/v1/swagger.json", StringComparison.OrdinalIgnoreCase)) return next(context);
            var openApi = ContentNegotiation.Choose(context.Request, offers) == true;
            context.Response.OnStarting(() =>
            {
                context.Response.Headers.Append("Vary", "Accept");
                if (openApi && context.Response.StatusCode == 200) context.Response.ContentType = OgcApi.OpenApiType;
                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }

    public static WebApplication MapFeatures(this WebApplication app)
    {
        app.MapOgc();
        return app;
    }
}
