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
        // A CQL2 filter may be 16,000 characters (CqlTextParser.MaxLength), up to three times that percent-encoded: with
        // Kestrel's default request line of 8 kB, a list of a thousand site codes got an empty 414 before the filter's
        // own limit could name the problem.
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestLineSize = 64 * 1024);
        var services = builder.Services;
        services.AddNapGeoDatabase(builder.Configuration);
        services.AddDatabaseGates(builder.Configuration);
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
        // not http://127.0.0.1:5080: QGIS follows `next` as given. Forwarded headers are honoured only from the proxies an
        // operator names: a proxy that passes a client's own X-Forwarded-Host through (nginx does unless told to set
        // it) would otherwise let anyone write the links others receive, and loopback is no proof of a proxy.
        if (TrustedProxies(app.Configuration) is { } forwarded) app.UseForwardedHeaders(forwarded);
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
        // Every response after this point may be compressed (the types are listed in AddTiles and AddFeatures), and every
        // one gets CORS, the API definition too: Swashbuckle answers it without calling the rest of the pipeline, so
        // middleware placed after UseSwagger never saw it, and the landing page's service-desc (222 kB, 12 kB gzipped)
        // went out uncompressed and unreadable to a dashboard on another origin.
        app.UseResponseCompression();
        // Before authentication, as ASP.NET Core orders them: a browser's preflight never carries the key it asks to send,
        // so authorization refused it (401) where reads need a key; and a 401 or 403 must carry Access-Control-Allow-Origin
        // too, or a page on another origin sees an opaque failure instead of the problem saying why. The policies
        // (AddTiles, AddFeatures) still decide which origins, methods and headers are allowed; reads only, for any origin,
        // as keys travel in a header, never in cookies, so no origin can borrow a user's credentials.
        app.UseCors();
        app.UseOpenApiMediaType();
        app.UseSwagger();
        app.UseSwaggerUI(o => o.DocumentTitle = "NapGeo API");
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    /// <summary><c>Http:TrustedProxies</c>: comma-separated addresses or networks (10.0.0.5, 172.18.0.0/16); null when none.</summary>
    private static ForwardedHeadersOptions? TrustedProxies(IConfiguration configuration)
    {
        var entries = configuration.GetValue("Http:TrustedProxies", "")!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (entries.Length == 0) return null;
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
        };
        // The defaults trust loopback; only what the operator lists is trusted.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var entry in entries)
        {
            if (System.Net.IPAddress.TryParse(entry, out var address)) options.KnownProxies.Add(address);
            else if (System.Net.IPNetwork.TryParse(entry, out var network)) options.KnownIPNetworks.Add(network);
            else throw new InvalidOperationException($"Http:TrustedProxies: '{entry}' is not an IP address or network (such as 172.18.0.0/16).");
        }
        return options;
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
