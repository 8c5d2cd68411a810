using Microsoft.AspNetCore.HttpOverrides;
using System.Text.Json;
using Microsoft.OpenApi;
using NapGeo.Assessment;
using NapGeo.Auth;
using NapGeo.Database;
using NapGeo.Features;
using NapGeo.Geometry;
using NapGeo.Health;
using NapGeo.Http;
using NapGeo.Layers;
using NapGeo.Sites;
using NapGeo.Hotspots;
using NapGeo.Samples;
using NapGeo.Tiles;
using NapGeo.Statistics;
using NapGeo.Viewer;
using NapGeo.Uploads;

namespace NapGeo;

/// <summary>Composition of the service: what it registers, its middleware, and its endpoints.</summary>
public static class NapGeoApp
{
    public static WebApplicationBuilder AddNapGeo(this WebApplicationBuilder builder)
    {
        if (builder.Configuration["NAPGEO_URLS"] is { Length: > 0 } urls) builder.WebHost.UseUrls(urls);
        var services = builder.Services;
        services.AddNapGeoDatabase(builder.Configuration);
        services.AddDatabaseReadGate(builder.Configuration);
        services.AddApiKeyAuth(builder.Configuration);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            c.ProblemDetails.Instance ??= $"{c.HttpContext.Request.Method} {c.HttpContext.Request.Path}";
            c.ProblemDetails.Detail ??= c.ProblemDetails.Status switch
            {
                404 => "No resource at this address; see /swagger for the API.",
                405 => $"{c.HttpContext.Request.Method} is not allowed here.",
                415 => "Send the body as application/geo+json or application/json.",
                _ => null,
            };
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true); // binding errors reach the problem handler with their message
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        services.AddSingleton<CrsTransforms>();
        services.AddSingleton<GeometryInput>();
        services.AddSingleton<FeatureInput>();
        services.AddSingleton<LayerStore>();
        services.AddAssessment(builder.Configuration);
        services.AddTiles(builder.Configuration);
        services.AddFeatures();
        services.AddStatistics();
        services.AddUploads(builder.Configuration);
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o => o.SwaggerDoc("v1", new OpenApiInfo
        {
            Title = "NapGeo API",
            Version = "v1",
            Description = "Spatial data for ASGM National Action Plans (Minamata Convention, Article 7 and Annex C): " +
                          "sites, mercury hotspots and rapid environmental mercury assessment samples.",
        }));
        return builder;
    }

    /// <summary>Waits for the database (Database:StartupWaitSeconds, 60) and migrates it.</summary>
    public static void MigrateDatabase(this WebApplication app)
    {
        var connectionString = NapGeoDatabase.ConnectionString(app.Configuration);
        NapGeoDatabase.WaitForDatabase(connectionString, TimeSpan.FromSeconds(app.Configuration.GetValue("Database:StartupWaitSeconds", 60)), Console.Out);
        NapGeoDatabase.Migrate(connectionString, Console.Out);
    }

    public static WebApplication UseNapGeo(this WebApplication app)
    {
        // Behind a proxy that ends TLS, links (OGC next/self, TileJSON, the style) must carry the address clients used,
        // not http://127.0.0.1:5080: QGIS follows `next` as given. The headers are taken from loopback proxies only
        // (ASP.NET Core's default) and from the addresses in Http:TrustedProxies, so a client cannot forge them.
        var forwarded = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
        };
        foreach (var proxy in app.Configuration.GetValue("Http:TrustedProxies", "")!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            forwarded.KnownProxies.Add(System.Net.IPAddress.TryParse(proxy, out var address) ? address
                : throw new InvalidOperationException($"Http:TrustedProxies: '{proxy}' is not an IP address."));
        app.UseForwardedHeaders(forwarded);
        // The viewer page takes API keys: it must not be framed by another site (clickjacking), and no response is
        // to be sniffed into another type or leak its URL (with filters) to other hosts.
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = "frame-ancestors 'none'";
            headers["Referrer-Policy"] = "same-origin";
            return next(context);
        });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseViewerFiles();
        app.UseSwagger();
        app.UseSwaggerUI(o => o.DocumentTitle = "NapGeo API");
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    public static WebApplication MapNapGeo(this WebApplication app)
    {
        app.MapHealth();
        app.MapViewer();
        app.MapSites();
        app.MapHotspots();
        app.MapSamples();
        app.MapAssessment();
        app.MapTiles();
        app.MapFeatures();
        app.MapStatistics();
        app.MapUploads();
        return app;
    }
}
