using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;
using NapGeo.Layers;

namespace NapGeo.Features;

/// <summary>Registration of OGC API – Features and downloads, and the HTTP behaviour dashboards need: gzip and CORS.</summary>
public static class FeaturesSetup
{
    public static IServiceCollection AddFeatures(this IServiceCollection services)
    {
        services.AddSingleton<FeatureReader>();
        services.AddSingleton<OgcMetadata>();
        services.AddResponseCompression(o =>
        {
            o.EnableForHttps = true; // API responses carry no secrets an attacker could pair with reflected input (BREACH)
            o.Providers.Add<GzipCompressionProvider>();
            o.MimeTypes = ResponseCompressionDefaults.MimeTypes.Concat(
            [
                FeatureJson.ContentType, "application/x-ndjson", "application/geo+json-seq", "text/csv",
                "application/schema+json", "application/problem+json", "application/vnd.oai.openapi+json",
            ]);
        });
        // Fastest: a download is limited by the compressor long before the network on loopback or a LAN.
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        // Reads are public by default and keys travel in a header (no cookies), so any origin may read.
        services.AddCors(o => o.AddDefaultPolicy(p => p.AllowAnyOrigin().WithMethods("GET", "HEAD").AllowAnyHeader()
            .WithExposedHeaders("ETag", "Last-Modified", "Content-Crs", "Content-Disposition", "Location", "Link", "OGC-NumberMatched")));
        return services;
    }

    public static WebApplication UseFeatures(this WebApplication app)
    {
        app.UseResponseCompression();
        app.UseCors();
        return app;
    }

    public static WebApplication MapFeatures(this WebApplication app)
    {
        app.MapOgc();
        return app;
    }
}
